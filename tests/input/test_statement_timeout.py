"""A statement that runs longer than ``db_statement_timeout_seconds`` is cancelled by PostgreSQL
and answered with a typed ``TIMEOUT`` error; its connection goes back to the pool and the next
request is served. The slow statement here is an honest one: it waits for a lock the test holds
(an ACCESS EXCLUSIVE lock on the enterprise table), as a runaway scan would keep running."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from tests.conftest import BACKEND
from tests.factories.access import auth_headers
from tests.graphql.test_mutations import CREATE, enterprise_input
from tests.input.conftest import row_counts

pytestmark = [
    pytest.mark.skipif(BACKEND != "postgresql", reason="statement_timeout is PostgreSQL's"),
    pytest.mark.timing,
]
TIMEOUT = 0.5
COUNT = "{ enterprises { totalCount edges { node { name } } } }"


@asynccontextmanager
async def serving(
    settings: Settings, **overrides: Any
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(
        settings.model_copy(
            update={
                "db_statement_timeout_seconds": TIMEOUT,
                "relay_poll_seconds": 3600,
                **overrides,
            }
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=auth_headers(settings)
        ) as http:
            yield app, http


@asynccontextmanager
async def table_locked(sessionmaker: SessionMaker) -> AsyncIterator[None]:
    async with sessionmaker() as session:
        await session.execute(text("LOCK TABLE enterprise IN ACCESS EXCLUSIVE MODE"))
        yield
        await session.rollback()


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def timed_out(body: dict[str, Any], path: list[str]) -> None:
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert error["path"] == path
    assert error["message"].startswith(
        "The database statement took longer than the server allows and was cancelled; "
        "nothing was changed (request id "
    )


@pytest.mark.parametrize("compiled", [True, False])
async def test_a_slow_read_is_a_timeout_error_and_frees_its_connection(
    settings, sessionmaker, compiled
):
    async with serving(settings, compiled_views=compiled) as (app, http):
        engine = app.state.resources.engine
        async with table_locked(sessionmaker):
            started = time.perf_counter()
            body = await post(http, COUNT)
            elapsed = time.perf_counter() - started

        timed_out(body, ["enterprises"])
        assert TIMEOUT <= elapsed < TIMEOUT + 3
        assert engine.pool.checkedout() == 0
        again = await post(http, COUNT)
        assert again["data"] == {"enterprises": {"totalCount": 0, "edges": []}}


async def test_a_slow_mutation_is_a_timeout_error_and_changes_nothing(settings, sessionmaker):
    before = await row_counts(sessionmaker)
    async with serving(settings) as (app, http):
        async with table_locked(sessionmaker):
            body = await post(http, CREATE, {"input": enterprise_input()})

        timed_out(body, ["createEnterprise"])
        assert body["data"] is None
        assert app.state.resources.engine.pool.checkedout() == 0
        assert await row_counts(sessionmaker) == before
        created = await post(http, CREATE, {"input": enterprise_input()})
        assert created["data"]["createEnterprise"]["__typename"] == "EnterpriseSuccess"
