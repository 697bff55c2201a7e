"""HTTP endpoints, request ids, and the reference types' exactness on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from greenrong.domain.finance.models import FinancingDemand
from tests.factories.entities import create_demand, create_enterprise


async def test_healthz_and_readyz(client) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "database": "up", "search": "ready"},
    )


async def test_request_id_is_echoed_or_created(client) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32


async def test_graphql_get_runs_queries(client) -> None:
    response = await client.get("/graphql", params={"query": "{ enterprises { totalCount } }"})
    assert response.json()["data"] == {"enterprises": {"totalCount": 0}}


async def test_money_sums_are_exact_and_timestamps_aware(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        for amount in ("0.10", "0.20", "9999999999999.99"):
            await create_demand(session, enterprise_id=enterprise.id, amount=Decimal(amount))
    async with sessionmaker() as session:
        total = await session.scalar(
            select(func.sum(FinancingDemand.amount, type_=FinancingDemand.amount.type))
        )
        demand = (await session.scalars(select(FinancingDemand).limit(1))).one()
    assert total == Decimal("10000000000000.29")
    assert demand.submitted_at == datetime(2021, 6, 1, tzinfo=UTC)
    assert demand.submitted_at.tzinfo is not None


async def test_responses_carry_chinese_as_utf8_text(client, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        await create_enterprise(session, name="成都绿能科技有限公司")
    response = await client.post(
        "/graphql", json={"query": "{ enterprises { edges { node { name } } } }"}
    )
    assert response.headers["content-type"] == "application/json"
    # (extensions.queryCost follows the data)
    assert response.content.decode("utf-8").startswith(
        '{"data":{"enterprises":{"edges":[{"node":{"name":"成都绿能科技有限公司"}}]}},'
    )
