"""Who sees which matches: demands are private, so both views follow the access policy's rows."""

from __future__ import annotations

from decimal import Decimal

from greenrong.domain.access.principal import Role
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
)
from tests.matching.finance_helpers import DEMAND_MATCHES, PRODUCT_MATCHES, index_products
from tests.search.test_search_unavailable import down, post

__all__ = ["down"]  # the fixture: an app whose search engine is unreachable


async def test_matches_follow_the_callers_rows(app, sessionmaker, gql_as) -> None:
    # given an open demand of one enterprise and a product it fits
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        other = await create_enterprise(session)
        bank = await create_institution(session)
        product = await create_product(session, institution_id=bank.id, name="光伏贷")
        demand = await create_demand(session, enterprise_id=owner.id, amount=Decimal("5000000"))
    await index_products(app, sessionmaker)
    demand_id = to_global_id("FinancingDemand", demand.id)
    product_id = to_global_id("FinancialProduct", product.id)

    async def forward(role: Role | None, org: object = None) -> object:
        body = await gql_as(role, org_id=org)(
            PRODUCT_MATCHES, {"id": demand_id, "first": 5, "near": False}
        )
        node = body["data"]["node"]
        return (
            None if node is None else [e["node"]["name"] for e in node["productMatches"]["edges"]]
        )

    async def reverse(role: Role | None, org: object = None) -> int:
        body = await gql_as(role, org_id=org)(DEMAND_MATCHES, {"id": product_id, "first": 5})
        total: int = body["data"]["node"]["demandMatches"]["totalCount"]
        return total

    # then: the demand (and so its matches) is the owner's, the regulator's and institutions'
    assert await forward(None) is None
    assert await forward(Role.ENTERPRISE, other.id) is None
    assert await forward(Role.ENTERPRISE, owner.id) == ["光伏贷"]
    assert await forward(Role.INSTITUTION, bank.id) == ["光伏贷"]
    assert await forward(Role.REGULATOR) == ["光伏贷"]
    # and the reverse view lists only demands the caller may see
    assert await reverse(None) == 0
    assert await reverse(Role.ENTERPRISE, other.id) == 0
    assert await reverse(Role.ENTERPRISE, owner.id) == 1
    assert await reverse(Role.INSTITUTION, bank.id) == 1
    assert await reverse(Role.REGULATOR) == 1


async def test_matches_are_unavailable_without_the_engine_and_the_reverse_view_still_works(
    sessionmaker, down
) -> None:
    # given an app whose search engine is unreachable
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session)
        bank = await create_institution(session)
        product = await create_product(session, institution_id=bank.id)
        demand = await create_demand(session, enterprise_id=firm.id)

    # when
    forward = await post(
        down,
        PRODUCT_MATCHES,
        {"id": to_global_id("FinancingDemand", demand.id), "first": 5, "near": True},
    )
    reverse = await post(
        down, DEMAND_MATCHES, {"id": to_global_id("FinancialProduct", product.id), "first": 5}
    )

    # then: the engine-backed view says so; the database-backed one answers
    assert forward["data"]["node"]["productMatches"] == {
        "__typename": "SearchUnavailable",
        "code": "UNREACHABLE",
    }
    assert reverse["data"]["node"]["demandMatches"]["totalCount"] == 1
