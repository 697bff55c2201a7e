"""FinancingDemand.acceptedKinds: stored, validated, changed, and its migration goes down and up."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from greenrong.core.db import create_engine
from greenrong.domain.kit.formatting import money, percent
from greenrong.migrations.runner import downgrade, upgrade
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise

CREATE = """
mutation ($input: CreateDemandInput!) {
  createFinancingDemand(input: $input) {
    __typename
    ... on FinancingDemandSuccess { financingDemand { id version acceptedKinds } }
  }
}"""
UPDATE = """
mutation ($input: UpdateDemandInput!) {
  updateFinancingDemand(input: $input) {
    __typename
    ... on FinancingDemandSuccess { financingDemand { version acceptedKinds } }
  }
}"""


async def test_accepted_kinds_are_created_read_and_changed(sessionmaker, gql) -> None:
    # given
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session)
    values = {
        "enterpriseId": to_global_id("Enterprise", firm.id),
        "amount": "5000000.00",
        "termMonths": 36,
        "purpose": "光伏电站建设",
        "acceptedKinds": ["LOAN", "LEASE"],
    }

    # when
    created = (await gql(CREATE, {"input": values}))["data"]["createFinancingDemand"]
    demand = created["financingDemand"]
    changed = await gql(
        UPDATE,
        {"input": {"id": demand["id"], "version": demand["version"], "acceptedKinds": []}},
    )
    default = await gql(
        CREATE, {"input": {k: v for k, v in values.items() if k != "acceptedKinds"}}
    )

    # then
    assert demand["acceptedKinds"] == ["LOAN", "LEASE"]
    assert changed["data"]["updateFinancingDemand"]["financingDemand"]["acceptedKinds"] == []
    assert default["data"]["createFinancingDemand"]["financingDemand"]["acceptedKinds"] == []


async def test_an_unknown_kind_is_refused_by_the_schema(sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session)

    body = await gql(
        CREATE,
        {
            "input": {
                "enterpriseId": to_global_id("Enterprise", firm.id),
                "amount": "1.00",
                "termMonths": 12,
                "purpose": "x",
                "acceptedKinds": ["GIFT"],
            }
        },
    )

    assert "GIFT" in body["errors"][0]["message"]


def test_the_accepted_kinds_migration_goes_down_and_up(database_url: str) -> None:
    def columns() -> set[str]:
        async def read() -> set[str]:
            engine = create_engine(database_url)
            try:
                async with engine.connect() as connection:
                    return await connection.run_sync(
                        lambda sync: {
                            c["name"] for c in inspect(sync).get_columns("financing_demand")
                        }
                    )
            finally:
                await engine.dispose()

        return asyncio.run(read())

    assert "accepted_product_kinds" in columns()
    downgrade(database_url, "0002")
    assert "accepted_product_kinds" not in columns()
    upgrade(database_url)
    assert "accepted_product_kinds" in columns()


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("50000000"), "¥5,000万"),
        (Decimal("150000000"), "¥1.5亿"),
        (Decimal("123456789.12"), "¥123,456,789.12"),
        (Decimal("12345600"), "¥1,234.56万"),
        (Decimal("8000"), "¥8,000"),
        (Decimal("0.01"), "¥0.01"),
        (Decimal("10000.01"), "¥10,000.01"),
    ],
)
def test_money_is_written_in_wan_and_yi_when_exact(amount: Decimal, text: str) -> None:
    assert money(amount) == text


def test_rates_are_percentages() -> None:
    assert (percent(Decimal("0.0435")), percent(Decimal("0.05"))) == ("4.35%", "5.00%")


def test_technology_reasons_write_money_as_finance_reasons_do() -> None:
    """One formatter: ¥150,000,000 read "¥15,000万" in technology reasons and "¥1.5亿" in
    finance reasons before."""
    from greenrong.domain.matching.technology import rule_reasons
    from greenrong.domain.technology.models import (
        TechnologyDomain,
        TechnologyListing,
        TechnologyNeed,
    )

    listing = TechnologyListing(
        domain=TechnologyDomain.WATER, asking_price=Decimal("150000000"), maturity=7
    )
    need = TechnologyNeed(
        domain=TechnologyDomain.WATER, budget=Decimal("200000000"), min_maturity=None
    )
    (_, budget) = [(r.code.value, r.message) for r in rule_reasons(listing, need)]
    assert budget == ("BUDGET", "预算¥2亿可覆盖报价¥1.5亿")
