"""Reading the audit log: one entity's entries, oldest first, in keyset pages."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.access import repository
from greenrong.domain.access.models import AuditEntry


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    cursors: list[str]
    has_next: bool


def encode_cursor(entry: AuditEntry) -> str:
    raw = json.dumps([entry.occurred_at.isoformat(), str(entry.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The time and id of an audit cursor. Clients can write one, so its values are checked
    as input: two strings, a datetime with an offset inside the calendar and a UUID."""
    problem = ValidationFailed.one(
        "after", ErrorCode.INVALID_CURSOR, "not a cursor of the audit log"
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, id = json.loads(base64.urlsafe_b64decode(padded))
        if not (isinstance(when, str) and isinstance(id, str)):
            raise problem
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            raise problem
        return moment.astimezone(UTC), uuid.UUID(id)
    except (ValueError, TypeError, ArithmeticError) as error:
        raise problem from error


async def entries_of(
    session: AsyncSession, entity_id: uuid.UUID, *, first: int, after: str | None
) -> AuditPage:
    start = None if after is None else decode_cursor(after)
    rows = await repository.audit_entries(session, entity_id, after=start, limit=first + 1)
    page = rows[:first]
    return AuditPage(page, [encode_cursor(r) for r in page], len(rows) > first)


async def count_of(session: AsyncSession, entity_id: uuid.UUID) -> int:
    return await repository.audit_count(session, entity_id)
