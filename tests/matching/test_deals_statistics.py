"""platformStatistics counts tracked matching services and the money financed through them."""

from __future__ import annotations

from decimal import Decimal

from greenrong.domain.finance.models import DemandStatus, FinancingDemand
from greenrong.domain.matching import deals
from greenrong.domain.matching.tracked import MatchStatus
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_listing,
    create_product,
)

STATISTICS = """{ platformStatistics {
  matchingServiceCount matchFinancedTotal
  matchFinancedByYear { year amount count }
  financingFacilitatedTotal
} }"""


async def test_matches_and_deals_count_as_services_and_financed_matches_add_up(
    gql, sessionmaker
) -> None:
    # given: three matches (one financed, one declined, one talking) and one deal
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="遂宁光伏电力有限公司")
        bank = await create_institution(session, name="遂宁银行")
        product = await create_product(session, institution_id=bank.id, name="光伏贷")
        other = await create_product(session, institution_id=bank.id, name="绿色项目贷")
        financed = await create_demand(session, enterprise_id=firm.id, purpose="屋顶光伏")
        talking = await create_demand(session, enterprise_id=firm.id, purpose="储能电站")
        listing = await create_listing(session, title="光伏组件回收技术")
    async with sessionmaker.begin() as session:
        match = await deals.start_match(session, demand_id=financed.id, product_id=product.id)
        refused = await deals.start_match(session, demand_id=financed.id, product_id=other.id)
        await deals.start_match(session, demand_id=talking.id, product_id=product.id)
        await deals.start_technology_deal(session, listing_id=listing.id, enterprise_id=firm.id)
    async with sessionmaker.begin() as session:
        match = await deals.update_match_status(
            session, id=match.id, version=match.version, status=MatchStatus.NEGOTIATING
        )
        match = await deals.update_match_status(
            session,
            id=match.id,
            version=match.version,
            status=MatchStatus.FINANCED,
            amount=Decimal("12345678.91"),
        )
        await deals.update_match_status(
            session, id=refused.id, version=refused.version, status=MatchStatus.DECLINED
        )
    year = match.closed_at.year if match.closed_at else 0

    # when
    body = await gql(STATISTICS)

    # then
    assert body["data"]["platformStatistics"] == {
        "matchingServiceCount": 4,
        "matchFinancedTotal": "12345678.91",
        "matchFinancedByYear": [{"year": year, "amount": "12345678.91", "count": 1}],
        "financingFacilitatedTotal": "12345678.91",  # the demand was financed with it
    }
    async with sessionmaker() as session:
        demand = await session.get(FinancingDemand, financed.id)
    assert demand is not None
    assert demand.status is DemandStatus.FINANCED
