"""A small graphql-transport-ws client over a real socket (``websockets``), for the tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class Client:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.pings = 0

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, wait: float = 10.0) -> dict[str, Any]:
        """The next message that is not a server ping (pings are answered and counted)."""
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.socket.recv(), wait))
            if message["type"] == "ping":
                self.pings += 1
                await self.send({"type": "pong"})
                continue
            return message

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(self, id: str, query: str, variables: dict[str, Any]) -> None:
        await self.send(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def next_data(self, id: str, wait: float = 10.0) -> dict[str, Any]:
        message = await self.receive(wait)
        assert message["type"] == "next", message
        assert message["id"] == id, message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data


@asynccontextmanager
async def ws_client(base_url: str) -> AsyncIterator[Client]:
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        assert socket.subprotocol == PROTOCOL
        yield Client(socket)
