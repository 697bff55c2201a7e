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
    """Rows of the index's entity in id order, ``batch_size`` at a time (all, or only ``ids``)."""
    statement = select(spec.model).order_by(spec.model.id)
    if ids is not None:
        statement = statement.where(spec.model.id.in_(list(ids)))
    async with sessionmaker() as session:
        result = await session.stream_scalars(statement.execution_options(yield_per=batch_size))
        async for partition in result.partitions(batch_size):
            yield list(partition)
