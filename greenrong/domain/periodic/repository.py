"""The lease rows of periodic passes: all SQL of ``periodic_run``.

A pass is claimed with one conditional ``UPDATE … WHERE name = :name AND lease_until <= :now``.
On PostgreSQL a second process running the same statement at the same time waits for the
first one's row lock, re-reads the row, no longer matches and updates nothing; SQLite runs one
writer at a time. So exactly one process sees one row updated per period, on both databases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.periodic.models import PeriodicRun


async def ensure(session: AsyncSession, name: str, *, first_due: datetime) -> None:
    """Create the pass's row, due at ``first_due``, unless it exists (any process may try)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(PeriodicRun)
        .values(name=name, lease_until=first_due, runs=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )


async def claim(
    session: AsyncSession, name: str, *, now: datetime, period: float, holder: str
) -> bool:
    """Take the pass for this period if it is due; True when this caller runs it."""
    result = await session.execute(
        update(PeriodicRun)
        .where(PeriodicRun.name == name, PeriodicRun.lease_until <= now)
        .values(
            last_started_at=now,
            lease_until=now + timedelta(seconds=period),
            holder=holder,
            runs=PeriodicRun.runs + 1,
        )
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def runs(session: AsyncSession) -> list[PeriodicRun]:
    """Every pass's row, by name."""
    return list(await session.scalars(select(PeriodicRun).order_by(PeriodicRun.name)))
