"""startMatch and startTechnologyDeal: what may be taken up, and what is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.finance.models import DemandStatus, FinancingDemand
from greenrong.domain.matching.tracked import FinancingMatch, TechnologyDeal
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.technology.models import ListingStatus, NeedStatus
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_listing,
    create_need,
    create_product,
)

START_MATCH = """
mutation($input: StartMatchInput!) {
  result: startMatch(input: $input) {
    __typename
    ... on FinancingMatchSuccess {
      financingMatch { status amount version demand { status } product { name } }
    }
    ... on ValidationError { code field }
  }
}"""
START_DEAL = """
mutation($input: StartTechnologyDealInput!) {
  result: startTechnologyDeal(input: $input) {
    __typename
    ... on TechnologyDealSuccess {
      technologyDeal { status version listing { title } need { title } buyer { name } }
    }
    ... on ValidationError { code field }
  }
}"""


def gid(row: Any) -> str:
    return to_global_id(row.entity_type, row.id)


async def counts(sessionmaker: SessionMaker) -> tuple[int, int, int]:
    async with sessionmaker() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(FinancingMatch)) or 0),
            int(await session.scalar(select(func.count()).select_from(TechnologyDeal)) or 0),
            int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
        )


async def _demand_and_product(
    sessionmaker: SessionMaker,
    *,
    demand_status: DemandStatus = DemandStatus.OPEN,
    active: bool = True,
) -> tuple[FinancingDemand, Any]:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="攀枝花钒钛节能有限公司")
        demand = await create_demand(
            session, enterprise_id=enterprise.id, status=demand_status, purpose="余热发电改造"
        )
        bank = await create_institution(session, name="攀枝花市商业银行")
        product = await create_product(
            session, institution_id=bank.id, name="节能减排贷", active=active
        )
    return demand, product


async def test_starting_a_match_contacts_and_marks_an_open_demand_matched(
    gql, sessionmaker
) -> None:
    # given
    demand, product = await _demand_and_product(sessionmaker)

    # when
    body = await gql(START_MATCH, {"input": {"demandId": gid(demand), "productId": gid(product)}})

    # then
    assert body["data"]["result"] == {
        "__typename": "FinancingMatchSuccess",
        "financingMatch": {
            "status": "CONTACTED",
            "amount": None,
            "version": 1,
            "demand": {"status": "MATCHED"},
            "product": {"name": "节能减排贷"},
        },
    }
    assert await counts(sessionmaker) == (1, 0, 2)  # the match's event and the demand's


async def test_the_same_demand_and_product_cannot_be_matched_twice(gql, sessionmaker) -> None:
    # given
    demand, product = await _demand_and_product(sessionmaker)
    variables = {"input": {"demandId": gid(demand), "productId": gid(product)}}
    await gql(START_MATCH, variables)
    before = await counts(sessionmaker)

    # when
    body = await gql(START_MATCH, variables)

    # then
    assert body["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "DUPLICATE",
        "field": "productId",
    }
    assert await counts(sessionmaker) == before


async def test_a_financed_demand_or_an_inactive_product_cannot_be_matched(
    gql, sessionmaker
) -> None:
    # given
    financed, _ = await _demand_and_product(sessionmaker, demand_status=DemandStatus.FINANCED)
    open_demand, inactive = await _demand_and_product(sessionmaker, active=False)

    # when
    one = await gql(START_MATCH, {"input": {"demandId": gid(financed), "productId": gid(inactive)}})
    two = await gql(
        START_MATCH, {"input": {"demandId": gid(open_demand), "productId": gid(inactive)}}
    )

    # then
    assert one["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "INVALID",
        "field": "demandId",
    }
    assert two["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "INVALID",
        "field": "productId",
    }
    assert await counts(sessionmaker) == (0, 0, 0)


async def test_a_deal_with_a_posted_need_takes_the_need_s_enterprise_as_buyer(
    gql, sessionmaker
) -> None:
    # given
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session, name="泸州酿酒有限公司")
        need = await create_need(session, enterprise_id=buyer.id, title="酿酒废水处理技术需求")
        listing = await create_listing(session, title="高浓度有机废水厌氧处理技术")

    # when
    body = await gql(START_DEAL, {"input": {"listingId": gid(listing), "needId": gid(need)}})

    # then
    assert body["data"]["result"] == {
        "__typename": "TechnologyDealSuccess",
        "technologyDeal": {
            "status": "CONTACTED",
            "version": 1,
            "listing": {"title": "高浓度有机废水厌氧处理技术"},
            "need": {"title": "酿酒废水处理技术需求"},
            "buyer": {"name": "泸州酿酒有限公司"},
        },
    }
    assert await counts(sessionmaker) == (0, 1, 1)


async def test_a_deal_with_an_enterprise_lead_has_no_need(gql, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        lead = await create_enterprise(session, name="德阳化工有限公司")
        listing = await create_listing(session, title="化工园区VOCs治理技术")

    # when
    body = await gql(START_DEAL, {"input": {"listingId": gid(listing), "enterpriseId": gid(lead)}})

    # then
    deal = body["data"]["result"]["technologyDeal"]
    assert (deal["need"], deal["buyer"]) == (None, {"name": "德阳化工有限公司"})


async def test_a_deal_needs_exactly_one_of_need_and_enterprise(gql, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session)
        need = await create_need(session, enterprise_id=buyer.id)
        listing = await create_listing(session)

    # when
    neither = await gql(START_DEAL, {"input": {"listingId": gid(listing)}})
    both = await gql(
        START_DEAL,
        {"input": {"listingId": gid(listing), "needId": gid(need), "enterpriseId": gid(buyer)}},
    )

    # then
    for body in (neither, both):
        assert body["data"]["result"] == {
            "__typename": "ValidationError",
            "code": "INVALID",
            "field": "needId",
        }
    assert await counts(sessionmaker) == (0, 0, 0)


async def test_an_unpublished_listing_a_closed_need_or_the_owner_cannot_deal(
    gql, sessionmaker
) -> None:
    # given
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="绵阳环保科技有限公司")
        buyer = await create_enterprise(session)
        draft = await create_listing(session, status=ListingStatus.DRAFT)
        own = await create_listing(session, owner_enterprise_id=owner.id)
        closed = await create_need(session, enterprise_id=buyer.id, status=NeedStatus.CLOSED)

    # when
    results = [
        (await gql(START_DEAL, {"input": {"listingId": gid(listing), **extra}}))["data"]["result"]
        for listing, extra in (
            (draft, {"enterpriseId": gid(buyer)}),
            (own, {"needId": gid(closed)}),
            (own, {"enterpriseId": gid(owner)}),
        )
    ]

    # then
    assert results == [
        {"__typename": "ValidationError", "code": "INVALID", "field": "listingId"},
        {"__typename": "ValidationError", "code": "INVALID", "field": "needId"},
        {"__typename": "ValidationError", "code": "INVALID", "field": "enterpriseId"},
    ]
    assert await counts(sessionmaker) == (0, 0, 0)
