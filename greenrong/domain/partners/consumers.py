"""Feed consumers: each keeps its own position in the change feed (``feed_consumer``).

A run of a consumer ``claim``s it (a lease on its row, so two runs never work at once), reads
the events of its entity type after its position (``pending``), handles them, and ``finish``es:
the position moves to the end of the batch and the lease ends, provided nobody took the
consumer over meanwhile (a run that outlived its lease). Handlers are idempotent, so a batch
handled twice (a run that died before ``finish``) has no further effect.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.partners import feed, repository


@dataclass(frozen=True)
class Batch:
    """The events of one run: positions ``after + 1 … upto`` of the feed, those of the
    consumer's entity type, and the entities its requeued dead letters ask to replay."""

    after: int
    upto: int
    events: list[ChangeEvent]
    requeued: list[uuid.UUID]

    @property
    def entity_ids(self) -> list[uuid.UUID]:
        return sorted({e.entity_id for e in self.events} | set(self.requeued))

    def events_of(self, entity_id: uuid.UUID) -> list[uuid.UUID]:
        return [e.id for e in self.events if e.entity_id == entity_id]


async def claim(
    session: AsyncSession, name: str, *, now: datetime, lease_until: datetime
) -> int | None:
    """Lease the consumer; its position, or None while another run holds it."""
    return await repository.lease_consumer(session, name, now=now, lease_until=lease_until)


async def position(session: AsyncSession, name: str) -> int:
    """The consumer's position (a cheap read, no lock); RuntimeError if it was never set up."""
    found = await repository.consumer_position(session, name)
    if found is None:
        raise RuntimeError(f"feed consumer {name!r} is missing (run `greenrong migrate`)")
    return found


async def pending(
    session: AsyncSession, name: str, *, entity_type: str, after: int, limit: int
) -> Batch:
    """Up to ``limit`` published events of ``entity_type`` after ``after``; the batch ends at
    the feed's head when there are fewer (events of other types are passed over with it)."""
    head = await feed.head(session)
    rows = await repository.events_of_type(
        session, entity_type, after=after, upto=head, limit=limit
    )
    upto = head if len(rows) < limit else rows[-1][0]
    requeued = await repository.requeued_entities(session, name, entity_type, limit=limit)
    return Batch(after, max(upto, after), [event for _, event in rows], requeued)


async def finish(session: AsyncSession, name: str, *, after: int, upto: int) -> bool:
    """Move the position from ``after`` to ``upto`` and end the lease; False (nothing moved)
    when the consumer is no longer where this run found it."""
    return await repository.move_consumer(session, name, after=after, upto=upto)


async def release(session: AsyncSession, name: str, *, after: int) -> None:
    """End this run's lease without moving (a retryable failure: the batch comes again)."""
    await repository.move_consumer(session, name, after=after, upto=None)


async def behind(session: AsyncSession, names: Sequence[str]) -> list[str]:
    """Which of these consumers have published events left to handle (or requeued ones)."""
    head = await feed.head(session)
    positions = await repository.consumer_positions(session, names)
    late = {name for name, at in positions.items() if at < head}
    return sorted(late | await repository.consumers_with_requeued(session, names))
