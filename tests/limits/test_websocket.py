"""The limits over WebSocket (graphql-transport-ws), through uvicorn on a real socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenrong.core.config import Settings
from greenrong.schema.kit.persisted import sha256_hex
from tests.e2e.conftest import live_server  # noqa: F401  (the real app under uvicorn)
from tests.partners.wsclient import ws_client

ALLOWED = "query Allowed { __typename }"
COSTLY = "{ enterprises(first: 100) { edges { node { name } } } }"  # 201 points


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    allowlist = tmp_path / "allowlist.json"
    allowlist.write_text(json.dumps({"PUBLIC": [sha256_hex(COSTLY)]}), encoding="utf-8")
    return settings.model_copy(
        update={"max_query_cost": 100, "persisted_query_allowlist": str(allowlist)}
    )


async def test_the_allow_list_applies_over_websocket(live_server: str) -> None:  # noqa: F811
    async with ws_client(live_server) as client:
        assert await client.init() == {"type": "connection_ack"}

        # an ad-hoc operation (WebSocket messages carry no persisted-query hash) never runs
        await client.subscribe("1", ALLOWED, {})

        assert await client.receive() == {"id": "1", "type": "complete"}
