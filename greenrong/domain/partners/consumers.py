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

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.outbox.models import ChangeEvent, DeadLetter
from greenrong.domain.partners import feed
from greenrong.domain.partners.models import FeedConsumer, FeedEntry


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
    position = await session.scalar(
        update(FeedConsumer)
        .where(
            FeedConsumer.name == name,
            or_(FeedConsumer.leased_until.is_(None), FeedConsumer.leased_until < now),
        )
        .values(leased_until=lease_until)
        .returning(FeedConsumer.position)
    )
    return None if position is None else int(position)


async def position(session: AsyncSession, name: str) -> int:
    """The consumer's position (a cheap read, no lock); RuntimeError if it was never set up."""
    found = await session.scalar(select(FeedConsumer.position).where(FeedConsumer.name == name))
    if found is None:
        raise RuntimeError(f"feed consumer {name!r} is missing (run `greenrong migrate`)")
    return int(found)


async def pending(
    session: AsyncSession, name: str, *, entity_type: str, after: int, limit: int
) -> Batch:
    """Up to ``limit`` published events of ``entity_type`` after ``after``; the batch ends at
    the feed's head when there are fewer (events of other types are passed over with it)."""
    head = await feed.head(session)
    rows = (
        await session.execute(
            select(FeedEntry.position, ChangeEvent)
            .join(ChangeEvent, ChangeEvent.id == FeedEntry.event_id)
            .where(
                FeedEntry.entity_type == entity_type,
                FeedEntry.position > after,
                FeedEntry.position <= head,
            )
            .order_by(FeedEntry.position)
            .limit(limit)
        )
    ).all()
    upto = head if len(rows) < limit else int(rows[-1][0])
    requeued = await session.scalars(
        select(DeadLetter.entity_id)
        .where(
            DeadLetter.consumer == name,
            DeadLetter.entity_type == entity_type,
            DeadLetter.requeued_at.is_not(None),
        )
        .order_by(DeadLetter.requeued_at, DeadLetter.id)
        .limit(limit)
    )
    return Batch(after, max(upto, after), [event for _, event in rows], list(requeued))


async def finish(session: AsyncSession, name: str, *, after: int, upto: int) -> bool:
    """Move the position from ``after`` to ``upto`` and end the lease; False (nothing moved)
    when the consumer is no longer where this run found it."""
    moved = await session.scalar(
        update(FeedConsumer)
        .where(FeedConsumer.name == name, FeedConsumer.position == after)
        .values(position=upto, leased_until=None)
        .returning(FeedConsumer.name)
    )
    return moved is not None


async def release(session: AsyncSession, name: str, *, after: int) -> None:
    """End this run's lease without moving (a retryable failure: the batch comes again)."""
    await session.execute(
        update(FeedConsumer)
        .where(FeedConsumer.name == name, FeedConsumer.position == after)
        .values(leased_until=None)
    )


async def behind(session: AsyncSession, names: Sequence[str]) -> list[str]:
    """Which of these consumers have published events left to handle (or requeued ones)."""
    head = await feed.head(session)
    rows = await session.execute(
        select(FeedConsumer.name, FeedConsumer.position).where(FeedConsumer.name.in_(list(names)))
    )
    late = {name for name, at in rows.all() if at < head}
    requeued = await session.scalars(
        select(DeadLetter.consumer)
        .where(DeadLetter.consumer.in_(list(names)), DeadLetter.requeued_at.is_not(None))
        .distinct()
    )
    return sorted(late | set(requeued))
