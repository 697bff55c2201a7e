"""What a handler needs: settings, a sessionmaker, the search engine and the outbound clients
(the webhook HTTP client, the live transport), opened once per process (or per event loop)
and closed with it.

In an API process the runtime borrows the app's engine and search client (one pool per
process) and closes only its own clients; ``greenrong worker`` opens its own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.partners.live import Transport, open_transport

log = logging.getLogger(__name__)

#: the pool of a worker process (``greenrong worker``), which serves no requests
WORKER_POOL_SIZE = 2


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR), made once:
    reading the CA bundle takes about 50 ms, and every client would read it again."""
    return httpx.create_ssl_context()


def open_http(settings: Settings) -> httpx.AsyncClient:
    """The webhook HTTP client: no redirects followed (a 3xx is a failure), explicit timeout."""
    return httpx.AsyncClient(
        verify=_tls(),
        follow_redirects=False,
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        headers={"user-agent": "greenrong-webhooks/1", "content-type": "application/json"},
    )


@dataclass
class Runtime:
    settings: Settings
    #: the system principal's sessionmaker (workers are trusted code: access.guard)
    sessionmaker: SessionMaker
    #: a plain sessionmaker on the same engine (the feed and webhook loops)
    plain_sessionmaker: SessionMaker
    search: SearchEngine
    engine: AsyncEngine
    #: the webhook HTTP client, one per runtime (never one per message)
    http: httpx.AsyncClient
    #: whether this runtime has checked that every index exists (see ``search.ensure_indices``)
    indices_ready: bool = field(default=False)
    #: whether this runtime has swept stale alerts scratch indices (``alerts.sweep_scratch``)
    scratch_swept: bool = field(default=False)
    #: whether ``close()`` also closes ``search`` and disposes ``engine`` (not when borrowed)
    owns_search: bool = field(default=True)
    owns_engine: bool = field(default=True)
    _transport: Transport | None = field(default=None)

    def transport(self) -> Transport:
        """The live transport that announces new alerts to other processes (opened once)."""
        if self._transport is None:
            settings = self.settings
            self._transport = open_transport(
                settings.effective_database_url,
                settings.broker_url,
                timeout=settings.broker_timeout_seconds,
            )
        return self._transport

    async def close(self) -> None:
        await self.http.aclose()
        if self._transport is not None:
            await self._transport.close()
        if self.owns_search:
            await self.search.close()
        if self.owns_engine:
            await self.engine.dispose()


def open_runtime(
    settings: Settings, *, search: SearchEngine | None = None, engine: AsyncEngine | None = None
) -> Runtime:
    """A runtime; ``engine`` and ``search`` are borrowed when given (an API process lends its
    own), else opened here and closed with the runtime."""
    own_engine = engine or create_engine(
        settings.effective_database_url,
        pool_size=WORKER_POOL_SIZE,
        max_overflow=WORKER_POOL_SIZE,
        echo=settings.db_echo,
    )
    plain = create_sessionmaker(own_engine)
    return Runtime(
        settings=settings,
        sessionmaker=system_sessionmaker(plain),
        plain_sessionmaker=plain,
        search=search or open_search(settings),
        engine=own_engine,
        http=open_http(settings),
        owns_search=search is None,
        owns_engine=engine is None,
    )


async def after_ready(ready: asyncio.Event | None, work: Callable[[], Awaitable[None]]) -> None:
    """Run ``work`` once ``ready`` is set (at once without one): a loop that needs the search
    indices waits for the rebuild a serving process runs in the background."""
    if ready is not None:
        await ready.wait()
    await work()


async def poll_until(
    probe: Callable[[], Awaitable[int]],
    target: int,
    *,
    give_up_after: float,
    interval: float = 0.5,
    progress: Callable[[int], object] = lambda step: None,
) -> bool:
    """Wait for work another process does: every ``interval`` seconds ``probe`` counts what is
    done, until it reaches ``target``; ``progress`` gets each step's increase. False when
    ``give_up_after`` seconds pass first (the CLI following its jobs in ``greenrong worker``)."""
    deadline = time.monotonic() + give_up_after
    done = 0
    while done < target:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval)
        now = await probe()
        progress(now - done)
        done = now
    return True
