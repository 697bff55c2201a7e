"""Relevance of matching on the demo catalogue: nDCG@10 and ineligible results in any top 10.

    bench/relevance/run                       # a throwaway SQLite database, seeded at scale 1
    bench/relevance/run --database-url URL    # an existing database (seeded here when empty)
    bench/relevance/run --cases               # also print every case

Builds every search index from the database into the embedded engine (or ``--opensearch-url``),
then runs each evaluator (``finance.py``, and ``technology.py`` when it exists; see ``kit.py``).
Exits 1 when any evaluator found an ineligible result in a top 10.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from kit import Context, Result
from sqlalchemy import func, select

from greenrong.core.config import Settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.core.search import open_search
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.clock import today
from greenrong.domain.matching.finance_weights import FINANCE_WEIGHTS
from greenrong.domain.seed.demo import seed_demo
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.registry import INDEXES
from greenrong.migrations.runner import upgrade

HERE = Path(__file__).parent
EVALUATORS = ("finance", "technology")


def main() -> None:
    parser = argparse.ArgumentParser(description="nDCG@10 of matching on the demo catalogue.")
    parser.add_argument("--database-url", help="a database (default: a throwaway SQLite file)")
    parser.add_argument("--opensearch-url", default="", help="a cluster (default: embedded)")
    parser.add_argument("--cases", action="store_true", help="print every case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenrong-relevance-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/demo.db"
        results = asyncio.run(_run(url, args.opensearch_url))
    _print(results, cases=args.cases)
    sys.exit(1 if any(r.ineligible_in_top10 for r in results) else 0)


def evaluators() -> list[ModuleType]:
    return [importlib.import_module(name) for name in EVALUATORS if (HERE / f"{name}.py").exists()]


async def _run(url: str, opensearch_url: str) -> list[Result]:
    out = sys.stderr
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    # bulk chunks of a rebuild on a busy machine can take longer than a search may
    search = open_search(
        Settings(database_url=url, opensearch_url=opensearch_url, search_timeout_seconds=120)
    )
    try:
        async with sessionmaker() as session:
            seeded = await session.scalar(select(func.count()).select_from(Enterprise))
        if not seeded:
            report = await seed_demo(sessionmaker, scale=1, progress=False)
            out.write(f"seed --demo --scale 1: {report.summary()}\n")
        for spec in INDEXES.values():
            await rebuild(search, sessionmaker, spec)
        ctx = Context(sessionmaker=sessionmaker, search=search, on=today())
        results: list[Result] = []
        for module in evaluators():
            found = await module.evaluate(ctx)
            results += found if isinstance(found, list) else [found]
        return results
    finally:
        await search.close()
        await engine.dispose()


def _print(results: list[Result], *, cases: bool) -> None:
    out = sys.stdout
    out.write(
        f"matching relevance on the demo catalogue (finance weights {FINANCE_WEIGHTS.version})\n"
    )
    out.write(
        f"{'evaluator':<40}{'cases':>6}{'nDCG@10':>9}{'ineligible in top 10':>22}"
        f"{'pairs in order':>22}\n"
    )
    for result in results:
        pairs = (
            f"{result.pairs_in_order}/{result.pairs} ({result.pairs_in_order / result.pairs:.1%})"
            if result.pairs
            else "-"
        )
        out.write(
            f"{result.name:<40}{len(result.cases):>6}{result.ndcg_at_10:>9.3f}"
            f"{result.ineligible_in_top10:>22}{pairs:>22}\n"
        )
    if cases:
        for result in results:
            out.write(f"\n{result.name}\n")
            for case in result.cases:
                out.write(
                    f"  {case.id:<6}{case.ndcg_at_10:>7.3f}{case.ineligible_in_top10:>3}  "
                    f"{case.note}\n"
                )


if __name__ == "__main__":
    main()
