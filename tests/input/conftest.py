"""Helpers for the input-edge tests: operations posted as raw JSON (a lone surrogate travels
as the ``\\ud800`` escape a client sends), and the row counts that show nothing changed."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import greenrong.domain.seed  # noqa: F401 - every model registered on the metadata
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.models import Base
from tests.factories.access import auth_headers

Body = dict[str, Any]
Send = Callable[..., Awaitable[Body]]
ADMIN = Role.ADMIN
ANONYMOUS = None


@pytest.fixture
def send(client: httpx.AsyncClient, settings: Settings) -> Send:
    """``await send(query, variables, role=Role.ADMIN)`` (``role=None``: anonymous): the JSON
    body of a 200 answer."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, *, role: Role | None = Role.ADMIN
    ) -> Body:
        request = client.build_request(
            "POST",
            "/graphql",
            content=json.dumps({"query": query, "variables": variables or {}}),
            headers={"content-type": "application/json"},
        )
        request.headers.pop("authorization", None)
        if role is not None:
            request.headers.update(auth_headers(settings, role))
        response = await client.send(request)
        assert response.status_code == 200, response.text
        body: Body = response.json()
        return body

    return run


async def row_counts(sessionmaker: SessionMaker) -> dict[str, int]:
    """Rows of every table (outbox and audit included)."""
    counts: dict[str, int] = {}
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = int(
                await session.scalar(select(func.count()).select_from(table)) or 0
            )
    return counts


def refused(body: Body, code: str, field: str, message: str) -> None:
    """The operation was refused whole, with one typed error."""
    assert body["data"] is None, body
    assert [
        (e["extensions"]["code"], e["extensions"]["field"], e["message"]) for e in body["errors"]
    ] == [(code, field, f"{field}: {message}")]
