"""Create and update for every entity: validation hook, optimistic locking, outbox write.

Services flush; the edge (one GraphQL mutation, one actor run) commits. The caller is the
principal bound to the session (``access.guard``; a session without one raises). Authorization
comes before state: an update loads its row through the caller's row scope (a row the caller
may not see is ``NotFound``, exactly like a missing id), then checks the write permission, and
only then compares the version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from greenrong.core.errors import StaleVersion
from greenrong.domain.access.guard import check_write, visible_or_raise
from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.models import Operation
from greenrong.domain.outbox.service import record_change

M = TypeVar("M", bound=Entity)

#: checks a complete set of values (for an update: the row's values with the changes applied)
Validator = Callable[[AsyncSession, Mapping[str, Any]], Any]


def current_values(row: Entity) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


async def get_or_raise(session: AsyncSession, model: type[M], id: uuid.UUID) -> M:
    """The row a write acts on: ``NotFound`` when it is missing or the caller may not see it
    (the two answers are the same)."""
    return await visible_or_raise(session, model, id)


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
    before = current_values(row)
    check_write(
        session, model.entity_type, Operation.UPDATE, before=before, after={**before, **changes}
    )
    if row.version != expected_version:  # only now: a refused caller learns no version
        raise StaleVersion(model.entity_type, id, expected_version, row.version)
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
