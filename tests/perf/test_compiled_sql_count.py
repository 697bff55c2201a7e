"""The SQL count of a compilable nested view, pinned on each path.

tests/graphql/test_sql_count.py pins the resolver path (its view selects `region`, a computed
field, so it never compiles). This view is the same without computed fields: on PostgreSQL the
compiled path answers it with one statement whatever the page sizes; with `compiled_views` off,
and on SQLite, the resolver path answers it with one statement per list and relation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from tests.factories.access import auth_headers
from tests.factories.statements import count_statements
from tests.graphql.test_sql_count import seed

VIEW = """
query($first: Int!) {
  enterprises(first: $first, orderBy: [{field: NAME}]) {
    totalCount
    edges { node {
      name
      projects(first: 5) { totalCount edges { node {
        title
        enterprise { name }
        financingDemands(first: 3) { edges { node { amount status product { name } } } }
      } } }
    } }
  }
}"""


@pytest.fixture
async def resolver_app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings.model_copy(update={"compiled_views": False}))
    async with application.router.lifespan_context(application):
        yield application


async def _count(app: Starlette, settings: Settings, first: int) -> tuple[int, dict[str, Any]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=auth_headers(settings)
    ) as http:
        with count_statements(app.state.resources.engine) as statements:
            response = await http.post(
                "/graphql", json={"query": VIEW, "variables": {"first": first}}
            )
    body: dict[str, Any] = response.json()
    assert "errors" not in body
    return len(statements), body


async def test_compiled_view_is_one_statement_on_postgresql(
    app: Starlette, resolver_app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given 10 enterprises × 6 projects × 4 demands
    await seed(sessionmaker, 10)
    postgresql = app.state.resources.engine.dialect.name == "postgresql"

    # when
    small, small_body = await _count(app, settings, 2)
    large, large_body = await _count(app, settings, 10)
    resolver_small, _ = await _count(resolver_app, settings, 2)
    resolver_large, resolver_body = await _count(resolver_app, settings, 10)

    # then: compiled, one statement; resolver path: page, count, projects page, projects
    # count, owner enterprises, demands page (no demand has a product: no products load)
    assert (small, large) == ((1, 1) if postgresql else (6, 6))
    assert (resolver_small, resolver_large) == (6, 6)
    assert large_body["data"] == resolver_body["data"]
    assert len(small_body["data"]["enterprises"]["edges"]) == 2
