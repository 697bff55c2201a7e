"""The partners context's SQL: the change feed's counter, entries and consumers, webhook
endpoints, deliveries and attempts, saved searches with their matches and alerts, and the
export's pages. The rules that use them live in ``feed.py``, ``consumers.py``, ``webhooks.py``,
``saved_searches.py`` and ``export.py``.

The feed counter and the fan-out row are single rows locked by a no-op ``UPDATE … RETURNING``
(a row lock on PostgreSQL, the write lock on SQLite): whoever holds it numbers events, or fans
them out, and the next one waits for its commit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.models import ChangeEvent, DeadLetter
from greenrong.domain.partners.models import (
    DeliveryStatus,
    EndpointStatus,
    FeedConsumer,
    FeedCounter,
    FeedEntry,
    ListingAlert,
    SavedSearch,
    SavedSearchMatch,
    SavedSearchStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
)
from greenrong.domain.technology.models import TechnologyListing

#: the feed counter's row, and the fan-out position's
COUNTER_ID = 1
FANOUT_ID = 1
#: rows per multi-row statement (``IN`` lists, ``INSERT … VALUES``)
CHUNK = 500


def _chunks(items: Sequence[uuid.UUID], size: int = CHUNK) -> list[list[uuid.UUID]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


# --- the change feed ---------------------------------------------------------------------------


async def lock_feed_counter(session: AsyncSession) -> int | None:
    """Lock the feed counter row and read its last position (None when the row is missing)."""
    last: int | None = await session.scalar(
        update(FeedCounter)
        .where(FeedCounter.id == COUNTER_ID)
        .values(last_position=FeedCounter.last_position)
        .returning(FeedCounter.last_position)
    )
    return last


async def unnumbered_events(session: AsyncSession, *, limit: int) -> list[uuid.UUID]:
    """Up to ``limit`` committed events without a position, in ``(occurred_at, id)`` order."""
    rows = await session.scalars(
        select(FeedEntry.event_id)
        .join(ChangeEvent, ChangeEvent.id == FeedEntry.event_id)
        .where(FeedEntry.position.is_(None))
        .order_by(ChangeEvent.occurred_at, ChangeEvent.id)
        .limit(limit)
    )
    return list(rows.all())


async def number_events(
    session: AsyncSession, event_ids: Sequence[uuid.UUID], *, first: int, now: datetime
) -> None:
    """Give the events positions ``first …`` in order, and move the counter to the last."""
    await session.execute(
        update(FeedEntry),
        [
            {"event_id": event_id, "position": first + n, "published_at": now}
            for n, event_id in enumerate(event_ids)
        ],
    )
    await session.execute(
        update(FeedCounter)
        .where(FeedCounter.id == COUNTER_ID)
        .values(last_position=first + len(event_ids) - 1)
    )


async def has_unnumbered(session: AsyncSession) -> bool:
    found = await session.scalar(
        select(FeedEntry.event_id).where(FeedEntry.position.is_(None)).limit(1)
    )
    return found is not None


async def feed_head(session: AsyncSession) -> int:
    last = await session.scalar(
        select(FeedCounter.last_position).where(FeedCounter.id == COUNTER_ID)
    )
    return int(last or 0)


async def unnumbered_count(session: AsyncSession) -> int:
    statement = select(func.count()).where(FeedEntry.position.is_(None))
    return int(await session.scalar(statement) or 0)


async def feed_rows(
    session: AsyncSession, *, after: int, limit: int, entity_types: Sequence[str] | None
) -> list[tuple[int, ChangeEvent]]:
    """Published ``(position, event)`` after position ``after``, in position order."""
    statement = (
        select(FeedEntry.position, ChangeEvent)
        .join(ChangeEvent, ChangeEvent.id == FeedEntry.event_id)
        .where(FeedEntry.position > after)
        .order_by(FeedEntry.position)
        .limit(limit)
    )
    if entity_types:
        statement = statement.where(FeedEntry.entity_type.in_(list(entity_types)))
    return [(int(position), event) for position, event in (await session.execute(statement)).all()]


# --- webhook endpoints ---------------------------------------------------------------------------


async def endpoints(session: AsyncSession, *, owner: str | None) -> list[WebhookEndpoint]:
    """Every endpoint (``owner`` None) or the owner's, oldest first."""
    statement = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    if owner is not None:
        statement = statement.where(WebhookEndpoint.owner == owner)
    return list(await session.scalars(statement))


async def enabled_endpoints(
    session: AsyncSession,
    *,
    ids: Sequence[uuid.UUID] | None = None,
    owners: Sequence[str] | None = None,
) -> list[WebhookEndpoint]:
    """Enabled endpoints, all of them or those among ``ids`` or of ``owners``."""
    statement = select(WebhookEndpoint).where(WebhookEndpoint.status == EndpointStatus.ENABLED)
    if ids is not None:
        statement = statement.where(WebhookEndpoint.id.in_(list(ids)))
    if owners is not None:
        statement = statement.where(WebhookEndpoint.owner.in_(list(owners)))
    return list(await session.scalars(statement))


async def enabled_endpoints_owned_by_keys_or_ending(
    session: AsyncSession, *, key_prefix: str, now: datetime
) -> list[WebhookEndpoint]:
    """Enabled endpoints an API key owns, or whose owner's token has ended by ``now``."""
    rows = await session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.status == EndpointStatus.ENABLED,
            or_(WebhookEndpoint.owner.startswith(key_prefix), WebhookEndpoint.owner_until <= now),
        )
    )
    return list(rows)


async def set_endpoints_status(
    session: AsyncSession,
    endpoint_ids: Sequence[uuid.UUID],
    status: EndpointStatus,
    *,
    reason: str | None,
) -> None:
    """Enable or disable endpoints (with the reason a disabled one shows)."""
    if endpoint_ids:
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id.in_(list(endpoint_ids)))
            .values(status=status, disabled_reason=reason)
            .execution_options(synchronize_session=False)
        )


# --- webhook deliveries ------------------------------------------------------------------------


async def fail_pending_deliveries(
    session: AsyncSession, endpoint_ids: Sequence[uuid.UUID], *, now: datetime
) -> None:
    """Fail the endpoints' pending deliveries unsent."""
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id.in_(list(endpoint_ids)),
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.FAILED, finished_at=now, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


async def lock_fanout(session: AsyncSession) -> int | None:
    """Lock the fan-out row and read the last position fanned out (None when missing)."""
    last: int | None = await session.scalar(
        update(WebhookFanout)
        .where(WebhookFanout.id == FANOUT_ID)
        .values(last_position=WebhookFanout.last_position)
        .returning(WebhookFanout.last_position)
    )
    return last


async def move_fanout(session: AsyncSession, position: int) -> None:
    await session.execute(
        update(WebhookFanout).where(WebhookFanout.id == FANOUT_ID).values(last_position=position)
    )


async def fanout_position(session: AsyncSession) -> int:
    done = await session.scalar(
        select(WebhookFanout.last_position).where(WebhookFanout.id == FANOUT_ID)
    )
    return int(done or 0)


async def lease_due_deliveries(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[uuid.UUID]:
    """Move up to ``limit`` due pending deliveries' next attempt to ``lease_until``, oldest
    first. On PostgreSQL the rows another sender is leasing are skipped (``SKIP LOCKED``)."""
    due = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.position)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=lease_until)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars().all())


async def next_due_at(session: AsyncSession) -> datetime | None:
    due: datetime | None = await session.scalar(
        select(WebhookDelivery.next_attempt_at)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(1)
    )
    return due


async def listing_visible(
    session: AsyncSession, listing_id: uuid.UUID, scope: ColumnElement[bool] | None
) -> bool:
    """Whether the listing exists within ``scope`` (a row rule; None for every row)."""
    statement = select(TechnologyListing.id).where(TechnologyListing.id == listing_id)
    if scope is not None:
        statement = statement.where(scope)
    return await session.scalar(statement) is not None


async def latest_deliveries(
    session: AsyncSession, endpoint_id: uuid.UUID, *, limit: int
) -> list[WebhookDelivery]:
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.position.desc(), WebhookDelivery.id)
        .limit(limit)
    )
    return list(rows)


async def attempts_of(
    session: AsyncSession, delivery_ids: Sequence[uuid.UUID]
) -> list[WebhookAttempt]:
    """The deliveries' attempts, oldest first."""
    rows = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(list(delivery_ids)))
        .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
    )
    return list(rows)


# --- saved searches ------------------------------------------------------------------------------


async def delete_saved_search(session: AsyncSession, row: SavedSearch) -> None:
    """Delete a saved search with its matches, alerts and their webhook deliveries."""
    alert_ids = select(ListingAlert.id).where(ListingAlert.saved_search_id == row.id)
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.alert_id.in_(alert_ids)))
    await session.execute(delete(ListingAlert).where(ListingAlert.saved_search_id == row.id))
    await session.execute(
        delete(SavedSearchMatch).where(SavedSearchMatch.saved_search_id == row.id)
    )
    await session.delete(row)


async def saved_searches_of(
    session: AsyncSession, owner: str, *, before: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[SavedSearch]:
    """The owner's saved searches, newest first, those before ``(created_at, id)``."""
    statement = select(SavedSearch).where(SavedSearch.owner == owner)
    if before is not None:
        created_at, id = before
        statement = statement.where(
            or_(
                SavedSearch.created_at < created_at,
                and_(SavedSearch.created_at == created_at, SavedSearch.id < id),
            )
        )
    statement = statement.order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
    return list(await session.scalars(statement.limit(limit)))


async def saved_search_count(session: AsyncSession, owner: str) -> int:
    statement = select(func.count()).select_from(SavedSearch).where(SavedSearch.owner == owner)
    return int(await session.scalar(statement) or 0)


async def alert_counts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Alerts raised per saved search (those with none left out), in one statement."""
    statement = (
        select(ListingAlert.saved_search_id, func.count())
        .where(ListingAlert.saved_search_id.in_(list(ids)))
        .group_by(ListingAlert.saved_search_id)
    )
    return {sid: int(n) for sid, n in (await session.execute(statement)).all()}


async def alerts_after(
    session: AsyncSession, saved_search_id: uuid.UUID, *, after: int, limit: int
) -> list[ListingAlert]:
    statement = (
        select(ListingAlert)
        .where(ListingAlert.saved_search_id == saved_search_id, ListingAlert.seq > after)
        .order_by(ListingAlert.seq)
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def active_saved_searches(
    session: AsyncSession, entity_type: str, *, after_id: uuid.UUID | None, limit: int
) -> list[SavedSearch]:
    statement = select(SavedSearch).where(
        SavedSearch.status == SavedSearchStatus.ACTIVE, SavedSearch.entity_type == entity_type
    )
    if after_id is not None:
        statement = statement.where(SavedSearch.id > after_id)
    return list(await session.scalars(statement.order_by(SavedSearch.id).limit(limit)))


async def lock_saved_searches(session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
    """Lock the saved searches, in the order given: a no-op UPDATE takes row locks on
    PostgreSQL and the write lock on SQLite."""
    for chunk in _chunks(ids):
        await session.execute(
            update(SavedSearch)
            .where(SavedSearch.id.in_(chunk))
            .values(last_alert_seq=SavedSearch.last_alert_seq, updated_at=SavedSearch.updated_at)
            .execution_options(synchronize_session=False)
        )


async def matches_among(
    session: AsyncSession, search_ids: Sequence[uuid.UUID], listing_ids: Sequence[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """The ``(saved search, listing)`` pairs of the match sets among those."""
    found: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for chunk in _chunks(search_ids):
        rows = await session.execute(
            select(SavedSearchMatch.saved_search_id, SavedSearchMatch.listing_id).where(
                SavedSearchMatch.saved_search_id.in_(chunk),
                SavedSearchMatch.listing_id.in_(list(listing_ids)),
            )
        )
        found.update((s, listing) for s, listing in rows.all())
    return found


async def delete_match(
    session: AsyncSession, saved_search_id: uuid.UUID, listing_id: uuid.UUID
) -> None:
    await session.execute(
        delete(SavedSearchMatch).where(
            SavedSearchMatch.saved_search_id == saved_search_id,
            SavedSearchMatch.listing_id == listing_id,
        )
    )


async def listing_versions(
    session: AsyncSession, listing_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(TechnologyListing.id, TechnologyListing.version).where(
            TechnologyListing.id.in_(list(listing_ids))
        )
    )
    return {i: int(v) for i, v in rows.all()}


async def last_alert_seqs(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    found: dict[uuid.UUID, int] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(SavedSearch.id, SavedSearch.last_alert_seq).where(SavedSearch.id.in_(chunk))
        )
        found.update((i, int(seq)) for i, seq in rows.all())
    return found


async def set_last_alert_seqs(
    session: AsyncSession, numbered: Mapping[uuid.UUID, int], *, now: datetime
) -> None:
    for chunk in _chunks(sorted(numbered)):
        await session.execute(
            update(SavedSearch)
            .where(SavedSearch.id.in_(chunk))
            .values(
                last_alert_seq=case({s: numbered[s] for s in chunk}, value=SavedSearch.id),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )


async def saved_search_owners(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(SavedSearch.id, SavedSearch.owner).where(SavedSearch.id.in_(list(ids)))
    )
    return {i: o for i, o in rows.all()}


async def insert_rows(
    session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert many rows as multi-row ``INSERT … VALUES`` statements of 500 rows (no ORM
    objects, and no driver ``executemany``: asyncpg's stalled on tens of thousands of rows)."""
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model).values(list(rows[start : start + CHUNK])))


# --- feed consumers ------------------------------------------------------------------------------


async def lease_consumer(
    session: AsyncSession, name: str, *, now: datetime, lease_until: datetime
) -> int | None:
    """Lease the consumer unless another run holds it; its position, or None."""
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


async def consumer_position(session: AsyncSession, name: str) -> int | None:
    found = await session.scalar(select(FeedConsumer.position).where(FeedConsumer.name == name))
    return None if found is None else int(found)


async def consumer_positions(session: AsyncSession, names: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(
        select(FeedConsumer.name, FeedConsumer.position).where(FeedConsumer.name.in_(list(names)))
    )
    return {name: int(at) for name, at in rows.all()}


async def move_consumer(session: AsyncSession, name: str, *, after: int, upto: int | None) -> bool:
    """End the lease of the consumer at position ``after``, moving it to ``upto`` (None: stay);
    False when the consumer is no longer at ``after``."""
    values: dict[str, Any] = {"leased_until": None}
    if upto is not None:
        values["position"] = upto
    moved = await session.scalar(
        update(FeedConsumer)
        .where(FeedConsumer.name == name, FeedConsumer.position == after)
        .values(**values)
        .returning(FeedConsumer.name)
    )
    return moved is not None


async def events_of_type(
    session: AsyncSession, entity_type: str, *, after: int, upto: int, limit: int
) -> list[tuple[int, ChangeEvent]]:
    """Published ``(position, event)`` of ``entity_type`` in ``after + 1 … upto``."""
    rows = await session.execute(
        select(FeedEntry.position, ChangeEvent)
        .join(ChangeEvent, ChangeEvent.id == FeedEntry.event_id)
        .where(
            FeedEntry.entity_type == entity_type,
            FeedEntry.position > after,
            FeedEntry.position <= upto,
        )
        .order_by(FeedEntry.position)
        .limit(limit)
    )
    return [(int(position), event) for position, event in rows.all()]


async def requeued_entities(
    session: AsyncSession, consumer: str, entity_type: str, *, limit: int
) -> list[uuid.UUID]:
    """The entities of the consumer's requeued dead letters, oldest requeue first."""
    rows = await session.scalars(
        select(DeadLetter.entity_id)
        .where(
            DeadLetter.consumer == consumer,
            DeadLetter.entity_type == entity_type,
            DeadLetter.requeued_at.is_not(None),
        )
        .order_by(DeadLetter.requeued_at, DeadLetter.id)
        .limit(limit)
    )
    return list(rows)


async def consumers_with_requeued(session: AsyncSession, names: Sequence[str]) -> set[str]:
    rows = await session.scalars(
        select(DeadLetter.consumer)
        .where(DeadLetter.consumer.in_(list(names)), DeadLetter.requeued_at.is_not(None))
        .distinct()
    )
    return set(rows)


# --- the export ----------------------------------------------------------------------------------


def export_statement(model: type[Entity], *, changed_after: int | None) -> Select[Any]:
    """Every row of ``model`` in id order, or those with a feed event after that position."""
    statement = select(model).order_by(model.id)
    if changed_after is not None:
        changed = (
            select(ChangeEvent.entity_id)
            .join(FeedEntry, FeedEntry.event_id == ChangeEvent.id)
            .where(FeedEntry.position > changed_after, FeedEntry.entity_type == model.entity_type)
        )
        statement = statement.where(model.id.in_(changed))
    return statement


async def count_rows(session: AsyncSession, statement: Select[Any]) -> int:
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    return int(total or 0)


async def stream_rows(
    session: AsyncSession, statement: Select[Any], *, batch: int
) -> AsyncIterator[Entity]:
    """The statement's rows, fetched ``batch`` at a time (a server-side cursor on PostgreSQL),
    each expunged from the session once the caller moves on, so memory stays flat."""
    result = await session.stream_scalars(statement.execution_options(yield_per=batch))
    async for row in result:
        yield row
        session.expunge(row)
