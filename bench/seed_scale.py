"""Benchmark the demo seed: migrate an empty database, seed it at a scale, report rows per second.

    .venv/bin/python bench/seed_scale.py --scale 100 --database-url postgresql+asyncpg://…/bench_seed

The database must exist and be empty (the seed refuses a database that has enterprises).
Per-entity seconds count generating and inserting that entity's rows; project and demand rows are
generated together, block by block, and the generation time lands on projects.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from time import perf_counter, process_time

from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.seed.report import SeedReport
from greenrong.migrations.runner import upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description="Migrate, seed the demo data, time it.")
    parser.add_argument("--scale", type=float, default=100.0, help="dataset scale (1 = report)")
    parser.add_argument("--database-url", required=True, help="SQLAlchemy async URL")
    parser.add_argument("--seed", type=int, default=2022, help="random seed")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args()

    started = perf_counter()
    upgrade(args.database_url)
    migrated = perf_counter() - started
    report = asyncio.run(_seed(args.database_url, args.scale, args.seed, not args.no_progress))
    _print(
        report,
        scale=args.scale,
        migrated=migrated,
        total=perf_counter() - started,
        cpu=process_time(),
    )


async def _seed(url: str, scale: float, seed: int, progress: bool) -> SeedReport:
    engine = create_engine(url)
    try:
        return await seed_demo(
            create_sessionmaker(engine), scale=scale, seed=seed, progress=progress
        )
    finally:
        await engine.dispose()


def _print(report: SeedReport, *, scale: float, migrated: float, total: float, cpu: float) -> None:
    out = sys.stdout
    out.write(f"\nseed --scale {scale:g}: {report.summary()}\n\n")
    out.write(f"{'entity':<22}{'rows':>12}{'seconds':>10}{'rows/s':>12}\n")
    for load in report.loads:
        rate = load.rows / load.seconds if load.seconds else 0.0
        out.write(f"{load.entity:<22}{load.rows:>12,}{load.seconds:>10.1f}{rate:>12,.0f}\n")
    out.write(
        f"{'seed total':<22}{report.rows:>12,}{report.seconds:>10.1f}"
        f"{report.rows / report.seconds:>12,.0f}\n"
    )
    out.write(f"{'migrate':<22}{'':>12}{migrated:>10.1f}\n")
    out.write(f"{'elapsed (all)':<22}{'':>12}{total:>10.1f}\n")
    # on a shared machine the wall clock follows the load; the CPU seconds do not
    out.write(f"{'cpu (this process)':<22}{'':>12}{cpu:>10.1f}\n")
    out.write(f"{'load average (1 min)':<22}{'':>12}{os.getloadavg()[0]:>10.1f}\n")


if __name__ == "__main__":
    main()
