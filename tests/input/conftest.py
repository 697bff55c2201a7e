"""Helpers for the input-edge tests: operations posted as raw JSON, so that a lone surrogate
travels as the ``\\ud800`` escape a client would send."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from greenrong.core.config import Settings
from tests.factories.access import auth_headers

Body = dict[str, Any]
Send = Callable[..., Awaitable[Body]]


@pytest.fixture
def send(client: httpx.AsyncClient, settings: Settings) -> Send:
    """``await send(query, variables, anonymous=False)``: the JSON body (HTTP status 200)."""

    async def run(query: str, variables: dict[str, Any] | None = None, *, anonymous: bool = False) -> Body:
        headers = {"content-type": "application/json"}
        if not anonymous:
            headers.update(auth_headers(settings))
        request = client.build_request(
            "POST",
            "/graphql",
            content=json.dumps({"query": query, "variables": variables or {}}),
            headers=headers,
        )
        if anonymous:
            request.headers.pop("authorization", None)
        response = await client.send(request)
        assert response.status_code == 200, response.text
        body: Body = response.json()
        return body

    return run
