"""Load the deterministic Sichuan demo dataset into an empty database.

At ``scale=1`` the data reproduces the 2022 绿蓉融 report's figures exactly (see ``plan.py``);
other scales multiply every count and money total. The same seed always gives the same rows:
every value, id and timestamp comes from seeded ``random.Random`` streams and a fixed calendar.

Transactions: everything is inserted in ONE transaction. A failure part-way rolls all of it back,
so a half-seeded database can never exist and ``greenrong seed --if-empty`` never skips one.
(Two seeders racing on one empty database: the second fails on the unique credit codes.)

The seed deliberately writes no ChangeEvent outbox rows: it is a bulk initial load, not a stream
of changes, and the search index is rebuilt from the database afterwards.
"""

from __future__ import annotations

from datetime import date
from time import perf_counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.matching.leads import rebuild_leads
from greenrong.domain.seed.carbon import seed_carbon
from greenrong.domain.seed.dataset import DemoDataset
from greenrong.domain.seed.loader import load
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.report import EntityLoad, SeedReport
from greenrong.domain.seed.timeline import CUTOFF_DAY

ROWS_PER_BATCH = 2000

__all__ = ["DatabaseNotEmpty", "SeedReport", "seed_demo"]


class DatabaseNotEmpty(Exception):
    """The database already has enterprises; the demo only loads into an empty one."""


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    scale: float = 1.0,
    seed: int = 2022,
    as_of: date = CUTOFF_DAY,
    progress: bool = True,
) -> SeedReport:
    """Insert the demo dataset; raises ``DatabaseNotEmpty`` (and changes nothing) when the
    enterprise table already has rows. Commits once, at the end.

    ``as_of`` is the day the certification history runs to: the report's cut-off (the
    default, so the domain never reads the clock) or later; ``greenrong seed`` passes today."""
    started = perf_counter()
    plan = SeedPlan.at_scale(scale)
    async with sessionmaker() as session, session.begin():
        await _ensure_empty(session)
        dataset = DemoDataset(plan, seed, as_of=as_of)
        loads = await load(session, dataset, rows_per_batch=ROWS_PER_BATCH, progress=progress)
        loads += await seed_carbon(session, seed=seed, scale=scale, as_of=as_of)
        loads += (await _leads(session),)
    return SeedReport(loads=loads, seconds=perf_counter() - started)


async def _leads(session: AsyncSession) -> EntityLoad:
    """The technology leads of the seeded enterprises and disclosures (derived rows, which the
    writes keep current from now on)."""
    started = perf_counter()
    rows = await rebuild_leads(session)
    return EntityLoad("TechnologyLead", rows, perf_counter() - started)


async def _ensure_empty(session: AsyncSession) -> None:
    enterprises = await session.scalar(select(func.count()).select_from(Enterprise))
    if enterprises:
        raise DatabaseNotEmpty(
            f"the database already has {enterprises:,} enterprises; "
            "demo data is only loaded into an empty database"
        )
