"""Claiming: relays running at once never hand over the same event twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from greenrong.core.db import SessionMaker
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import repository
from greenrong.domain.outbox.models import ChangeEvent, Operation
from tests.conftest import BACKEND


async def add_events(sessionmaker: SessionMaker, count: int) -> set[uuid.UUID]:
    async with sessionmaker.begin() as session:
        events = [
            ChangeEvent(
                entity_type="TechnologyListing",
                entity_id=uuid.uuid4(),
                operation=Operation.CREATE,
                entity_version=1,
                payload={},
            )
            for _ in range(count)
        ]
        session.add_all(events)
    return {e.id for e in events}


async def claim(sessionmaker: SessionMaker, limit: int) -> list[uuid.UUID]:
    now = utcnow()
    async with sessionmaker.begin() as session:
        claimed = await repository.claim_pending(
            session, limit=limit, now=now, lease_until=now + timedelta(minutes=5)
        )
    return [c.id for c in claimed]


async def test_concurrent_relays_claim_every_event_exactly_once(sessionmaker) -> None:
    # given
    ids = await add_events(sessionmaker, 60)

    # when four relays claim batches of 7 at the same time until nothing is left
    async def relay() -> list[uuid.UUID]:
        taken: list[uuid.UUID] = []
        while batch := await claim(sessionmaker, 7):
            taken += batch
        return taken

    results = await asyncio.gather(*(relay() for _ in range(4)))

    # then
    every = [id for taken in results for id in taken]
    assert len(every) == 60
    assert set(every) == ids
    assert await claim(sessionmaker, 100) == []  # all leased


@pytest.mark.skipif(BACKEND != "postgresql", reason="FOR UPDATE SKIP LOCKED is PostgreSQL's")
async def test_a_relay_skips_rows_another_relay_has_locked(sessionmaker) -> None:
    # given
    ids = await add_events(sessionmaker, 20)
    now = utcnow()
    lease = now + timedelta(minutes=5)

    # when relay A has claimed 10 and not committed yet, relay B claims
    async with sessionmaker() as a, sessionmaker() as b, a.begin():
        first = await repository.claim_pending(a, limit=10, now=now, lease_until=lease)
        async with b.begin():
            second = await asyncio.wait_for(
                repository.claim_pending(b, limit=10, now=now, lease_until=lease), 5
            )

    # then B did not wait for A and took the other ten
    assert len(first) == len(second) == 10
    assert {c.id for c in first} | {c.id for c in second} == ids
    assert not {c.id for c in first} & {c.id for c in second}
