"""Fixtures for the query limits: an app built with the limits a test asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from tests.factories.access import auth_headers

Body = dict[str, Any]
#: set while this test's own request runs, so background loops' SQL (relay, feed) is not counted
_IN_REQUEST: ContextVar[bool] = ContextVar("in_request", default=False)


class Limited:
    """A running app with its own settings, an HTTP client, and the SQL statements that its
    requests ran."""

    def __init__(self, app: Starlette, http: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http
        self.statements: list[str] = []
        engine = app.state.resources.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *args: Any) -> None:
        if _IN_REQUEST.get():
            self.statements.append(args[2])

    async def get(self, **params: str) -> httpx.Response:
        token = _IN_REQUEST.set(True)
        try:
            return await self.http.get("/graphql", params=params)
        finally:
            _IN_REQUEST.reset(token)

    async def post(self, query: str | None = None, **fields: Any) -> httpx.Response:
        payload: dict[str, Any] = dict(fields)
        if query is not None:
            payload["query"] = query
        token = _IN_REQUEST.set(True)
        try:
            return await self.http.post("/graphql", json=payload)
        finally:
            _IN_REQUEST.reset(token)

    async def gql(self, query: str | None = None, **fields: Any) -> Body:
        response = await self.post(query, **fields)
        assert response.status_code == 200, response.text
        body: Body = response.json()
        return body


LimitedApp = Callable[..., Any]


@pytest.fixture
def limited(settings: Settings) -> LimitedApp:
    """``async with limited(max_query_cost=100) as api:`` runs an app with those settings.

    Its client calls as an admin (a signed token: no SQL of its own), or with
    ``anonymous=True`` without credentials, from the IP 203.0.113.7.
    """

    @asynccontextmanager
    async def run(*, anonymous: bool = False, **overrides: Any) -> AsyncIterator[Limited]:
        # the outbox relay polls with SQL of its own: keep it quiet so statement counts are ours
        app = create_app(settings.model_copy(update={"relay_poll_seconds": 3600, **overrides}))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            headers = {} if anonymous else auth_headers(settings)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", headers=headers
            ) as http:
                yield Limited(app, http)

    return run


@pytest.fixture
async def api(limited: LimitedApp) -> AsyncIterator[Limited]:
    """The app with the default limits, called by an admin."""
    async with limited() as running:
        yield running


Runner = Callable[..., Awaitable[Body]]
