"""Writing change events. Called by services, inside the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.models import ChangeEvent, Operation


def entity_payload(row: Entity) -> dict[str, Any]:
    """The row's columns as JSON-safe values (Decimal and UUID as strings, times as ISO 8601)."""
    return {
        attr.key: _json_safe(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


async def record_change(session: AsyncSession, row: Entity, operation: Operation) -> ChangeEvent:
    """Add one ChangeEvent for ``row``; it commits or rolls back with the change itself."""
    await session.flush()
    event = ChangeEvent(
        entity_type=row.entity_type,
        entity_id=row.id,
        operation=operation,
        entity_version=row.version,
        payload=entity_payload(row),
    )
    session.add(event)
    return event
