"""The kept figures of ``platformStatistics.libraries`` and ``identificationStatistics`` against
the statements they replaced (``recomputed_*``: the whole-table aggregates), on a seeded database.

    .venv/bin/python bench/figures.py --database-url sqlite+aiosqlite:////tmp/figures10.db

The demo seed makes no green identifications: ``--suggestions`` first adds one suggestion to
every project that has none (a third accepted, a third corrected, each with a correction), in
one ORM transaction, so the upkeep keeps them as a write path would. Per caller, the median
milliseconds of ``--runs`` calls of each function, today as the day asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.access import policy
from greenrong.domain.access.guard import bind_system
from greenrong.domain.access.predicates import to_sql
from greenrong.domain.access.principal import ANONYMOUS, Principal, Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.identification import repository as identification_repository
from greenrong.domain.identification.models import GreenIdentification as Suggestion
from greenrong.domain.identification.models import GreenIdentificationCorrection as Correction
from greenrong.domain.identification.models import IdentificationStatus
from greenrong.domain.identification.service import identification_counts
from greenrong.domain.libraries.statistics import library_statistics, recomputed_library_statistics
from greenrong.domain.projects.models import Project

CODES = ("1.1.1.1", "1.2.1.1", "3.2.2.1", "5.1.1.1", "6.1.1.1")


async def add_suggestions(sessionmaker: Any) -> int:
    async with sessionmaker() as session, session.begin():
        bind_system(session)
        done = select(Suggestion.project_id)
        projects = list(await session.scalars(select(Project.id).where(Project.id.not_in(done))))
        for n, project_id in enumerate(projects):
            status = (
                IdentificationStatus.SUGGESTED,
                IdentificationStatus.ACCEPTED,
                IdentificationStatus.CORRECTED,
            )[n % 3]
            suggestion = Suggestion(
                project_id=project_id,
                project_version=1,
                description_hash=f"{n:064x}",
                code=CODES[n % 5],
                confidence=Decimal("0.8100"),
                engine_version="bench",
                status=status,
            )
            session.add(suggestion)
            if status is IdentificationStatus.CORRECTED:
                await session.flush()
                session.add(
                    Correction(
                        identification_id=suggestion.id,
                        project_id=project_id,
                        from_code=suggestion.code,
                        to_code=CODES[(n // 3) % 5],
                        reason="应归入清洁能源产业",
                        actor_role=Role.ADMIN,
                    )
                )
        return len(projects)


async def median_ms(call: Callable[[], Awaitable[Any]], runs: int) -> float:
    await call()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def main(url: str, runs: int, suggestions: bool) -> None:
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    try:
        if suggestions:
            started = time.perf_counter()
            added = await add_suggestions(sessionmaker)
            print(f"added {added} suggestions in {time.perf_counter() - started:.1f} s")
        async with sessionmaker() as session:
            enterprise = await session.scalar(
                select(Enterprise.id).order_by(Enterprise.id).limit(1)
            )
            first = select(FinancialInstitution.id).order_by(FinancialInstitution.id).limit(1)
            institution = await session.scalar(first)
        callers = {
            "anonymous": ANONYMOUS,
            "enterprise": Principal(Role.ENTERPRISE, org_id=enterprise),
            "institution": Principal(Role.INSTITUTION, org_id=institution),
            "admin": Principal(Role.ADMIN),
        }
        today = datetime.now(UTC).date()
        print(
            f"{'caller':<12}{'libraries kept':>16}{'recomputed':>12}"
            f"{'identification kept':>21}{'recomputed':>12}  (median ms, {runs} runs)"
        )
        for name, caller in callers.items():
            async with sessionmaker() as session:

                async def kept_libraries(c: Principal = caller) -> Any:
                    return await library_statistics(session, on=today, principal=c)

                async def old_libraries(c: Principal = caller) -> Any:
                    return await recomputed_library_statistics(session, on=today, principal=c)

                async def kept_identification(c: Principal = caller) -> Any:
                    return await identification_counts(session, principal=c)

                async def old_identification(c: Principal = caller) -> Any:
                    visible = policy.visible_rows(c, Project.entity_type)
                    projects = to_sql(Project, visible, now=datetime.now(UTC))
                    return await identification_repository.counts(session, top=5, projects=projects)

                assert await kept_libraries() == await old_libraries()
                assert await kept_identification() == await old_identification()
                row = [
                    await median_ms(f, runs)
                    for f in (
                        kept_libraries,
                        old_libraries,
                        kept_identification,
                        old_identification,
                    )
                ]
            print(f"{name:<12}{row[0]:>16.2f}{row[1]:>12.2f}{row[2]:>21.2f}{row[3]:>12.2f}")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--suggestions", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.runs, args.suggestions))
