"""TechnologyNeed.listingMatches: each hard rule on both sides of its boundary, and the ranking.

Real engine: the listings are indexed with the search issue's rebuild, then matched through
GraphQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from greenrong.app import create_app
from greenrong.domain.technology.models import ListingStatus, NeedStatus
from greenrong.domain.technology.models import TechnologyDomain as D
from greenrong.indexers.listings.document import LISTINGS
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise, create_listing, create_need, create_project
from tests.factories.statements import count_statements
from tests.search.helpers import index
from tests.search.test_search_unavailable import closed_port

MATCHES = """
query($id: ID!, $first: Int) {
  node(id: $id) {
    ... on TechnologyNeed {
      listingMatches(first: $first) {
        __typename
        ... on TechnologyListingMatchConnection {
          edges { rank score node { title } reasons { code message weight } }
        }
        ... on SearchUnavailable { code }
      }
    }
  }
}"""


async def _matches(gql: Any, need: Any, first: int = 10) -> list[dict[str, Any]]:
    body = await gql(MATCHES, {"id": to_global_id("TechnologyNeed", need.id), "first": first})
    assert "errors" not in body, body["errors"]
    result = body["data"]["node"]["listingMatches"]
    assert result["__typename"] == "TechnologyListingMatchConnection", result
    edges: list[dict[str, Any]] = result["edges"]
    return edges


def _titles(edges: list[dict[str, Any]]) -> list[str]:
    return [e["node"]["title"] for e in edges]


async def _world(app: Any, sessionmaker: Any, **need: Any) -> Any:
    """A buyer in 锦江区 with a water need (budget ¥100万, maturity ≥ 6), and listings on both
    sides of every rule."""
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session, name="成都蜀锦印染有限公司", region_code="510104")
        seller = await create_enterprise(session, name="四川清源环保科技有限公司")
        row = await create_need(
            session,
            enterprise_id=buyer.id,
            title="印染废水深度处理技术需求",
            description="寻求印染废水脱色和回用的膜处理工艺",
            domain=D.WATER,
            budget=Decimal("1000000.00"),
            min_maturity=6,
            region_code="510104",
            **need,
        )

        async def listing(title: str, **overrides: Any) -> None:
            values: dict[str, Any] = {
                "owner_enterprise_id": seller.id,
                "title": title,
                "description": "工业废水处理",
                "domain": D.WATER,
                "maturity": 6,
                "asking_price": Decimal("1000000.00"),
                "region_code": "510700",
                "status": ListingStatus.PUBLISHED,
            }
            await create_listing(session, **(values | overrides))

        await listing("印染污水膜法回用技术", region_code="510104")  # fits: price == budget
        await listing("价格略超预算的废水技术", asking_price=Decimal("1000000.01"))
        await listing("成熟度五级的废水技术", maturity=5)
        await listing("面议的废水处理技术", asking_price=None, maturity=9)
        await listing("大气治理技术", domain=D.AIR)
        await listing("草稿状态的废水技术", status=ListingStatus.DRAFT)
        await listing("已撤回的废水技术", status=ListingStatus.WITHDRAWN)
        await listing("买方自有的废水技术", owner_enterprise_id=buyer.id)
    await index(app, sessionmaker, LISTINGS)
    return row


async def test_only_listings_that_meet_every_rule_match(app, sessionmaker, gql) -> None:
    # given
    need = await _world(app, sessionmaker)

    # when
    edges = await _matches(gql, need)

    # then: price == budget and maturity == minimum fit; a fen over, a level under, another
    # domain, a draft, a withdrawn listing and the buyer's own do not
    assert _titles(edges) == ["印染污水膜法回用技术", "面议的废水处理技术"]
    assert [e["rank"] for e in edges] == [1, 2]
    assert edges[0]["score"] > edges[1]["score"]


async def test_reasons_name_the_rules_met_the_shared_terms_and_the_place(
    app, sessionmaker, gql
) -> None:
    # given
    need = await _world(app, sessionmaker)

    # when
    best, unpriced = await _matches(gql, need)

    # then
    reasons = {r["code"]: (r["message"], r["weight"]) for r in best["reasons"]}
    assert reasons["DOMAIN"] == ("技术领域相符：水污染治理", 0.0)
    assert reasons["BUDGET"] == ("预算¥100万可覆盖报价¥100万", 0.0)
    assert reasons["MATURITY"] == ("技术成熟度6级，满足不低于6级的要求", 0.0)
    assert reasons["DOMAIN_TERM"] == ("技术涉及“废水”", 2.0)  # found as its synonym 污水
    assert reasons["SAME_COUNTY"] == ("同在锦江区", 1.5)
    assert "TEXT" in reasons
    codes = [r["code"] for r in unpriced["reasons"]]
    assert "BUDGET" not in codes  # no price: nothing to compare
    assert not {"SAME_COUNTY", "SAME_PREFECTURE"} & set(codes)  # 绵阳 vs 成都


async def test_without_budget_or_minimum_those_rules_do_not_apply(app, sessionmaker, gql) -> None:
    # given
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session, name="乐山造纸有限公司")
        need = await create_need(
            session, enterprise_id=buyer.id, domain=D.WATER, budget=None, min_maturity=None
        )
        await create_listing(
            session, title="低成熟度高价废水技术", maturity=1, asking_price=Decimal("90000000.00")
        )
    await index(app, sessionmaker, LISTINGS)

    # when
    edges = await _matches(gql, need)

    # then
    assert _titles(edges) == ["低成熟度高价废水技术"]
    assert {r["code"] for r in edges[0]["reasons"]} >= {"DOMAIN"}
    assert not {"BUDGET", "MATURITY"} & {r["code"] for r in edges[0]["reasons"]}


async def test_a_closed_need_matches_nothing_and_first_limits(app, sessionmaker, gql) -> None:
    # given
    need = await _world(app, sessionmaker)
    async with sessionmaker.begin() as session:
        closed = await create_need(
            session, enterprise_id=need.enterprise_id, status=NeedStatus.CLOSED
        )

    # then
    assert await _matches(gql, closed) == []
    assert _titles(await _matches(gql, need, first=1)) == ["印染污水膜法回用技术"]


async def test_first_out_of_range_is_refused(app, sessionmaker, gql) -> None:
    # given
    need = await _world(app, sessionmaker)

    # when
    body = await gql(MATCHES, {"id": to_global_id("TechnologyNeed", need.id), "first": -1})

    # then
    assert body["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_listing_matches_of_many_needs_take_one_search_and_one_select(
    app, sessionmaker, gql
) -> None:
    # given: three needs; every need's listings are matched in one batch
    need = await _world(app, sessionmaker)
    async with sessionmaker.begin() as session:
        for title in ("纺织废水处理技术需求", "食品废水处理技术需求"):
            await create_need(
                session, enterprise_id=need.enterprise_id, title=title, domain=D.WATER
            )
    statements = await _count_statements(
        app,
        gql,
        """{ technologyNeeds(first: 10) { edges { node { title listingMatches(first: 3) {
             ... on TechnologyListingMatchConnection { edges { node { title } } } } } } } }""",
    )

    # then: the page of needs, the needs again for the batch, the matched listings
    assert statements == 3


async def _count_statements(app: Any, gql: Any, query: str) -> int:
    with count_statements(app.state.resources.engine) as statements:
        body = await gql(query)
    assert "errors" not in body, body
    return len(statements)


async def test_with_the_engine_down_listing_and_reviewer_matches_are_unavailable(
    settings, sessionmaker
) -> None:
    # given: a need and a project, and an app whose search engine is not there
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session, name="达州天然气化工有限公司")
        need = await create_need(session, enterprise_id=buyer.id, domain=D.AIR)
        project = await create_project(session, enterprise_id=buyer.id)
    dead = settings.model_copy(update={"opensearch_url": f"http://127.0.0.1:{closed_port()}"})
    app = create_app(dead)

    # when
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=auth_headers(settings)
        ) as http:
            listings = await http.post(
                "/graphql",
                json={
                    "query": MATCHES,
                    "variables": {"id": to_global_id("TechnologyNeed", need.id)},
                },
            )
            reviewers = await http.post(
                "/graphql",
                json={
                    "query": """query($id: ID!) { node(id: $id) { ... on Project {
                        reviewerMatches { __typename ... on SearchUnavailable { code } } } } }""",
                    "variables": {"id": to_global_id("Project", project.id)},
                },
            )

    # then
    assert listings.json()["data"]["node"]["listingMatches"] == {
        "__typename": "SearchUnavailable",
        "code": "UNREACHABLE",
    }
    assert reviewers.json()["data"]["node"]["reviewerMatches"] == {
        "__typename": "SearchUnavailable",
        "code": "UNREACHABLE",
    }
