"""The cost limit over WebSocket (graphql-transport-ws), through uvicorn on a real socket."""

from __future__ import annotations

import pytest

from greenrong.core.config import Settings
from tests.e2e.conftest import live_server  # noqa: F401  (the real app under uvicorn)
from tests.partners.wsclient import ws_client

COSTLY = "{ enterprises(first: 100) { edges { node { name } } } }"  # 201 points


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_query_cost": 100})


async def test_a_too_costly_operation_is_refused_over_websocket(
    live_server: str,  # noqa: F811
) -> None:
    async with ws_client(live_server) as client:
        assert await client.init() == {"type": "connection_ack"}

        await client.subscribe("1", COSTLY, {})

        assert await client.receive() == {
            "id": "1",
            "type": "error",
            "payload": [
                {
                    "message": "This query costs 201 points; the most one request may cost is "
                    "100. Ask for smaller pages (first/last) or fewer nested lists.",
                    "extensions": {"code": "QUERY_TOO_COSTLY", "cost": 201, "maximumCost": 100},
                }
            ],
        }
