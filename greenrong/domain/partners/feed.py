"""The change feed: gap-free, commit-ordered positions for change events, and reading them.

Why not a sequence: a PostgreSQL sequence (or an autoincrement id) is taken when a row is
*inserted*, but rows become visible when their transaction *commits*, and transactions commit
in any order. A reader that saw position 7 could later find a 6 that committed after it, and
``after: 7`` would skip it for good.

So positions are handed out after the commit, by one publisher at a time:

1. ``record_change`` writes the event with an unnumbered ``FeedEntry`` (``position`` NULL) in the
   change's own transaction.
2. ``publish`` locks the single ``feed_counter`` row (``UPDATE … RETURNING``: a row lock on
   PostgreSQL, the write lock on SQLite), reads the unnumbered entries *committed so far*,
   numbers them ``last + 1 …`` in ``(occurred_at, id)`` order, moves the counter and commits.
   The next publisher waits for the lock, so it starts after this commit and sees it.
3. Each publish commits its positions at once, and publishes commit in position order, so
   every reader's snapshot holds a prefix ``1 … n`` of the feed: ``position > after`` never
   skips anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.kit.jsonable import pack_cursor, unpack_cursor
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.partners import repository

_CURSOR_TAG = "feed"


@dataclass(frozen=True)
class FeedItem:
    """One published event and its position."""

    position: int
    event: ChangeEvent

    @property
    def cursor(self) -> str:
        return encode_cursor(self.position)


def encode_cursor(position: int) -> str:
    """The opaque cursor of a feed position."""
    return pack_cursor([_CURSOR_TAG, position])


def decode_cursor(cursor: str | None, *, argument: str = "after") -> int:
    """The position of a feed cursor (0, the start, for None); INVALID_CURSOR otherwise."""
    if cursor is None:
        return 0
    problem = ValidationFailed.one(argument, ErrorCode.INVALID_CURSOR, "not a change feed cursor")
    try:
        tag, position = unpack_cursor(cursor)
    except (ValueError, TypeError) as exc:
        raise problem from exc
    if tag != _CURSOR_TAG or type(position) is not int or not 0 <= position < 2**63:
        raise problem  # (a position is a BIGINT)
    return position


async def publish(session: AsyncSession, *, limit: int, now: datetime) -> tuple[int, int]:
    """Number up to ``limit`` committed, unnumbered events. Returns ``(first, last)``
    positions given out (``first > last`` when there was nothing to publish).

    Hold no other lock while calling this; the caller commits right after.
    """
    last = await repository.lock_feed_counter(session)
    if last is None:
        raise RuntimeError("the feed_counter row is missing (run `greenrong migrate`)")
    pending = await repository.unnumbered_events(session, limit=limit)
    if not pending:
        return last + 1, last
    await repository.number_events(session, pending, first=last + 1, now=now)
    return last + 1, last + len(pending)


async def has_unpublished(session: AsyncSession) -> bool:
    """Whether any committed event waits for a position (a cheap read, no lock)."""
    return await repository.has_unnumbered(session)


async def head(session: AsyncSession) -> int:
    """The last published position (0 when nothing was published)."""
    return await repository.feed_head(session)


async def unpublished_count(session: AsyncSession) -> int:
    """Committed events that have no position yet."""
    return await repository.unnumbered_count(session)


async def read(
    session: AsyncSession,
    *,
    after: int,
    limit: int,
    entity_types: Sequence[str] | None = None,
) -> list[FeedItem]:
    """Published events after position ``after``, in position order, at most ``limit``."""
    rows = await repository.feed_rows(session, after=after, limit=limit, entity_types=entity_types)
    return [FeedItem(position, event) for position, event in rows]
