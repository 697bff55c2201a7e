"""The pipeline in embedded mode: the relay in the API process runs the indexing handler."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import repository
from greenrong.domain.technology.service import create_listing as create_listing_row
from greenrong.schema.kit.ids import from_global_id
from greenrong.workers.runtime import open_runtime
from greenrong.workers.search import index_changes
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise
from tests.pipeline.conftest import (
    UPDATE_LISTING,
    TcpProxy,
    create_listing,
    dead_letters,
    document,
    events_of,
    eventually,
    pending,
)


def search_of(app) -> SearchEngine:
    engine: SearchEngine = app.state.resources.search
    return engine


async def test_a_mutation_becomes_searchable(app, gql, owner_id, sessionmaker) -> None:
    # when
    listing = await create_listing(gql, owner_id, "膜生物反应器污水处理技术")

    # then the document appears, and the event is finished
    pk = from_global_id(listing["id"])[1]
    doc = await eventually(lambda: document(search_of(app), pk), what="the document")
    assert (doc["_version"], doc["_source"]["title"]) == (1, "膜生物反应器污水处理技术")
    hits = await search_of(app).client.search(
        index=search_of(app).alias("listings"), body={"query": {"match": {"title": "污水处理"}}}
    )
    assert [h["_id"] for h in hits["hits"]["hits"]] == [str(pk)]
    await eventually(lambda: _no_pending(sessionmaker), what="the event to finish")
    [event] = await events_of(sessionmaker, pk)
    assert event.dispatched_at is not None
    assert (event.attempts, event.claimed_until) == (1, None)
    assert await pending(sessionmaker) == 0


async def test_engine_down_loses_nothing(
    settings: Settings, engine_proxy: TcpProxy, owner_id, sessionmaker
) -> None:
    import httpx

    # given an app whose search engine is reachable only through a proxy we can cut
    app = create_app(settings.model_copy(update={"opensearch_url": engine_proxy.url}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://t",
            headers=auth_headers(settings),
        ) as http,
    ):

        async def gql(query, variables):
            response = await http.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200
            return response.json()

        # when the engine goes away, mutations still succeed and their events stay pending
        await engine_proxy.stop()
        created = await create_listing(gql, owner_id, "旧标题")
        body = await gql(
            UPDATE_LISTING,
            {"input": {"id": created["id"], "version": 1, "title": "光伏组件回收技术"}},
        )
        assert body["data"]["updateTechnologyListing"]["technologyListing"]["version"] == 2
        pk = from_global_id(created["id"])[1]

        async def retried() -> list | None:
            # several retries fail meanwhile; how soon the second comes depends on the
            # machine's load, so wait for it instead of sleeping a fixed time
            events = await events_of(sessionmaker, pk)
            return events if all(e.attempts >= 2 for e in events) else None

        events = await eventually(retried, what="each event's second failed attempt")
        assert [e.dispatched_at for e in events] == [None, None]

        # and once it is back, the index catches up with both events
        await engine_proxy.start()
        await eventually(lambda: _no_pending(sessionmaker), what="no pending events")
        doc = await document(search_of(app), pk)
        assert doc is not None
        assert (doc["_version"], doc["_source"]["title"]) == (2, "光伏组件回收技术")
        assert await dead_letters(sessionmaker) == []


async def _no_pending(sessionmaker: SessionMaker) -> bool:
    return await pending(sessionmaker) == 0


# timing: the lease is 1.5 s and the test checks after 0.6 s that nobody took the events over;
# under load the wait can outlast the lease
@pytest.mark.timing
async def test_a_relay_that_died_after_claiming_is_taken_over(
    app, gql, owner_id, settings: Settings, sessionmaker
) -> None:
    # given a running pipeline ...
    await create_listing(gql, owner_id, "预热")
    await eventually(lambda: _no_pending(sessionmaker), what="the first event")
    # ... and an event claimed by a relay that died before handing it over
    now = utcnow()
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        row = await create_listing_row(session, values=_listing_values(owner.id))
        await session.flush()
        claimed = await repository.claim_pending(
            session, limit=100, now=now, lease_until=now + timedelta(seconds=1.5)
        )
    assert len(claimed) == 1

    # then nobody takes them while the lease holds
    await asyncio.sleep(0.6)
    assert await document(search_of(app), row.id) is None
    assert await pending(sessionmaker) == 1

    # and once it ran out, a live relay hands it over again and the index converges
    await eventually(lambda: _no_pending(sessionmaker), what="the event to finish")
    doc = await document(search_of(app), row.id)
    assert doc is not None
    assert doc["_version"] == 1
    [event] = await events_of(sessionmaker, row.id)
    assert event.dispatched_at is not None
    assert event.attempts == 2


def _listing_values(owner_id: uuid.UUID) -> dict[str, object]:
    from decimal import Decimal

    from greenrong.domain.technology.models import ListingStatus, TechnologyDomain, TradeMode

    return {
        "owner_enterprise_id": owner_id,
        "title": "余热回收发电技术",
        "description": "",
        "domain": TechnologyDomain.WATER,
        "maturity": 6,
        "trade_mode": TradeMode.LICENCE,
        "asking_price": Decimal("800000.00"),
        "region_code": "510104",
        "status": ListingStatus.PUBLISHED,
    }


async def test_the_same_event_twice_has_no_visible_effect(
    app, gql, owner_id, settings: Settings, sessionmaker
) -> None:
    # given an indexed listing
    listing = await create_listing(gql, owner_id, "生物质气化技术")
    pk = from_global_id(listing["id"])[1]
    before = await eventually(lambda: document(search_of(app), pk), what="the document")
    await eventually(lambda: _no_pending(sessionmaker), what="the event to finish")
    [event] = await events_of(sessionmaker, pk)

    # when its event is delivered twice more
    runtime = open_runtime(settings, search=search_of(app))
    try:
        first = await index_changes(runtime, [event.id])
        second = await index_changes(runtime, [event.id])
    finally:
        await runtime.close()

    # then the document was not written again
    after = await document(search_of(app), pk)
    assert (first, second) == ([], [])
    assert after is not None
    assert (after["_version"], after["_seq_no"], after["_source"]) == (
        before["_version"],
        before["_seq_no"],
        before["_source"],
    )
    [again] = await events_of(sessionmaker, pk)
    assert again.dispatched_at == event.dispatched_at
