"""Live fan-out of "the feed moved": the publisher announces its last position, and every
subscription in every API process wakes up and reads the feed from its own cursor.

The announcement is only a hint. The feed table is the truth: a subscriber that misses one
(another process, a dropped connection to PostgreSQL or Redis) catches up at its next wake-up or
poll, and never misses an event, because it always reads ``position > its cursor``.

Transports, picked by ``open_transport``:
- Redis pub/sub on ``greenrong:feed`` when a broker URL is configured;
- PostgreSQL ``LISTEN``/``NOTIFY`` on ``greenrong_feed`` otherwise, on PostgreSQL;
- in-process only on SQLite (embedded mode: one API process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from greenrong.domain.outbox.signal import Wakeup

log = logging.getLogger(__name__)

PG_CHANNEL = "greenrong_feed"
REDIS_CHANNEL = "greenrong:feed"


class FeedHub:
    """This process's listeners (subscriptions, the webhook fan-out) of feed announcements."""

    def __init__(self) -> None:
        self._listeners: set[Wakeup] = set()
        self.head = 0
        _hubs.add(self)

    def listen(self) -> Wakeup:
        wakeup = Wakeup()
        self._listeners.add(wakeup)
        return wakeup

    def unlisten(self, wakeup: Wakeup) -> None:
        self._listeners.discard(wakeup)

    def announce(self, position: int) -> None:
        """The feed reached ``position`` (in this process or another)."""
        self.head = max(self.head, position)
        for wakeup in list(self._listeners):
            wakeup.set()


#: every hub of this process (an API process has one; tests may run several apps)
_hubs: weakref.WeakSet[FeedHub] = weakref.WeakSet()


def nudge_local_hubs() -> None:
    """Wake every listener of this process's hubs without moving the feed: something they
    watch besides the feed changed (a saved-search alert was stored by the worker)."""
    for hub in list(_hubs):
        hub.announce(hub.head)


class Transport(Protocol):
    """Carries announcements to the other processes (and back to this one)."""

    async def start(self, on_position: Callable[[int], None]) -> None: ...

    async def send(self, position: int) -> None: ...

    async def close(self) -> None: ...


class LocalTransport:
    """Embedded mode: one process, nothing to carry."""

    async def start(self, on_position: Callable[[int], None]) -> None:
        return None

    async def send(self, position: int) -> None:
        return None

    async def close(self) -> None:
        return None


def _parse(payload: Any) -> int | None:
    try:
        return int(payload)
    except (TypeError, ValueError):
        return None


class PostgresTransport:
    """``NOTIFY greenrong_feed, '<position>'`` and one ``LISTEN`` connection per process."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._listener: Any = None
        self._sender: Any = None
        self._lock = asyncio.Lock()

    async def start(self, on_position: Callable[[int], None]) -> None:
        import asyncpg

        def received(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
            position = _parse(payload)
            if position is not None:
                on_position(position)

        self._listener = await asyncpg.connect(self._dsn)
        await self._listener.add_listener(PG_CHANNEL, received)

    async def send(self, position: int) -> None:
        import asyncpg

        async with self._lock:
            if self._sender is None or self._sender.is_closed():
                self._sender = await asyncpg.connect(self._dsn)
            await self._sender.execute("SELECT pg_notify($1, $2)", PG_CHANNEL, str(position))

    async def close(self) -> None:
        for connection in (self._listener, self._sender):
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()


class RedisTransport:
    """``PUBLISH greenrong:feed <position>`` and one subscriber task per process."""

    def __init__(self, broker_url: str, timeout: float) -> None:
        import redis.asyncio

        self._client = redis.asyncio.Redis.from_url(
            broker_url, socket_connect_timeout=timeout, socket_timeout=None
        )
        self._sender = redis.asyncio.Redis.from_url(
            broker_url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self, on_position: Callable[[int], None]) -> None:
        pubsub = self._client.pubsub()
        await pubsub.subscribe(REDIS_CHANNEL)

        async def run() -> None:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        position = _parse(message.get("data"))
                        if position is not None:
                            on_position(position)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

        self._task = asyncio.create_task(run(), name="greenrong-feed-redis")

    async def send(self, position: int) -> None:
        await self._sender.publish(REDIS_CHANNEL, str(position))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._client.aclose()
        await self._sender.aclose()


def open_transport(database_url: str, broker_url: str, *, timeout: float) -> Transport:
    if broker_url:
        return RedisTransport(broker_url, timeout)
    if make_url(database_url).get_backend_name() == "postgresql":
        return PostgresTransport(database_url)
    return LocalTransport()
