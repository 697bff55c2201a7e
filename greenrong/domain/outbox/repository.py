"""All SQL of the outbox: claiming events for the relay, finishing them, dead letters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox.models import INDEXING, ChangeEvent, DeadLetter


@dataclass(frozen=True)
class Claimed:
    """An event a relay has just handed over, and how often that has happened so far."""

    id: uuid.UUID
    attempts: int


async def claim_pending(
    session: AsyncSession, *, limit: int, now: datetime, lease_until: datetime
) -> list[Claimed]:
    """Take up to ``limit`` unfinished events whose lease is free, oldest first, and lease them.

    PostgreSQL: the rows are picked with ``FOR UPDATE SKIP LOCKED``, so relays running at the
    same time each take different events and never wait for one another. SQLite has a single
    writer: the one ``UPDATE`` statement holds the write lock while it picks, which gives the
    same guarantee. The caller commits.
    """
    pending = (
        select(ChangeEvent.id)
        .where(
            ChangeEvent.dispatched_at.is_(None),
            (ChangeEvent.claimed_until.is_(None)) | (ChangeEvent.claimed_until <= now),
        )
        .order_by(ChangeEvent.occurred_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True)
    result = await session.execute(
        update(ChangeEvent)
        .where(ChangeEvent.id.in_(pending.scalar_subquery()))
        .values(claimed_until=lease_until, attempts=ChangeEvent.attempts + 1)
        .returning(ChangeEvent.id, ChangeEvent.attempts)
        .execution_options(synchronize_session=False)
    )
    return [Claimed(id, attempts) for id, attempts in result.all()]


async def release(session: AsyncSession, ids: Sequence[uuid.UUID], *, retry_at: datetime) -> None:
    """Give unfinished events back, to be claimed again from ``retry_at`` on (a backoff)."""
    await session.execute(
        update(ChangeEvent)
        .where(ChangeEvent.id.in_(list(ids)), ChangeEvent.dispatched_at.is_(None))
        .values(claimed_until=retry_at)
        .execution_options(synchronize_session=False)
    )


async def events_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ChangeEvent]:
    """The events of ``ids`` that exist, finished or not, oldest first."""
    statement = (
        select(ChangeEvent).where(ChangeEvent.id.in_(list(ids))).order_by(ChangeEvent.occurred_at)
    )
    return list(await session.scalars(statement))


async def mark_done(session: AsyncSession, ids: Sequence[uuid.UUID], *, now: datetime) -> None:
    """Finish events (handled, or dead-lettered); finished ones stay as they are."""
    await session.execute(
        update(ChangeEvent)
        .where(ChangeEvent.id.in_(list(ids)), ChangeEvent.dispatched_at.is_(None))
        .values(dispatched_at=now, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


async def pending_count(session: AsyncSession) -> int:
    """Events whose handler has not succeeded yet."""
    statement = select(func.count()).where(ChangeEvent.dispatched_at.is_(None))
    return int(await session.scalar(statement) or 0)


async def record_dead_letter(
    session: AsyncSession,
    *,
    entity_type: str,
    entity_id: uuid.UUID,
    event_ids: Sequence[uuid.UUID],
    error: str,
    now: datetime,
    consumer: str = INDEXING,
) -> DeadLetter:
    """Record a terminal failure of ``consumer``; a second one for the same entity is merged
    into the first (and is no longer requeued)."""
    letter = await session.scalar(
        select(DeadLetter).where(
            DeadLetter.consumer == consumer,
            DeadLetter.entity_type == entity_type,
            DeadLetter.entity_id == entity_id,
        )
    )
    ids = [str(i) for i in event_ids]
    if letter is None:
        letter = DeadLetter(
            consumer=consumer,
            entity_type=entity_type,
            entity_id=entity_id,
            event_ids=ids,
            error=error,
            attempts=1,
            first_failed_at=now,
            last_failed_at=now,
        )
        session.add(letter)
    else:
        letter.event_ids = [*letter.event_ids, *(i for i in ids if i not in letter.event_ids)]
        letter.error = error
        letter.attempts += 1
        letter.last_failed_at = now
        letter.requeued_at = None
    await session.flush()
    return letter


async def dead_letters(
    session: AsyncSession, ids: Sequence[uuid.UUID] | None = None
) -> list[DeadLetter]:
    """Every dead letter (or those of ``ids``), oldest failure first."""
    statement = select(DeadLetter).order_by(DeadLetter.first_failed_at, DeadLetter.id)
    if ids is not None:
        statement = statement.where(DeadLetter.id.in_(list(ids)))
    return list(await session.scalars(statement))


async def resolve_dead_letters(
    session: AsyncSession,
    entity_type: str,
    entity_ids: Sequence[uuid.UUID],
    *,
    consumer: str = INDEXING,
) -> None:
    """Remove ``consumer``'s dead letters of entities it has now handled."""
    if entity_ids:
        await session.execute(
            delete(DeadLetter)
            .where(
                DeadLetter.consumer == consumer,
                DeadLetter.entity_type == entity_type,
                DeadLetter.entity_id.in_(list(entity_ids)),
            )
            .execution_options(synchronize_session=False)
        )


async def requeue_dead_letters(
    session: AsyncSession, ids: Sequence[uuid.UUID] | None = None, *, now: datetime | None = None
) -> list[DeadLetter]:
    """Replay these dead letters (or all): indexing's by making their events unfinished
    again, so a relay hands them over anew; a feed consumer's by marking them requeued, so
    its next run takes their entities. A dead letter stays until its entity went through."""
    letters = await dead_letters(session, ids)
    for letter in letters:
        if letter.consumer != INDEXING:
            letter.requeued_at = now or utcnow()
    event_ids = [
        uuid.UUID(i) for letter in letters if letter.consumer == INDEXING for i in letter.event_ids
    ]
    if event_ids:
        await session.execute(
            update(ChangeEvent)
            .where(ChangeEvent.id.in_(event_ids))
            .values(dispatched_at=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
    return letters
