"""The access context's SQL: API keys, the audit trail, and a row read under a row rule. The
rules that use them are in ``keys.py``, ``audit.py`` and ``guard.py``; the policy itself is
compiled to SQL conditions by ``predicates.py``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access.models import ApiKey, AuditEntry
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.models import Entity

E = TypeVar("E", bound=Entity)


async def row_within(
    session: AsyncSession, model: type[E], id: uuid.UUID, condition: ColumnElement[bool]
) -> E | None:
    """The row ``id`` of ``model`` if it meets ``condition`` (a row rule), else None."""
    row: E | None = await session.scalar(select(model).where(model.id == id, condition))
    return row


# --- the audit trail -----------------------------------------------------------------------------


async def audit_entries(
    session: AsyncSession,
    entity_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[AuditEntry]:
    """The entity's audit entries after ``(occurred_at, id)``, oldest first."""
    statement = select(AuditEntry).where(AuditEntry.entity_id == entity_id)
    if after is not None:
        when, id = after
        statement = statement.where(
            or_(
                AuditEntry.occurred_at > when,
                and_(AuditEntry.occurred_at == when, AuditEntry.id > id),
            )
        )
    statement = statement.order_by(AuditEntry.occurred_at, AuditEntry.id).limit(limit)
    return list((await session.scalars(statement)).all())


async def audit_count(session: AsyncSession, entity_id: uuid.UUID) -> int:
    statement = select(func.count()).where(AuditEntry.entity_id == entity_id)
    return int((await session.execute(statement)).scalar_one())


# --- API keys ------------------------------------------------------------------------------------


async def all_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.scalars(select(ApiKey).order_by(ApiKey.created_at))).all())


async def has_live_admin_key(session: AsyncSession) -> bool:
    """Whether an admin key that was not revoked exists."""
    existing = await session.scalar(
        select(ApiKey.id).where(ApiKey.role == Role.ADMIN, ApiKey.revoked_at.is_(None)).limit(1)
    )
    return existing is not None


async def key_state(
    session: AsyncSession, key_id: uuid.UUID
) -> Row[tuple[datetime | None, datetime | None]] | None:
    """The key's ``(revoked_at, expires_at)`` (one primary-key read); None when unknown."""
    return (
        await session.execute(
            select(ApiKey.revoked_at, ApiKey.expires_at).where(ApiKey.id == key_id)
        )
    ).one_or_none()


async def live_keys(
    session: AsyncSession, key_ids: Sequence[uuid.UUID], *, now: datetime
) -> list[ApiKey]:
    """Those keys that are neither revoked nor expired at ``now``."""
    rows = await session.scalars(
        select(ApiKey).where(
            ApiKey.id.in_(list(key_ids)),
            ApiKey.revoked_at.is_(None),
            or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
        )
    )
    return list(rows)


async def key_by_hash(session: AsyncSession, secret_hash: str) -> ApiKey | None:
    row: ApiKey | None = await session.scalar(
        select(ApiKey).where(ApiKey.secret_hash == secret_hash)
    )
    return row


async def mark_key_used(
    session: AsyncSession, key_id: uuid.UUID, *, now: datetime, resolution: timedelta
) -> None:
    """Set the key's ``last_used_at`` to ``now`` unless it was set within ``resolution``: a
    conditional UPDATE, so concurrent requests of one key write once per ``resolution``."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - resolution),
        )
        .values(last_used_at=now)
    )
