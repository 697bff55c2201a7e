"""Saved-search alerts in the embedded pipeline: the relay of the API process indexes each
changed listing, and the alerts consumer (its own feed position) matches the batch against
the saved searches in a scratch index, against the real search engine (osmem-server) and
database."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.partners.models import ListingAlert, SavedSearch, SavedSearchStatus
from greenrong.domain.technology.models import ListingStatus, TechnologyDomain, TechnologyListing
from greenrong.domain.technology.service import create_listing, update_listing
from greenrong.workers import alerts
from greenrong.workers.runtime import open_runtime
from greenrong.workers.search import index_changes
from tests.factories.entities import create_enterprise
from tests.partners.saved import PAUSE, RESUME, alerts_of, caller, matches_of, pk, save
from tests.pipeline.conftest import dead_letters, eventually, settled

WATER = {"domain": ["WATER"]}


def _values(owner_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    return {
        "owner_enterprise_id": owner_id,
        "title": "膜生物反应器污水处理技术",
        "description": "适用于工业废水的膜生物反应器工艺",
        "domain": TechnologyDomain.WATER,
        "maturity": 7,
        "trade_mode": "LICENCE",
        "region_code": "510104",
        "status": ListingStatus.PUBLISHED,
        **overrides,
    }


async def _create(sessionmaker: SessionMaker, owner_id: uuid.UUID, **overrides: Any) -> uuid.UUID:
    async with sessionmaker.begin() as session:
        row = await create_listing(session, values=_values(owner_id, **overrides))
    await _settled(sessionmaker)
    return row.id


async def _change(sessionmaker: SessionMaker, listing_id: uuid.UUID, **changes: Any) -> None:
    async with sessionmaker.begin() as session:
        row = await session.get(TechnologyListing, listing_id)
        assert row is not None
        await update_listing(session, id=row.id, version=row.version, changes=changes)
    await _settled(sessionmaker)


async def _settled(sessionmaker: SessionMaker) -> None:
    """Wait until the pipeline finished every event: indexed, and matched by the alerts
    consumer."""
    await eventually(lambda: settled(sessionmaker), what="the pipeline to finish the events")


@pytest.fixture
async def owner(sessionmaker: SessionMaker) -> uuid.UUID:
    async with sessionmaker.begin() as session:
        return (await create_enterprise(session, name="清源环保")).id


async def test_create_alerts_once_and_only_a_new_match_alerts_again(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    # given a partner's saved search for water-treatment membranes
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    saved = await save(partner, "膜生物反应器", WATER)

    # when a matching listing is created
    listing = await _create(sessionmaker, owner)
    # then exactly one alert, for version 1
    assert await alerts_of(sessionmaker, saved) == [(1, listing, 1)]

    # when it changes but still matches: no second alert
    await _change(sessionmaker, listing, description="膜生物反应器工艺，出水达到一级A标准")
    assert await alerts_of(sessionmaker, saved) == [(1, listing, 1)]

    # when it changes so that it no longer matches: no alert, and it leaves the match set
    await _change(sessionmaker, listing, domain=TechnologyDomain.AIR)
    assert await alerts_of(sessionmaker, saved) == [(1, listing, 1)]
    assert await matches_of(sessionmaker, saved) == set()

    # when it changes so that it matches again: it newly matches, so a second alert
    await _change(sessionmaker, listing, domain=TechnologyDomain.WATER)
    assert await alerts_of(sessionmaker, saved) == [(1, listing, 1), (2, listing, 4)]
    assert await matches_of(sessionmaker, saved) == {listing}


async def test_a_redelivered_batch_raises_no_duplicate_alert(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    # given a listing that alerted once
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    saved = await save(partner, "膜生物反应器", WATER)
    listing = await _create(sessionmaker, owner)
    assert await alerts_of(sessionmaker, saved) == [(1, listing, 1)]
    async with sessionmaker() as session:
        event_ids = list(
            await session.scalars(select(ChangeEvent.id).where(ChangeEvent.entity_id == listing))
        )
    assert len(event_ids) == 1

    # when the same change batch is indexed and matched again, twice (at least once upstream)
    runtime = open_runtime(settings)
    try:
        for _ in range(2):
            assert await index_changes(runtime, event_ids) == []
            assert await alerts.match_listings(runtime, [listing]) == []
    finally:
        await runtime.close()

    # then there is still one alert
    assert await alerts_of(sessionmaker, saved) == [(1, listing, 1)]


async def test_listings_that_do_not_match_raise_nothing(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    saved = await save(partner, "膜生物反应器", WATER)
    # the text matches but the domain does not; the domain matches but the text does not
    await _create(sessionmaker, owner, domain=TechnologyDomain.AIR)
    await _create(
        sessionmaker, owner, title="光伏组件回收技术", description="晶硅光伏组件的拆解与回收"
    )
    assert await alerts_of(sessionmaker, saved) == []
    assert await matches_of(sessionmaker, saved) == set()


async def test_no_alert_on_a_listing_the_owner_may_not_see(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    # given an enterprise's saved search (it sees published listings and its own drafts)
    async with sessionmaker.begin() as session:
        mine = (await create_enterprise(session, name="蓝天水务")).id
    enterprise = caller(client, settings, Role.ENTERPRISE, subject="企业乙", org_id=mine)
    saved = await save(enterprise, "膜生物反应器")

    # when another enterprise's matching draft is created, and then the owner's own draft
    await _create(sessionmaker, owner, status=ListingStatus.DRAFT)
    own_draft = await _create(sessionmaker, mine, status=ListingStatus.DRAFT)

    # then only the owner's own draft alerts
    assert await alerts_of(sessionmaker, saved) == [(1, own_draft, 1)]


async def test_a_paused_search_does_not_alert_until_resumed(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    saved = await save(partner, "膜生物反应器", WATER)
    paused = await partner(PAUSE, {"id": saved})
    assert paused["data"]["pauseSavedSearch"]["savedSearch"]["status"] == "PAUSED"

    await _create(sessionmaker, owner)
    assert await alerts_of(sessionmaker, saved) == []

    resumed = await partner(RESUME, {"id": saved})
    assert resumed["data"]["resumeSavedSearch"]["savedSearch"]["status"] == "ACTIVE"
    later = await _create(sessionmaker, owner, title="膜生物反应器中水回用技术")
    assert await alerts_of(sessionmaker, saved) == [(1, later, 1)]


async def test_saved_searches_are_matched_in_chunks_with_the_same_result(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    # given five saved searches, three of which match the listing
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    matching = [
        await save(partner, "膜生物反应器"),
        await save(partner, None, WATER),
        await save(partner, "污水处理", {"maturity": {"min": 7}}),
    ]
    await save(partner, "光伏组件")
    await save(partner, "膜生物反应器", {"domain": ["AIR"]})
    listing = await _create(sessionmaker, owner)

    # when the batch is matched one msearch per two saved searches, and per two hundred
    runtime = open_runtime(settings)
    try:
        small, _ = await alerts.current_matches(runtime, [listing], chunk=2)
        large, _ = await alerts.current_matches(runtime, [listing], chunk=200)
    finally:
        await runtime.close()

    # then every saved search was run, and the same three match
    assert small == large
    assert len(small) == 5
    assert {s for s, found in small.items() if found == {listing}} == {pk(s) for s in matching}
    for saved in matching:
        assert await alerts_of(sessionmaker, saved) == [(1, listing, 1)]


async def test_a_saved_search_that_cannot_be_built_does_not_stop_indexing_or_other_alerts(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    # given a stored search whose filter the index no longer knows, and a good one
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    good = await save(partner, "膜生物反应器", WATER)
    async with sessionmaker.begin() as session:
        broken = SavedSearch(
            owner="sub:银行乙",
            owner_role="PARTNER",
            entity_type="TechnologyListing",
            name="",
            query="膜生物反应器",
            filter_input={},
            filters={"no_such_filter": ["x"]},
            status=SavedSearchStatus.ACTIVE,
            last_alert_seq=0,
        )
        session.add(broken)
    # when a matching listing is created
    listing = await _create(sessionmaker, owner)
    # then it is indexed and the good search alerts; the broken one is skipped
    assert await alerts_of(sessionmaker, good) == [(1, listing, 1)]
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(ListingAlert.saved_search_id == broken.id)
        )
    assert count == 0
    assert await dead_letters(sessionmaker) == []


async def test_a_scratch_index_left_by_a_dead_run_is_swept_and_a_live_one_is_not(
    settings: Settings, sessionmaker: SessionMaker, owner: uuid.UUID
) -> None:
    # given a scratch index a run made and never dropped (its process died mid-run)
    runtime = open_runtime(settings)
    try:
        pattern = f"{runtime.search.prefix}-{alerts.SCRATCH}-*"
        left = await alerts.open_scratch(runtime)

        # when a sweep runs while it may still be in use, it stays
        now = utcnow()
        assert await alerts.sweep_scratch(runtime, now=now + timedelta(minutes=30)) == []
        assert list(await runtime.search.client.indices.get(index=pattern)) == [left]

        # and once it is older than a run can last, it goes, and nothing else does
        before = set(await runtime.search.client.indices.get(index="*"))
        assert await alerts.sweep_scratch(runtime, now=now + timedelta(hours=2)) == [left]
        after = set(await runtime.search.client.indices.get(index="*"))
        assert before - after == {left}
        assert (
            await runtime.search.client.indices.get(
                index=pattern, allow_no_indices=True, ignore_unavailable=True
            )
            == {}
        )

        # and a matching run leaves no scratch index behind
        async with sessionmaker.begin() as session:
            row = await create_listing(session, values=_values(owner))
        await alerts.current_matches(runtime, [row.id])
        assert runtime.scratch_swept
        assert (
            await runtime.search.client.indices.get(
                index=pattern, allow_no_indices=True, ignore_unavailable=True
            )
            == {}
        )
    finally:
        await runtime.close()
