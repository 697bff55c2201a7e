"""Recomputing stored calculations against another factor set, in chunks, with the results kept.

``greenrong carbon recalc --factors VERSION`` opens a run (``start_run``: the run row, and the
ids of every stored calculation, oldest first), hands the ids over in chunks to the
``carbon.recalculate`` handler (``recalculate_chunk``), watches ``progress`` and finally lists
``changed``. The handler runs in the worker when a broker is configured, and in the CLI's own
process otherwise; it is the same function either way.

Stored calculations are append-only and stay as they are: a run stores what a re-run gives
(``carbon_recalc_result``), never a changed calculation. The handler is safe to run twice: a
calculation that already has a result in the run is skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import DomainError, NotFound
from greenrong.domain.carbon import repository
from greenrong.domain.carbon.calculate import calculate
from greenrong.domain.carbon.factors import load_factor_set
from greenrong.domain.carbon.models import CarbonRecalcResult, CarbonRecalcRun
from greenrong.domain.carbon.serialize import request_from_json

R = CarbonRecalcResult


async def start_run(
    session: AsyncSession, *, factor_version: str
) -> tuple[CarbonRecalcRun, list[uuid.UUID]]:
    """A new run over every stored calculation (trusted callers only: the CLI). An unknown
    factor set fails here, before any work is handed out."""
    load_factor_set(factor_version)
    ids = await repository.calculation_ids(session)
    run = CarbonRecalcRun(factor_version=factor_version, total=len(ids))
    session.add(run)
    await session.flush()
    return run, ids


def chunks(ids: Sequence[uuid.UUID], size: int) -> list[list[uuid.UUID]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


async def recalculate_chunk(
    session: AsyncSession, *, run_id: uuid.UUID, calculation_ids: Sequence[uuid.UUID]
) -> int:
    """The ``carbon.recalculate`` handler's work: re-run each calculation of the chunk against
    the run's factor set and store the result. Returns how many results it wrote."""
    run = await session.get(CarbonRecalcRun, run_id)
    if run is None:
        raise NotFound("CarbonRecalcRun", run_id)
    done = await repository.recalculated(session, run_id, calculation_ids)
    todo = [i for i in calculation_ids if i not in done]
    rows = await repository.calculations_by_ids(session, todo)
    for row in rows:
        request = request_from_json(row.request, factor_version=run.factor_version)
        new_total: Decimal | None
        try:
            new_total, error = calculate(request).total, None
        except DomainError as e:
            new_total, error = None, f"{e.code}: {e.message}"[:500]
        session.add(
            R(
                run_id=run_id,
                calculation_id=row.id,
                model=row.model,
                year=row.year,
                old_version=row.factor_version,
                old_total=row.total,
                new_total=new_total,
                error=error,
            )
        )
    await session.flush()
    return len(rows)


async def progress(session: AsyncSession, run_id: uuid.UUID) -> int:
    """How many calculations of the run have a result."""
    return await repository.recalc_result_count(session, run_id)


async def changed(session: AsyncSession, run_id: uuid.UUID) -> list[CarbonRecalcResult]:
    """The run's results that differ from the stored total, or could not be computed."""
    return await repository.recalc_changes(session, run_id)
