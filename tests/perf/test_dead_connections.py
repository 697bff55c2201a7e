"""Without the pool's pre-ping, a request after PostgreSQL ended the pooled connections still
succeeds, on the compiled path and on the resolver path (core/db.py, compiled/driver.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import Text, cast, literal, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from greenrong.core.db import SessionMaker
from greenrong.resolvers.compiled.driver import DriverStatement, fetch_text
from tests.conftest import BACKEND, PG_ADMIN_URL
from tests.factories.entities import create_enterprise

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL backends only")

#: compiled: plain columns only
COMPILED = "{ enterprises(orderBy: [{field: NAME}]) { totalCount edges { node { name } } } }"
#: resolver path: `region` is a computed field
RESOLVED = "{ enterprises(orderBy: [{field: NAME}]) { edges { node { name region { name } } } } }"


async def _terminate_pool(database: str) -> int:
    """End every backend of the database (the app's pooled connections) and wait until they
    are gone; the number ended."""
    dsn = make_url(PG_ADMIN_URL).set(drivername="postgresql").render_as_string(False)
    admin = await asyncpg.connect(dsn)
    try:
        ended = await admin.fetchval(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity"
            " where datname = $1 and pid <> pg_backend_pid()",
            database,
        )
        for _ in range(200):
            left = await admin.fetchval(
                "select count(*) from pg_stat_activity where datname = $1", database
            )
            if left == 0:
                break
            await asyncio.sleep(0.01)
        assert left == 0
        return int(ended)
    finally:
        await admin.close()


@pytest.mark.parametrize("view", [COMPILED, RESOLVED], ids=["compiled", "resolver"])
async def test_a_request_after_the_backends_were_terminated_succeeds(
    gql: Any, app: Starlette, sessionmaker: SessionMaker, view: str
) -> None:
    # given: two enterprises, and the app's pool holds a connection that was used
    async with sessionmaker.begin() as session:
        await create_enterprise(session, name="成都光伏新能源有限公司")
        await create_enterprise(session, name="绵阳节能环保有限公司")
    before = await gql(view)
    assert "errors" not in before
    pool = app.state.resources.engine.pool
    assert pool.checkedin() >= 1
    database = make_url(app.state.resources.settings.database_url).database

    # when: PostgreSQL ends every connection to the database
    assert await _terminate_pool(database) >= 1
    after = await gql(view)

    # then: the same answer, on a new connection
    assert "errors" not in after
    assert after["data"] == before["data"]
    names = [edge["node"]["name"] for edge in after["data"]["enterprises"]["edges"]]
    assert names == ["成都光伏新能源有限公司", "绵阳节能环保有限公司"]


async def test_the_compiled_read_retries_once_on_a_connection_that_died(database_url: str) -> None:
    # given: a plain engine (no checkout check) whose pool holds a used connection
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0)
    statement = DriverStatement.of(select(cast(literal(41) + 1, Text)), engine.dialect)
    try:
        assert await fetch_text(engine, statement) == "42"
        database = make_url(database_url).database
        assert database is not None

        # when: PostgreSQL ends it, unknown to the pool
        assert await _terminate_pool(database) == 1
        answer = await fetch_text(engine, statement)

        # then: the read failed on the dead connection, which was replaced, and ran again
        assert answer == "42"
        assert engine.pool.checkedin() == 1
    finally:
        await engine.dispose()
