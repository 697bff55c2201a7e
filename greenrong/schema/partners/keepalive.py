"""Server keep-alive for graphql-transport-ws: strawberry answers a client's ``ping`` but sends
none of its own, so idle subscriptions die behind proxies that drop quiet connections. This
handler sends ``{"type": "ping"}`` every ``subscription_keepalive_seconds`` once the connection
is acknowledged (the protocol allows pings in both directions; clients answer ``pong``)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    _pinger: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pinger is None:
            self._pinger = asyncio.create_task(self._ping_forever())

    async def _ping_forever(self) -> None:
        interval = float(self.view.settings.subscription_keepalive_seconds)  # type: ignore[attr-defined]
        with contextlib.suppress(Exception):  # the socket closed: shutdown() ends us
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})

    async def shutdown(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinger
        await super().shutdown()
