"""A page of an enterprise's demands with their product matches (the portal's 融资对接 view):
every demand's ranking comes from one ``_msearch`` for the whole page, each the same as when
the demand is asked alone, and the statements do not grow with the page."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from greenrong.core.config import Settings
from greenrong.domain.finance.models import FinancingDemand
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
    create_project,
)
from tests.factories.statements import count_msearches, count_statements
from tests.matching.finance_helpers import index_products, product_matches


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No rows kept between requests: these tests pin the statements of the SQL path (the
    kept rows' are pinned in tests/perf/test_row_cache.py)."""
    return settings.model_copy(update={"row_cache_size": 0})


PAGE = """
query ($id: ID!, $first: Int!) {
  node(id: $id) {
    ... on Enterprise {
      financingDemands(first: $first, orderBy: [{ field: SUBMITTED_AT, direction: DESC }]) {
        edges {
          node {
            purpose
            productMatches(first: 5, includeNearMisses: true) {
              __typename
              ... on ProductMatchConnection {
                totalCount
                edges { rank score node { name } reasons { code message weight } }
                nearMisses { rule message score node { name } }
              }
            }
          }
        }
      }
    }
  }
}"""


async def _enterprise_with_demands(sessionmaker: Any) -> tuple[Any, list[FinancingDemand]]:
    """A clean-energy firm in 成都市锦江区 with three demands, and four products of a 成都 bank:
    for solar plants, for wind farms, a small loan of at most ¥300万, and one for energy
    efficiency in ecological firms only."""
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="成都锦江光能科技有限公司")
        bank = await create_institution(session, name="成都银行锦江支行", region_code="510100")
        for name, description, overrides in [
            ("光伏贷", "支持分布式光伏电站建设", {"max_amount": Decimal("20000000.00")}),
            ("风电贷", "支持风电场建设与扩建", {}),
            ("小微绿色贷", "小微企业绿色项目流动资金", {"max_amount": Decimal("3000000.00")}),
            (
                "节能技改贷",
                "支持工业厂房节能改造",
                {"eligible_green_categories": [GreenCategory.ECOLOGICAL_ENVIRONMENT]},
            ),
        ]:
            await create_product(
                session, institution_id=bank.id, name=name, description=description, **overrides
            )
        demands = [
            await create_demand(
                session,
                enterprise_id=firm.id,
                amount=amount,
                purpose=purpose,
                submitted_at=datetime(2024, month, 1, tzinfo=UTC),
            )
            for amount, purpose, month in [
                (Decimal("5000000.00"), "分布式光伏电站建设", 3),
                (Decimal("2000000.00"), "风电场扩建", 2),
                (Decimal("30000000.00"), "厂房节能改造", 1),
            ]
        ]
    return firm, demands


def _short(matches: dict[str, Any]) -> tuple[int, list[str], list[tuple[str, str]]]:
    return (
        matches["totalCount"],
        [e["node"]["name"] for e in matches["edges"]],
        [(m["node"]["name"], m["rule"]) for m in matches["nearMisses"]],
    )


async def test_a_page_of_demands_is_ranked_in_one_msearch_as_each_alone(
    app, sessionmaker, gql
) -> None:
    # given
    firm, demands = await _enterprise_with_demands(sessionmaker)
    await index_products(app, sessionmaker)
    alone = [await product_matches(gql, d.id, first=5, near=True) for d in demands]

    # when
    with count_msearches(app.state.resources.search.client) as searches:
        body = await gql(PAGE, {"id": to_global_id("Enterprise", firm.id), "first": 3})

    # then: one round trip to the engine with the three demands' searches
    assert "errors" not in body, body["errors"]
    assert searches == [3]
    page = body["data"]["node"]["financingDemands"]["edges"]
    assert [e["node"]["purpose"] for e in page] == [
        "分布式光伏电站建设",
        "风电场扩建",
        "厂房节能改造",
    ]
    found = [e["node"]["productMatches"] for e in page]
    # each demand's matches are exactly what it gets when asked alone
    assert found == alone
    assert [_short(m) for m in found] == [
        (2, ["光伏贷", "风电贷"], [("节能技改贷", "GREEN_CATEGORY"), ("小微绿色贷", "AMOUNT")]),
        (3, ["风电贷", "小微绿色贷", "光伏贷"], [("节能技改贷", "GREEN_CATEGORY")]),
        (
            1,
            ["风电贷"],
            [("节能技改贷", "GREEN_CATEGORY"), ("光伏贷", "AMOUNT"), ("小微绿色贷", "AMOUNT")],
        ),
    ]


async def test_a_longer_page_of_demands_takes_no_more_statements_or_searches(
    app, sessionmaker, gql
) -> None:
    # given
    firm, _ = await _enterprise_with_demands(sessionmaker)
    await index_products(app, sessionmaker)
    variables = {"id": to_global_id("Enterprise", firm.id)}

    counted: list[tuple[int, list[int]]] = []
    for first in (1, 3):
        # when
        with (
            count_statements(app.state.resources.engine) as statements,
            count_msearches(app.state.resources.search.client) as searches,
        ):
            body = await gql(PAGE, {**variables, "first": first})
        assert "errors" not in body, body["errors"]
        counted.append((len(statements), searches))

    # then: the enterprise (the node, and the demands' enterprise from the same loader), the
    # page of demands (the rows the matching starts from), the ranked products; one msearch of
    # a search per demand
    assert counted == [(3, [1]), (3, [3])]


async def test_a_page_of_demands_with_projects_reads_their_projects_in_one_statement(
    app, sessionmaker, gql
) -> None:
    # given: the three demands, two of them for a project of the firm
    firm, demands = await _enterprise_with_demands(sessionmaker)
    async with sessionmaker.begin() as session:
        for demand, title in zip(
            demands[:2], ["锦江厂房屋顶光伏电站", "龙泉山风电场二期"], strict=True
        ):
            project = await create_project(session, enterprise_id=firm.id, title=title)
            row = await session.get(FinancingDemand, demand.id)
            assert row is not None
            row.project_id = project.id
    await index_products(app, sessionmaker)
    alone = [await product_matches(gql, d.id, first=5, near=True) for d in demands]

    # when
    with count_statements(app.state.resources.engine) as statements:
        body = await gql(PAGE, {"id": to_global_id("Enterprise", firm.id), "first": 3})

    # then: the enterprise, the page of demands, the two projects (the enterprise is the node's,
    # not read again), the ranked products; each demand matched as when asked alone
    assert "errors" not in body, body["errors"]
    assert len(statements) == 4, statements
    assert [
        e["node"]["productMatches"] for e in body["data"]["node"]["financingDemands"]["edges"]
    ] == alone
    assert [_short(m)[1] for m in alone] == [
        ["光伏贷", "风电贷"],
        ["风电贷", "小微绿色贷", "光伏贷"],
        ["风电贷"],
    ]
