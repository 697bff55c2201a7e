"""Benchmark the full reindex against a plain ``async_bulk`` of the same documents.

    .venv/bin/python bench/search/reindex.py --admin-url postgresql+asyncpg://…/postgres --scale 10

With ``--admin-url`` it creates a fresh database, migrates and seeds it (``seed_demo`` at
``--scale``), and drops it at the end. ``--database-url`` uses an existing, already seeded
database instead (nothing is dropped). Without ``--opensearch-url`` it starts the embedded
engine (osmem-server) and reports that process's resident memory after loading.

Per index:
- **rebuild**: ``kit.store.rebuild``, what ``greenrong reindex`` runs: count, create a versioned
  index, stream rows (one source, loader options included), ``from_row``, bulk with external
  versions, refresh, swap the alias, drop the old index, catch up.
- **source**: streaming the rows and building the documents alone (no engine).
- **async_bulk**: opensearch-py's ``async_bulk`` of the same documents, already built in memory,
  into a plain index with the same settings and mapping (no alias, no versions), plus refresh.
- **ratio**: rebuild seconds / async_bulk seconds (our whole path against the raw write).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from time import perf_counter
from typing import Any

from opensearchpy.helpers import async_bulk
from shared import add_arguments, database, rss_kib, selected

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.seed.demo import seed_demo
from greenrong.indexers.kit.source import row_batches
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.registry import INDEXES
from greenrong.migrations.runner import upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the full reindex against async_bulk.")
    add_arguments(parser)
    args = parser.parse_args()
    with database(args, "bench_reindex") as (url, fresh):
        asyncio.run(_run(url, args, seed=fresh))


async def _run(url: str, args: argparse.Namespace, *, seed: bool) -> None:
    out, scale, opensearch_url = sys.stdout, args.scale, args.opensearch_url
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    if seed:
        await asyncio.to_thread(upgrade, url)
        report = await seed_demo(sessionmaker, scale=scale, progress=False)
        out.write(f"seed --scale {scale:g}: {report.summary()} in {report.seconds:.1f} s\n")
    # a bulk chunk on a loaded in-memory engine can take longer than the default 10 s
    settings = Settings(
        database_url=url,
        opensearch_url=opensearch_url,
        search_index_prefix="bench",
        search_timeout_seconds=120,
    )
    search = open_search(settings)
    try:
        rows = [await _measure(search, sessionmaker, spec) for spec in selected(args)]
        rss = rss_kib(search)
    finally:
        await search.close()
        await engine.dispose()
    _print(rows, scale=scale, engine=search.url if opensearch_url else "embedded", rss=rss)


async def _measure(
    search: SearchEngine, sessionmaker: SessionMaker, spec: IndexSpec[Any]
) -> tuple[str, int, float, float, float]:
    started = perf_counter()
    written = await rebuild(search, sessionmaker, spec)
    rebuilt = perf_counter() - started

    started = perf_counter()
    documents = [
        spec.from_row(row) async for batch in row_batches(sessionmaker, spec) for row in batch
    ]
    sourced = perf_counter() - started

    raw = f"{search.alias(spec.name)}-raw"
    actions = [{"_index": raw, "_id": d["id"], "_source": d} for d in documents]
    started = perf_counter()
    await search.client.indices.create(index=raw, body=spec.body())
    await async_bulk(search.client, actions)
    await search.client.indices.refresh(index=raw)
    bulked = perf_counter() - started
    await search.client.indices.delete(index=raw)
    assert written == len(documents)
    return spec.name, written, rebuilt, sourced, bulked


def _print(
    rows: list[tuple[str, int, float, float, float]], *, scale: float, engine: str, rss: int | None
) -> None:
    out = sys.stdout
    out.write(f"\nreindex at scale {scale:g}, search engine: {engine}\n\n")
    header = (
        f"{'index':<12}{'docs':>10}{'rebuild s':>11}{'docs/s':>10}{'source s':>10}"
        f"{'async_bulk s':>14}{'docs/s':>10}{'ratio':>8}\n"
    )
    out.write(header)
    totals: list[float] = [0.0, 0.0, 0.0, 0.0]
    for name, docs, rebuilt, sourced, bulked in rows:
        out.write(
            f"{name:<12}{docs:>10,}{rebuilt:>11.2f}{docs / rebuilt:>10,.0f}{sourced:>10.2f}"
            f"{bulked:>14.2f}{docs / bulked:>10,.0f}{rebuilt / bulked:>8.2f}\n"
        )
        for i, value in enumerate((docs, rebuilt, sourced, bulked)):
            totals[i] += value
    all_docs, all_rebuilt, all_sourced, all_bulked = totals
    out.write(
        f"{'all':<12}{int(all_docs):>10,}{all_rebuilt:>11.2f}{all_docs / all_rebuilt:>10,.0f}"
        f"{all_sourced:>10.2f}{all_bulked:>14.2f}{all_docs / all_bulked:>10,.0f}"
        f"{all_rebuilt / all_bulked:>8.2f}\n"
    )
    if rss is not None:
        loaded = "every index" if len(rows) == len(INDEXES) else "these indices"
        out.write(f"\nembedded engine RSS after loading {loaded}: {rss / 1024:,.0f} MiB\n")


if __name__ == "__main__":
    main()
