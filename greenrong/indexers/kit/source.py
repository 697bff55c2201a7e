"""The one streaming source of rows: the full rebuild and single-entity updates both read it,
so the two cannot drift apart."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

from sqlalchemy import select

from greenrong.core.db import SessionMaker
from greenrong.domain.kit.models import Entity
from greenrong.indexers.kit.spec import IndexSpec

M = TypeVar("M", bound=Entity)


async def row_batches(
    sessionmaker: SessionMaker,
    spec: IndexSpec[M],
    *,
    ids: Sequence[uuid.UUID] | None = None,
    batch_size: int = 1000,
) -> AsyncIterator[list[M]]:
    """Rows of the index's entity in id order, ``batch_size`` at a time (all, or only ``ids``),
    with the related rows the spec's loader ``options`` ask for."""
    statement = select(spec.model).options(*spec.options).order_by(spec.model.id)
    if ids is not None:
        statement = statement.where(spec.model.id.in_(list(ids)))
    async with sessionmaker() as session:
        result = await session.stream_scalars(statement.execution_options(yield_per=batch_size))
        async for partition in result.partitions(batch_size):
            yield list(partition)


async def dependent_ids(
    sessionmaker: SessionMaker, spec: IndexSpec[M], parent_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Ids of the index's rows that copy fields from these parent rows (see ``depends_on``)."""
    if spec.depends_on is None or not parent_ids:
        return []
    foreign_key = spec.depends_on.foreign_key
    statement = select(spec.model.id).where(foreign_key.in_(list(parent_ids)))
    async with sessionmaker() as session:
        return list(await session.scalars(statement))
