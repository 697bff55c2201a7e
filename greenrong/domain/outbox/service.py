"""Writing change events. Called by services, inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access.guard import audit
from greenrong.domain.kit.jsonable import jsonable
from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.models import ChangeEvent, Operation
from greenrong.domain.partners.models import FeedEntry


def entity_payload(row: Entity) -> dict[str, Any]:
    """The row's columns as JSON-safe values (Decimal and UUID as strings, times as ISO 8601)."""
    return {attr.key: jsonable(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs}


async def record_change(session: AsyncSession, row: Entity, operation: Operation) -> ChangeEvent:
    """Add one ChangeEvent for ``row``; it commits or rolls back with the change itself.

    Its unnumbered feed entry comes with it; the feed publisher numbers it after the commit.
    So does its audit entry (who, what, when: ``access.guard.audit``).
    """
    await session.flush()
    audit(session, row, operation)
    event = ChangeEvent(
        id=uuid.uuid4(),
        entity_type=row.entity_type,
        entity_id=row.id,
        operation=operation,
        entity_version=row.version,
        payload=entity_payload(row),
    )
    session.add(event)
    session.add(FeedEntry(event_id=event.id, entity_type=event.entity_type))
    return event
