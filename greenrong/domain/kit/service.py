"""Create and update for every entity: validation hook, optimistic locking, outbox write.

Services flush; the edge (one GraphQL mutation, one actor run) commits. Both check the
caller's write permission first (``access.guard.check_write``, a no-op outside a request).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from greenrong.core.errors import NotFound, StaleVersion
from greenrong.domain.access.guard import check_write
from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.models import Operation
from greenrong.domain.outbox.service import record_change

M = TypeVar("M", bound=Entity)

#: checks a complete set of values (for an update: the row's values with the changes applied)
Validator = Callable[[AsyncSession, Mapping[str, Any]], Any]


def current_values(row: Entity) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


async def get_or_raise(session: AsyncSession, model: type[M], id: uuid.UUID) -> M:
    row = await session.get(model, id)
    if row is None:
        raise NotFound(model.entity_type, id)
    return row


async def create(
    session: AsyncSession, model: type[M], values: Mapping[str, Any], *, validate: Validator
) -> M:
    check_write(session, model.entity_type, Operation.CREATE, before=None, after=values)
    await validate(session, values)
    row = model(**values)
    session.add(row)
    await record_change(session, row, Operation.CREATE)
    return row


async def update(
    session: AsyncSession,
    model: type[M],
    id: uuid.UUID,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
    validate: Validator,
) -> M:
    row = await get_or_raise(session, model, id)
    if row.version != expected_version:
        raise StaleVersion(model.entity_type, id, expected_version, row.version)
    before = current_values(row)
    check_write(
        session, model.entity_type, Operation.UPDATE, before=before, after={**before, **changes}
    )
    await validate(session, {**before, **changes})
    for key, value in changes.items():
        setattr(row, key, value)
    if not session.is_modified(row):
        return row  # nothing changed: no new version, no event
    try:
        await session.flush()
    except StaleDataError as exc:  # a concurrent edit committed between our read and write
        raise StaleVersion(model.entity_type, id, expected_version, expected_version + 1) from exc
    await record_change(session, row, Operation.UPDATE)
    return row
