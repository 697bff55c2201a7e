"""The alerts consumer apart from indexing: its own feed position, its failures its own. A
retryable failure leaves the position (the batch comes again) and re-runs no indexing; a
terminal one becomes a dead letter of the consumer, which ``events retry`` replays."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from sqlalchemy import select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.retry import is_retryable
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import repository
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.partners import consumers, feed
from greenrong.domain.partners.models import (
    FeedConsumer,
    ListingAlert,
    SavedSearch,
    SavedSearchStatus,
)
from greenrong.domain.technology.models import ListingStatus, TechnologyDomain
from greenrong.domain.technology.service import create_listing
from greenrong.workers.alerts import ALERTS
from greenrong.workers.consumers import run_once
from greenrong.workers.runtime import Runtime, open_runtime
from greenrong.workers.search import Failure, index_changes
from tests.factories.entities import create_enterprise
from tests.search.test_search_unavailable import closed_port


async def _given_an_indexed_matching_listing(
    sessionmaker: SessionMaker, runtime: Runtime
) -> tuple[uuid.UUID, uuid.UUID]:
    """A partner's saved search and a listing it matches, indexed and published in the
    feed; (saved search id, listing id)."""
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="清源环保")
        saved = SavedSearch(
            owner="sub:银行甲",
            owner_role="PARTNER",
            entity_type="TechnologyListing",
            name="膜技术",
            query="膜生物反应器",
            filter_input={},
            filters={"domain": ["WATER"]},
            status=SavedSearchStatus.ACTIVE,
            last_alert_seq=0,
        )
        session.add(saved)
        listing = await create_listing(
            session,
            values={
                "owner_enterprise_id": owner.id,
                "title": "膜生物反应器污水处理技术",
                "description": "适用于工业废水的膜生物反应器工艺",
                "domain": TechnologyDomain.WATER,
                "maturity": 7,
                "trade_mode": "LICENCE",
                "region_code": "510104",
                "status": ListingStatus.PUBLISHED,
            },
        )
    async with sessionmaker.begin() as session:
        await feed.publish(session, limit=100, now=utcnow())
    async with sessionmaker() as session:
        events = list(await session.scalars(select(ChangeEvent.id)))
    assert await index_changes(runtime, events) == []
    async with sessionmaker.begin() as session:
        await repository.mark_done(session, events, now=utcnow())
    return saved.id, listing.id


async def _alerts(sessionmaker: SessionMaker, saved: uuid.UUID) -> list[tuple[int, uuid.UUID]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(ListingAlert).where(ListingAlert.saved_search_id == saved)
        )
        return [(a.seq, a.listing_id) for a in sorted(rows, key=lambda a: a.seq)]


async def _consumer(sessionmaker: SessionMaker) -> tuple[int, bool, int]:
    """(alerts position, leased?, feed head)."""
    async with sessionmaker() as session:
        row = await session.get(FeedConsumer, "alerts")
        assert row is not None
        return row.position, row.leased_until is not None, await feed.head(session)


async def _letters(sessionmaker: SessionMaker) -> list[tuple[str, str, uuid.UUID, str]]:
    async with sessionmaker() as session:
        return [
            (d.consumer, d.entity_type, d.entity_id, d.error)
            for d in await repository.dead_letters(session)
        ]


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    opened = open_runtime(settings)
    yield opened
    await opened.close()


async def test_a_retryable_failure_leaves_the_position_and_reruns_no_indexing(
    settings: Settings, sessionmaker: SessionMaker, runtime: Runtime
) -> None:
    # given a matching listing, indexed (its event finished) and published
    saved, listing = await _given_an_indexed_matching_listing(sessionmaker, runtime)
    start, _, head = await _consumer(sessionmaker)
    assert (start, head) == (0, 1)

    # when the alerts consumer runs while the search engine is down
    dead = open_runtime(
        settings.model_copy(update={"opensearch_url": f"http://127.0.0.1:{closed_port()}"})
    )
    try:
        with pytest.raises(OpenSearchConnectionError) as raised:
            await run_once(dead, ALERTS)
    finally:
        await dead.close()

    # then the failure is retryable, the position and the indexing are untouched, no alert
    assert is_retryable(raised.value)
    assert await _consumer(sessionmaker) == (0, False, 1)
    async with sessionmaker() as session:
        assert await repository.pending_count(session) == 0
    assert await _alerts(sessionmaker, saved) == []
    assert await _letters(sessionmaker) == []

    # when it runs again with the engine back: the batch comes again and alerts once
    assert await run_once(runtime, ALERTS) == 1
    assert await _alerts(sessionmaker, saved) == [(1, listing)]
    assert await _consumer(sessionmaker) == (1, False, 1)
    # and a further run has nothing left to do
    assert await run_once(runtime, ALERTS) == 0
    assert await _alerts(sessionmaker, saved) == [(1, listing)]


async def test_a_run_while_another_holds_the_consumer_does_nothing(
    sessionmaker: SessionMaker, runtime: Runtime
) -> None:
    saved, _ = await _given_an_indexed_matching_listing(sessionmaker, runtime)
    now = utcnow()
    async with sessionmaker.begin() as session:
        held = await consumers.claim(session, "alerts", now=now, lease_until=now.replace(year=2099))
    assert held == 0

    assert await run_once(runtime, ALERTS) == 0
    assert await _consumer(sessionmaker) == (0, True, 1)
    assert await _alerts(sessionmaker, saved) == []


async def test_a_terminal_failure_becomes_a_dead_letter_that_retry_replays(
    sessionmaker: SessionMaker, runtime: Runtime
) -> None:
    # given a matching listing, published and indexed
    saved, listing = await _given_an_indexed_matching_listing(sessionmaker, runtime)

    # when the alerts handler fails for good on the batch
    async def broken(_: Runtime, ids: Sequence[uuid.UUID]) -> list[Failure]:
        raise ValueError("匹配失败")

    assert await run_once(runtime, dataclasses.replace(ALERTS, handle=broken)) == 1

    # then the listing is a dead letter of the alerts consumer (not dropped), and the
    # consumer moved on
    assert await _letters(sessionmaker) == [
        ("alerts", "TechnologyListing", listing, "ValueError: 匹配失败")
    ]
    assert await _consumer(sessionmaker) == (1, False, 1)
    assert await _alerts(sessionmaker, saved) == []

    # when the dead letter is retried (`greenrong events retry --all`)
    async with sessionmaker.begin() as session:
        assert len(await repository.requeue_dead_letters(session)) == 1
    async with sessionmaker() as session:
        assert await repository.pending_count(session) == 0  # indexing is not re-run
    assert await run_once(runtime, ALERTS) == 1

    # then the alert is raised and the dead letter is resolved
    assert await _alerts(sessionmaker, saved) == [(1, listing)]
    assert await _letters(sessionmaker) == []
    assert await _consumer(sessionmaker) == (1, False, 1)
