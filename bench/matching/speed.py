"""Benchmark ``FinancingDemand.productMatches`` through GraphQL against the raw query it issues.

    .venv/bin/python bench/matching/speed.py --admin-url postgresql+asyncpg://…/postgres --scale 1
    .venv/bin/python bench/matching/speed.py --database-url sqlite+aiosqlite:///demo.db --scale 1

With ``--admin-url`` it creates a fresh PostgreSQL database, migrates and seeds it at
``--scale`` and drops it at the end; ``--database-url`` uses that database, migrated and seeded
at ``--scale`` first when it has no enterprises. Only the products index is built (with
``kit.store.rebuild``, into the embedded osmem-server unless ``--opensearch-url``); the app
starts with ``search_rebuild_on_start`` off, in-process, called over ASGI by httpx.

The demands: the first ``--demands`` open demands with a project, by id (the same rule at every
scale); each row cycles through them, one request at a time, ``--runs`` timed after
``--warmup``:

- **raw _msearch**: the body ``indexers.matching.finance.rank_products`` sends for the demand
  (ranking only), sent with ``client.msearch`` (the engine's time plus the HTTP round trip);
- **graphql productMatches**: ``node(id:) { … on FinancingDemand { productMatches(first: 10)
  { totalCount edges { rank score reasons { code message weight } node { id name } } } } }``:
  parsing, the demand, enterprise and project through the DataLoaders, the query, the products
  through the DataLoader, the Python re-check of the rules, the reasons, serialising;
- **raw _msearch + near misses**: the body with ``near_misses`` (the same query, every rule
  evaluated per product: a bucket per rule, see ``indexers/matching/finance.py``);
- **graphql + near misses**: the same with ``includeNearMisses: true`` and
  ``nearMisses { rule message node { name } }``.

The last column divides each p50 by the raw ranking's, and the near-miss rows also by the plain
row of their kind (``x plain``): the targets are graphql ≤ 1.5 × raw and near misses ≤ 2 × plain.

The database handling, timing and memory helpers are bench/search's (``shared.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
from shared import (
    JWT_SECRET,
    admin_headers,
    database,
    percentile,
    rss_kib,
    time_paths,
    without_sniffio_lookups,
)

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import DemandStatus, FinancingDemand
from greenrong.domain.kit.clock import today
from greenrong.domain.matching.finance import demand_text
from greenrong.domain.matching.finance_rules import borrower
from greenrong.domain.projects.models import Project
from greenrong.domain.seed.demo import seed_demo
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.matching.finance import body
from greenrong.indexers.products.document import PRODUCTS
from greenrong.migrations.runner import upgrade
from greenrong.schema.kit.ids import to_global_id

FIRST = 10
DOCUMENT = """query ($id: ID!, $near: Boolean!) {
  node(id: $id) {
    ... on FinancingDemand {
      productMatches(first: %d, includeNearMisses: $near) {
        ... on ProductMatchConnection {
          totalCount
          edges { rank score reasons { code message weight } node { id name } }
          %s
        }
        ... on SearchUnavailable { code }
      }
    }
  }
}"""
NEAR = "nearMisses { rule message node { name } }"


def main() -> None:
    without_sniffio_lookups()
    parser = argparse.ArgumentParser(description="Time productMatches against its raw query.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--admin-url", help="PostgreSQL admin URL: a fresh database is made")
    where.add_argument("--database-url", help="a database (seeded at --scale when empty)")
    parser.add_argument("--scale", type=float, default=1.0, help="seed scale")
    parser.add_argument("--opensearch-url", default="", help="a cluster (default: embedded)")
    parser.add_argument("--demands", type=int, default=50, help="demands to cycle through")
    parser.add_argument("--runs", type=int, default=300, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per row")
    args = parser.parse_args()

    with database(args, "bench_matching") as (url, _):
        asyncio.run(_run(url, args))


async def _run(url: str, args: argparse.Namespace) -> None:
    out = sys.stdout
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    async with sessionmaker() as session:
        seeded = await session.scalar(select(func.count()).select_from(Enterprise))
    if not seeded:
        report = await seed_demo(sessionmaker, scale=args.scale, progress=False)
        out.write(f"seed --scale {args.scale:g}: {report.summary()}\n")
    search = open_search(
        Settings(database_url=url, opensearch_url=args.opensearch_url, search_timeout_seconds=120)
    )
    try:
        written = await rebuild(search, sessionmaker, PRODUCTS)
        out.write(f"indexed {PRODUCTS.name}: {written:,} documents\n")
        demands = await _demands(sessionmaker, args.demands)
        settings = Settings(
            database_url=url,
            opensearch_url=search.url,
            search_rebuild_on_start=False,
            search_rebuild_progress=False,
            jwt_secret=JWT_SECRET,
            # a loaded machine at --scale 100 may answer slower than the default 10 s: time it,
            # don't time it out
            search_timeout_seconds=120,
            # the bench's own requests are not what the per-caller budget is for
            query_budget_per_minute=10**9,
        )
        rows = await _measure(
            search, sessionmaker, settings, demands, runs=args.runs, warmup=args.warmup
        )
        rss = rss_kib(search)
    finally:
        await search.close()
        await engine.dispose()
    _print(rows, scale=args.scale, demands=len(demands), products=written, rss=rss)


async def _demands(
    sessionmaker: SessionMaker, count: int
) -> list[tuple[uuid.UUID, dict[str, Any], dict[str, Any]]]:
    """The first ``count`` open demands with a project (by id), each with its raw bodies:
    ranking only, and with near misses."""
    on = today()
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(FinancingDemand, Enterprise, Project)
                .join(Enterprise, FinancingDemand.enterprise_id == Enterprise.id)
                .join(Project, FinancingDemand.project_id == Project.id)
                .where(FinancingDemand.status == DemandStatus.OPEN)
                .order_by(FinancingDemand.id)
                .limit(count)
            )
        ).tuples()
        full = frozenset[str]()  # the full matching's query: nothing withheld
        found = []
        for d, e, p in rows:
            b, text = borrower(d, e, on=on, withheld=full), demand_text(d, p, withheld=full)
            plain = body(b, text, size=FIRST)
            found.append((d.id, plain, body(b, text, size=FIRST, near_misses=FIRST)))
        return found


async def _measure(
    search: SearchEngine,
    sessionmaker: SessionMaker,
    settings: Settings,
    demands: list[tuple[uuid.UUID, dict[str, Any], dict[str, Any]]],
    *,
    runs: int,
    warmup: int,
) -> list[tuple[str, list[float], int]]:
    alias = search.alias(PRODUCTS.name)

    def raw_path(bodies: list[dict[str, Any]]) -> Callable[[], Awaitable[int]]:
        cycle = itertools.cycle(bodies)

        async def raw() -> int:
            answer = await search.client.msearch(body=[{"index": alias}, next(cycle)])
            return int(answer["responses"][0]["hits"]["total"]["value"])

        return raw

    raw, raw_near = raw_path([b for _, b, _ in demands]), raw_path([b for _, _, b in demands])
    totals = [await raw() for _ in demands]  # one cycle: how many products each demand has
    sys.stdout.write(
        f"eligible products per demand: mean {sum(totals) / len(totals):.1f}, "
        f"{sum(t > 0 for t in totals)} of {len(totals)} demands have at least one\n"
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        # as a `greenrong serve` process does once started (app.py's lifespan): what exists by
        # now is out of the collector's reach, so a full collection does not walk the bench's
        # seed and set-up objects, which a server process does not hold
        gc.collect()
        gc.freeze()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=admin_headers()
        ) as http:

            def graphql(near: bool) -> Callable[[], Awaitable[int]]:
                ids = itertools.cycle([to_global_id("FinancingDemand", i) for i, _, _ in demands])
                document = DOCUMENT % (FIRST, NEAR if near else "")

                async def call() -> int:
                    payload = {"query": document, "variables": {"id": next(ids), "near": near}}
                    response = await http.post("/graphql", json=payload)
                    data = response.json()
                    if "errors" in data:
                        raise RuntimeError(data["errors"])
                    matches = data["data"]["node"]["productMatches"]
                    return int(matches["totalCount"])

                return call

            paths = [
                ("raw _msearch (ranking)", raw),
                ("raw + near misses", raw_near),
                ("graphql productMatches", graphql(False)),
                ("graphql + near misses", graphql(True)),
            ]
            rows = await time_paths(paths, runs=runs, warmup=warmup)
    return rows


def _print(
    rows: list[tuple[str, list[float], int]],
    *,
    scale: float,
    demands: int,
    products: int,
    rss: int | None,
) -> None:
    out = sys.stdout
    out.write(
        f"\nproductMatches latency at scale {scale:g}: {products:,} products indexed, "
        f"{demands} open demands cycled, first: {FIRST}\n\n"
    )
    out.write(f"{'path':<26}{'runs':>6}{'p50 ms':>9}{'p95 ms':>9}{'x raw p50':>11}{'x plain':>9}\n")
    p50s = [percentile(timings, 50) for _, timings, _ in rows]
    plain = {1: p50s[0], 3: p50s[2]}  # the near-miss rows against the plain row of their kind
    for i, (label, timings, _) in enumerate(rows):
        p50, p95 = p50s[i], percentile(timings, 95)
        versus = f"{p50 / plain[i]:>9.2f}" if i in plain else ""
        out.write(
            f"{label:<26}{len(timings):>6}{p50:>9.2f}{p95:>9.2f}{p50 / p50s[0]:>11.2f}{versus}\n"
        )
    if rss is not None:
        out.write(f"\nembedded engine RSS: {rss / 1024:,.0f} MiB\n")


if __name__ == "__main__":
    main()
