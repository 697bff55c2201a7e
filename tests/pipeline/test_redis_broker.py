"""The pipeline on dramatiq's Redis broker: the API enqueues, a `greenrong worker` indexes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine
from greenrong.schema.kit.ids import from_global_id
from tests.factories.access import auth_headers
from tests.pipeline.conftest import (
    TcpProxy,
    WorkerProcess,
    create_listing,
    dead_letters,
    document,
    events_of,
    eventually,
    pending,
    test_redis_url,
)

Gql = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[Starlette, Gql]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://t",
            headers=auth_headers(settings),
        ) as http,
    ):

        async def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        yield app, gql


async def _no_pending(sessionmaker: SessionMaker) -> bool:
    return await pending(sessionmaker) == 0


async def test_a_mutation_becomes_searchable_through_a_worker(
    settings: Settings, redis_url: str, start_worker, owner_id, sessionmaker
) -> None:
    # given the API on the Redis broker and a separate worker process
    settings = settings.model_copy(update={"broker_url": redis_url})
    worker: WorkerProcess = start_worker(settings)
    async with serving(settings) as (app, gql):
        # when
        listing = await create_listing(gql, owner_id, "工业园区分布式光伏发电")

        # then the worker indexed it and finished its event
        pk = from_global_id(listing["id"])[1]
        await eventually(lambda: _no_pending(sessionmaker), seconds=90, what=worker.output)
        engine: SearchEngine = app.state.resources.search
        doc = await document(engine, pk)
        assert doc is not None
        assert (doc["_version"], doc["_source"]["title"]) == (1, "工业园区分布式光伏发电")
    assert worker.stop() == 0, worker.output()


async def test_a_worker_killed_mid_batch_is_redelivered(
    settings: Settings,
    redis_url: str,
    start_worker,
    engine_proxy: TcpProxy,
    owner_id,
    sessionmaker,
) -> None:
    # given the API and a worker that reach the engine through a proxy we can cut
    settings = settings.model_copy(
        update={"broker_url": redis_url, "opensearch_url": engine_proxy.url}
    )
    first = start_worker(settings)
    async with serving(settings) as (app, gql):
        # when the worker is busy retrying a batch (the engine is away) and is SIGKILLed
        await engine_proxy.stop()
        listing = await create_listing(gql, owner_id, "秸秆综合利用技术")
        pk = from_global_id(listing["id"])[1]
        failed = "Failed to process message search.index_changes"

        async def first_worker_failed() -> bool:
            return failed in first.output()

        await eventually(first_worker_failed, seconds=90, what="the first worker's failed attempt")
        first.kill()
        [event] = await events_of(sessionmaker, pk)
        assert event.dispatched_at is None

        # then, with the engine back and a new worker, the events are delivered again
        await engine_proxy.start()
        second = start_worker(settings)
        await eventually(lambda: _no_pending(sessionmaker), seconds=90, what="redelivery")
        doc = await document(app.state.resources.search, pk)
        assert doc is not None
        assert (doc["_version"], doc["_source"]["title"]) == (1, "秸秆综合利用技术")
        assert await dead_letters(sessionmaker) == []
    assert second.stop() == 0, second.output()
    # the first worker was retrying the batch when it died
    assert failed in first.output(), first.output()


def test_without_redis_a_developer_run_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule of the ``redis_url`` fixture, checked on its own terms."""
    monkeypatch.delenv("GREENRONG_TEST_REDIS_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Redis"):
        test_redis_url()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="GREENRONG_TEST_REDIS_URL is not set"):
        test_redis_url()
