"""Who may start and move tracked matches and deals: anonymous, other party, regulator, admin.

A match's parties are the demand's enterprise and the product's institution; a deal's are the
buyer and the listing's owner. They, and admins, may start and move them; everyone else is
refused, and every refusal changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.domain.access.principal import Role
from greenrong.domain.finance.models import DemandStatus, FinancingDemand
from greenrong.domain.matching.tracked import FinancingMatch, MatchStatus, TechnologyDeal
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_listing,
    create_product,
)

START_MATCH = """
mutation($input: StartMatchInput!) {
  result: startMatch(input: $input) { __typename }
}"""
START_DEAL = """
mutation($input: StartTechnologyDealInput!) {
  result: startTechnologyDeal(input: $input) { __typename }
}"""


async def _counts(sessionmaker: Any) -> tuple[int, int, int]:
    async with sessionmaker() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(FinancingMatch)) or 0),
            int(await session.scalar(select(func.count()).select_from(TechnologyDeal)) or 0),
            int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
        )


@pytest.mark.parametrize(
    ("role", "org", "expected"),
    [
        # the public and another enterprise cannot see the demand: it answers as missing
        (None, None, "NotFoundError"),  # anonymous: the public role
        (Role.REGULATOR, None, "refused"),
        (Role.ENTERPRISE, "other", "NotFoundError"),  # another enterprise than the demand's
        (Role.INSTITUTION, "other_bank", "refused"),  # sees the open demand, not a party
        (Role.ENTERPRISE, "firm", "FinancingMatchSuccess"),  # the demand's enterprise
        (Role.INSTITUTION, "bank", "FinancingMatchSuccess"),  # the product's institution
        (Role.ADMIN, None, "FinancingMatchSuccess"),
    ],
)
async def test_starting_a_match_by_role(
    gql_as, sessionmaker, role: Role | None, org: str | None, expected: str
) -> None:
    # given
    async with sessionmaker.begin() as session:
        orgs = {
            "firm": await create_enterprise(session, name="南充丝绸印染有限公司"),
            "other": await create_enterprise(session, name="南充果业有限公司"),
            "bank": await create_institution(session, name="南充商业银行"),
            "other_bank": await create_institution(session, name="绵阳农商银行"),
        }
        product = await create_product(session, institution_id=orgs["bank"].id, name="绿色技改贷")
        demand = await create_demand(session, enterprise_id=orgs["firm"].id, purpose="印染废水治理")
    before = await _counts(sessionmaker)
    caller = gql_as(role, org_id=orgs[org].id if org else None)

    # when
    body = await caller(
        START_MATCH,
        {
            "input": {
                "demandId": to_global_id("FinancingDemand", demand.id),
                "productId": to_global_id("FinancialProduct", product.id),
            }
        },
    )

    # then
    typename = (body.get("data") or {}).get("result", {}) or {}
    if expected == "refused":
        assert typename == {"__typename": "ForbiddenError"}
        assert await _counts(sessionmaker) == before
    elif expected == "NotFoundError":
        assert typename == {"__typename": "NotFoundError"}
        assert await _counts(sessionmaker) == before
    else:
        assert typename == {"__typename": expected}
        assert await _counts(sessionmaker) == (before[0] + 1, before[1], before[2] + 2)


@pytest.mark.parametrize(
    ("role", "org", "expected"),
    [
        (None, None, "refused"),
        (Role.REGULATOR, None, "refused"),
        (Role.ENTERPRISE, "bystander", "refused"),
        (Role.ENTERPRISE, "lead", "TechnologyDealSuccess"),  # the buyer
        (Role.ENTERPRISE, "seller", "TechnologyDealSuccess"),  # the listing's owner
        (Role.ADMIN, None, "TechnologyDealSuccess"),
    ],
)
async def test_starting_a_deal_by_role(
    gql_as, sessionmaker, role: Role | None, org: str | None, expected: str
) -> None:
    # given
    async with sessionmaker.begin() as session:
        orgs = {
            "lead": await create_enterprise(session, name="遂宁锂电材料有限公司"),
            "seller": await create_enterprise(session, name="成都循环科技有限公司"),
            "bystander": await create_enterprise(session, name="自贡灯会文化有限公司"),
        }
        listing = await create_listing(
            session, title="锂电池正极材料回收技术", owner_enterprise_id=orgs["seller"].id
        )
    lead = orgs["lead"]
    before = await _counts(sessionmaker)

    # when
    body = await gql_as(role, org_id=orgs[org].id if org else None)(
        START_DEAL,
        {
            "input": {
                "listingId": to_global_id("TechnologyListing", listing.id),
                "enterpriseId": to_global_id("Enterprise", lead.id),
            }
        },
    )

    # then
    result = (body.get("data") or {}).get("result") or {}
    if expected == "refused":
        assert result == {"__typename": "ForbiddenError"}
        assert await _counts(sessionmaker) == before
    else:
        assert result == {"__typename": expected}
        assert await _counts(sessionmaker) == (before[0], before[1] + 1, before[2] + 1)


MOVE_MATCH = """
mutation($input: UpdateMatchStatusInput!) {
  result: updateMatchStatus(input: $input) {
    __typename
    ... on FinancingMatchSuccess { financingMatch { status amount version } }
  }
}"""


async def test_the_product_institution_finances_its_match_and_the_demand_follows(
    gql_as, sessionmaker
) -> None:
    # given a match in negotiation between a firm's demand and a bank's product
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="德阳装备再制造有限公司")
        bank = await create_institution(session, name="德阳农商银行")
        other_bank = await create_institution(session, name="乐山商业银行")
        product = await create_product(session, institution_id=bank.id, name="再制造贷")
        demand = await create_demand(
            session, enterprise_id=firm.id, status=DemandStatus.MATCHED, purpose="再制造产线"
        )
        match = FinancingMatch(
            demand_id=demand.id, product_id=product.id, status=MatchStatus.NEGOTIATING
        )
        session.add(match)
    move = {
        "input": {
            "id": to_global_id("FinancingMatch", match.id),
            "version": match.version,
            "status": "FINANCED",
            "amount": "8000000.00",
        }
    }
    before = await _counts(sessionmaker)

    # when another bank tries, then the product's bank does
    refused = await gql_as(Role.INSTITUTION, org_id=other_bank.id)(MOVE_MATCH, move)
    unchanged = await _counts(sessionmaker)
    done = await gql_as(Role.INSTITUTION, org_id=bank.id)(MOVE_MATCH, move)

    # then the other bank changed nothing (the match is not its own: it cannot see it, so it
    # answers as missing); the bank's move financed the match and the demand, which the bank
    # does not own, as one consequence of its move
    assert refused["data"]["result"] == {"__typename": "NotFoundError"}
    assert unchanged == before
    assert done["data"]["result"] == {
        "__typename": "FinancingMatchSuccess",
        "financingMatch": {"status": "FINANCED", "amount": "8000000.00", "version": 2},
    }
    async with sessionmaker() as session:
        financed = await session.get(FinancingDemand, demand.id)
    assert financed is not None
    assert (financed.status, financed.financed_amount, financed.product_id) == (
        DemandStatus.FINANCED,
        Decimal("8000000.00"),
        product.id,
    )
