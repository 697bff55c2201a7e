"""Near misses come from the ranking's own query (one pass, a bucket per rule): on a catalogue
of products failing no rule, one rule or several, they are exactly the Python rules' verdicts
(``finance_rules.near_miss``), best first, and ``first`` keeps the best of them."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from greenrong.core.config import Settings
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import Collateral, FinancialProduct, ProductKind
from greenrong.domain.kit.clock import today
from greenrong.domain.matching.finance_rules import borrower, eligible, near_miss
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
    create_project,
)
from tests.factories.statements import count_statements
from tests.matching.finance_helpers import index_products, names, product_matches


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No rows kept between requests: these tests pin the statements of the SQL path (the
    kept rows' are pinned in tests/perf/test_row_cache.py)."""
    return settings.model_copy(update={"row_cache_size": 0})


#: per attribute, a value that fits the demand first, then values that break one rule
CHOICES: dict[str, list[Any]] = {
    "kind": [ProductKind.LOAN, ProductKind.BOND, ProductKind.INSURANCE, ProductKind.LEASE],
    "max_amount": [Decimal("20000000.00"), Decimal("3000000.00")],
    "max_term_months": [60, 24],
    "eligible_region_codes": [["510000"], ["510100"], ["510700"]],
    "eligible_green_categories": [
        [],
        [GreenCategory.CLEAN_ENERGY],
        [GreenCategory.ECOLOGICAL_ENVIRONMENT],
    ],
    "min_green_level": [GreenLevel.NONE, GreenLevel.GREEN, GreenLevel.EXCELLENT_GREEN],
    "accepted_collateral": [[Collateral.NONE], [Collateral.PROPERTY], [Collateral.CCER]],
    "min_rate": [Decimal("0.0380"), Decimal("0.0460")],
    "active": [True, False],
}
NAMES = ["光伏贷", "风电贷", "节能技改贷", "碳减排贷", "绿色建筑贷", "清洁能源贷"]


async def _catalogue(sessionmaker: Any) -> Any:
    """A 深绿 clean-energy firm in 成都市武侯区 asking ¥500万 for 36 months at most 4.50 % with
    property as collateral, and 45 products: each attribute fits or (one time in four) breaks
    its rule, so some products fail none, some one rule and some several."""
    draw = random.Random(21)
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(
            session,
            region_code="510107",
            green_category=GreenCategory.CLEAN_ENERGY,
            green_level=GreenLevel.DEEP_GREEN,
            green_level_valid_until=today(),
        )
        bank = await create_institution(session, region_code="510100")
        for i in range(45):
            values = {
                key: options[0] if draw.random() < 0.75 else draw.choice(options[1:])
                for key, options in CHOICES.items()
            }
            await create_product(
                session,
                institution_id=bank.id,
                name=f"{NAMES[i % len(NAMES)]}{i:02d}号",
                description="支持光伏电站与分布式光伏项目" if i % 3 == 0 else "绿色项目融资",
                min_amount=Decimal("1000000.00"),
                min_term_months=12,
                max_rate=Decimal("0.0600"),
                **values,
            )
        project = await create_project(session, enterprise_id=firm.id, title="厂房屋顶分布式光伏")
        return await create_demand(
            session,
            enterprise_id=firm.id,
            project_id=project.id,
            amount=Decimal("5000000.00"),
            term_months=36,
            max_rate=Decimal("0.0450"),
            collateral_offered=[Collateral.PROPERTY],
            purpose="分布式光伏电站建设",
        )


async def test_near_misses_are_the_rules_verdicts_best_first(app, sessionmaker, gql) -> None:
    # given
    demand = await _catalogue(sessionmaker)
    await index_products(app, sessionmaker)
    async with sessionmaker() as session:
        firm = await session.get(Enterprise, demand.enterprise_id)
        products = list(await session.scalars(select(FinancialProduct)))
    b = borrower(demand, firm, on=today(), withheld=frozenset())
    verdicts = {p.name: near_miss(b, p) for p in products}
    expected = {name: (f.rule.value, f.message) for name, f in verdicts.items() if f is not None}
    failing_several = [p for p in products if not eligible(b, p) and verdicts[p.name] is None]
    # the catalogue has all three kinds: eligible, failing one rule, failing several
    assert (sum(eligible(b, p) for p in products), len(expected), len(failing_several)) == (
        7,
        11,
        27,
    )

    # when
    everything = await product_matches(gql, demand.id, first=50, near=True)
    best = await product_matches(gql, demand.id, first=4, near=True)

    # then: the ranked products are the eligible ones, the near misses the rules' verdicts
    assert set(names(everything)) == {p.name for p in products if eligible(b, p)}
    found = everything["nearMisses"]
    assert {m["node"]["name"]: (m["rule"], m["message"]) for m in found} == expected
    scores = [m["score"] for m in found]
    assert scores == sorted(scores, reverse=True)
    # and a shorter page keeps the best of the same list, in the same order
    assert [m["node"]["name"] for m in best["nearMisses"]] == [m["node"]["name"] for m in found[:4]]
    assert names(best) == names(everything)[:4]


async def test_product_matches_take_two_statements_with_or_without_near_misses(
    app, sessionmaker, gql
) -> None:
    # given
    demand = await _catalogue(sessionmaker)
    await index_products(app, sessionmaker)

    for near in (False, True):
        # when
        with count_statements(app.state.resources.engine) as statements:
            result = await product_matches(gql, demand.id, first=10, near=near)

        # then: the demand (the node) with its enterprise and its project in one statement,
        # the ranked and near-miss products in another
        assert result["totalCount"] == 7
        assert len(statements) == 2, statements


_IN_A_FRAGMENT = """
query ($id: ID!) { node(id: $id) { ...Demand } }
fragment Demand on FinancingDemand {
  purpose
  enterprise { name }
  productMatches(first: 10) { ... on ProductMatchConnection { edges { node { name } } } }
}"""
_WITHOUT_MATCHES = "query ($id: ID!) { node(id: $id) { ... on FinancingDemand { purpose } } }"


async def test_the_demand_is_read_with_its_parties_only_when_its_matches_are_asked(
    app, sessionmaker, gql
) -> None:
    # given
    demand = await _catalogue(sessionmaker)
    await index_products(app, sessionmaker)
    variables = {"id": to_global_id("FinancingDemand", demand.id)}
    expected = names(await product_matches(gql, demand.id, first=10))
    async with sessionmaker() as session:
        firm = await session.scalar(
            select(Enterprise.name).where(Enterprise.id == demand.enterprise_id)
        )

    # when: the matches in a named fragment, with the demand's enterprise beside them
    with count_statements(app.state.resources.engine) as statements:
        body = await gql(_IN_A_FRAGMENT, variables)

    # then: the enterprise is the one read with the demand; the products are the second
    node = body["data"]["node"]
    assert (node["enterprise"]["name"], names(node["productMatches"])) == (firm, expected)
    assert len(statements) == 2, statements

    # and without the matches, the demand alone, as before
    with count_statements(app.state.resources.engine) as statements:
        body = await gql(_WITHOUT_MATCHES, variables)
    assert body["data"]["node"]["purpose"] == demand.purpose
    assert len(statements) == 1, statements
