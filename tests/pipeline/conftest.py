"""Fixtures of the pipeline tests: fast retry settings, a TCP proxy that can take the search
engine away, Redis, and a real `greenrong worker` subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from sqlalchemy import select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine
from greenrong.domain.outbox import repository
from greenrong.domain.outbox.models import ChangeEvent, DeadLetter
from greenrong.domain.partners import feed
from greenrong.domain.partners.models import FeedConsumer
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise

T = TypeVar("T")

#: retries and polls in tenths of seconds, so faults resolve within a test's patience
FAST = {
    "relay_poll_seconds": 0.2,
    "relay_lease_seconds": 2.0,
    "index_max_retries": 50,
    "index_min_backoff_seconds": 0.1,
    "index_max_backoff_seconds": 0.3,
    "search_timeout_seconds": 3.0,
}

CREATE_LISTING = """
mutation($input: CreateListingInput!) {
  createTechnologyListing(input: $input) {
    __typename
    ... on TechnologyListingSuccess { technologyListing { id title version } }
  }
}"""
UPDATE_LISTING = """
mutation($input: UpdateListingInput!) {
  updateTechnologyListing(input: $input) {
    __typename
    ... on TechnologyListingSuccess { technologyListing { id title version } }
  }
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update=FAST)


@pytest.fixture
async def owner_id(sessionmaker: SessionMaker) -> str:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    return to_global_id("Enterprise", enterprise.id)


def listing_input(owner_id: str, title: str) -> dict[str, Any]:
    return {
        "ownerEnterpriseId": owner_id,
        "title": title,
        "description": "适用于工业废水的膜生物反应器工艺",
        "domain": "WATER",
        "maturity": 7,
        "tradeMode": "LICENCE",
        "regionCode": "510104",
        "status": "PUBLISHED",
    }


async def create_listing(gql: Any, owner_id: str, title: str) -> dict[str, Any]:
    body = await gql(CREATE_LISTING, {"input": listing_input(owner_id, title)})
    payload = body["data"]["createTechnologyListing"]
    assert payload["__typename"] == "TechnologyListingSuccess", body
    listing: dict[str, Any] = payload["technologyListing"]
    return listing


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    *,
    seconds: float = 15.0,
    what: str | Callable[[], str] = "condition",
) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``seconds``, saying
    ``what`` was awaited (called then when it is a function, such as a worker's log)."""
    deadline = time.monotonic() + seconds
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            pytest.fail(f"timed out after {seconds} s waiting for {said}")
        await asyncio.sleep(0.05)


async def document(engine: SearchEngine, pk: uuid.UUID) -> dict[str, Any] | None:
    """The listing's document (``_version``, ``_source`` …), or None when it is not indexed."""
    response = await engine.client.get(
        index=engine.alias("listings"), id=str(pk), ignore=[404], params={"realtime": "true"}
    )
    return response if response.get("found") else None


async def pending(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        return await repository.pending_count(session)


async def settled(sessionmaker: SessionMaker) -> bool:
    """Whether every change is indexed, published, and handled by every feed consumer
    (alerts, identification suggestions), with no consumer run under way."""
    async with sessionmaker() as session:
        if await repository.pending_count(session) or await feed.has_unpublished(session):
            return False
        head = await feed.head(session)
        rows = (
            await session.execute(select(FeedConsumer.position, FeedConsumer.leased_until))
        ).all()
    return all(position == head and lease is None for position, lease in rows)


async def events_of(sessionmaker: SessionMaker, pk: uuid.UUID) -> list[ChangeEvent]:
    async with sessionmaker() as session:
        statement = (
            select(ChangeEvent).where(ChangeEvent.entity_id == pk).order_by(ChangeEvent.occurred_at)
        )
        return list(await session.scalars(statement))


async def dead_letters(sessionmaker: SessionMaker) -> list[DeadLetter]:
    async with sessionmaker() as session:
        return await repository.dead_letters(session)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class TcpProxy:
    """Forwards a loopback port to the search engine; ``stop()`` makes the engine unreachable
    (connection refused, open connections reset) and ``start()`` brings it back on the same port."""

    def __init__(self, target_url: str) -> None:
        host, _, port = target_url.removeprefix("http://").rstrip("/").partition(":")
        self.target = (host, int(port))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            self._writers.add(upstream_writer)
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in (writer, upstream_writer):
                if w is not None:
                    self._writers.discard(w)
                    w.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


@pytest.fixture
async def engine_proxy(osmem_url: str) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(osmem_url)
    await proxy.start()
    yield proxy
    await proxy.stop()


def test_redis_url() -> str:
    """GREENRONG_TEST_REDIS_URL (``make test`` starts a Redis). Without it: skipped for a
    developer's plain ``pytest``, a failure on CI (``CI`` set)."""
    url = os.environ.get("GREENRONG_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("GREENRONG_TEST_REDIS_URL is not set: start Redis (infra/local/redis)")
        pytest.skip("no Redis: set GREENRONG_TEST_REDIS_URL (infra/local/redis start DIR)")
    return url


test_redis_url.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture
def redis_url() -> str:
    """The test Redis, emptied."""
    url = test_redis_url()
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


class WorkerProcess:
    """A real `greenrong worker` subprocess."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRONG_")}
        env.update(
            {
                "GREENRONG_DATABASE_URL": settings.database_url,
                "GREENRONG_OPENSEARCH_URL": settings.opensearch_url,
                "GREENRONG_BROKER_URL": settings.broker_url,
                "GREENRONG_LOG_LEVEL": "INFO",
                **{f"GREENRONG_{k.upper()}": str(v) for k, v in FAST.items()},
            }
        )
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "greenrong.cli", "worker", "--threads", "2"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=log_path.parent,
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, in-flight work is lost."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        return self.process.returncode

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Settings], WorkerProcess]]:
    workers: list[WorkerProcess] = []

    def start(settings: Settings) -> WorkerProcess:
        worker = WorkerProcess(settings, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        with contextlib.suppress(Exception):
            worker.stop()
