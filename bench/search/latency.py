"""Benchmark search latency through GraphQL against the raw OpenSearch query it issues.

    .venv/bin/python bench/search/latency.py --admin-url postgresql+asyncpg://…/postgres --scale 10

With ``--admin-url`` it creates a fresh database, migrates and seeds it (``seed_demo`` at
``--scale``), and drops it at the end; ``--database-url`` uses an existing, seeded database.
Every index is built with ``kit.store.rebuild`` into the embedded engine (osmem-server) unless
``--opensearch-url`` names a cluster. The app runs in-process and is called over ASGI by httpx.

The query: ``searchTechnologyListings`` with the Chinese text 污水处理 and three facet
filters selected (domain, region with its sub-regions, maturity), 20 hits a page, every facet
counted. Rows, each timed ``--runs`` times after ``--warmup`` runs, one request at a time:

- **raw**: the request body ``kit.query.build`` makes for it, sent with ``client.search`` to the
  alias (the engine's own time plus the HTTP round trip);
- **graphql, no nodes**: the field with cursors, scores, highlights and facets, no node fields
  (adds parsing, validation, building the body, reading the answer, serialising);
- **graphql, with nodes**: the same, plus each hit's row from PostgreSQL through the DataLoader
  (one batched ``SELECT … WHERE id IN``) and its region name.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from time import perf_counter

import httpx
from shared import (
    JWT_SECRET,
    add_arguments,
    admin_headers,
    all_indices,
    database,
    percentile,
    rss_kib,
    selected,
    time_paths,
)

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.seed.demo import seed_demo
from greenrong.indexers.kit.query import Bounds, SearchRequest, build
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.listings.queries import LISTING_QUERIES
from greenrong.migrations.runner import upgrade

TEXT = "污水处理"
FILTER = {"domain": ["WATER", "SOLID_WASTE"], "region": ["510100"], "maturity": {"min": 4}}
FACETS = "facets { field buckets { value label count } }"
HITS = "edges { cursor score highlights { field snippets } }"
NODES = (
    "edges { cursor score highlights { field snippets } "
    "node { id title maturity region { name } } }"
)
DOCUMENT = """query ($query: String, $filter: TechnologyListingSearchFilter) {
  searchTechnologyListings(query: $query, filter: $filter, first: 20) {
    ... on TechnologyListingSearchConnection { totalCount %s %s }
    ... on SearchUnavailable { code }
  }
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description="Time GraphQL search against the raw query.")
    add_arguments(parser)
    parser.add_argument("--runs", type=int, default=300, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per row")
    args = parser.parse_args()
    if args.index and LISTING_QUERIES.index not in args.index:
        parser.error(f"the timed query searches {LISTING_QUERIES.index}: --index it")
    with database(args, "bench_latency") as (url, fresh):
        asyncio.run(_run(url, args, seed=fresh))


async def _run(url: str, args: argparse.Namespace, *, seed: bool) -> None:
    out = sys.stdout
    engine = create_engine(url)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    if seed:
        await asyncio.to_thread(upgrade, url)
        report = await seed_demo(sessionmaker, scale=args.scale, progress=False)
        out.write(f"seed --scale {args.scale:g}: {report.summary()}\n")
    # bulk chunks of a large rebuild can take longer than a search may
    loading = Settings(
        database_url=url, opensearch_url=args.opensearch_url, search_timeout_seconds=120
    )
    search = open_search(loading)
    try:
        for spec in selected(args):
            started = perf_counter()
            written = await rebuild(search, sessionmaker, spec)
            out.write(
                f"indexed {spec.name}: {written:,} documents in {perf_counter() - started:.1f} s\n"
            )
        rss = rss_kib(search)
        settings = Settings(
            database_url=url,
            opensearch_url=search.url,
            search_rebuild_progress=False,
            jwt_secret=JWT_SECRET,
            # with --index, the other indices stay empty rather than being loaded by the app
            search_rebuild_on_start=all_indices(args),
        )
        rows = await _measure(search, settings, runs=args.runs, warmup=args.warmup)
        loaded = "every index" if all_indices(args) else ", ".join(args.index)
    finally:
        await search.close()
        await engine.dispose()
    engine_name = args.opensearch_url or "embedded osmem-server"
    _print(rows, scale=args.scale, engine=engine_name, rss=rss, loaded=loaded)


async def _measure(
    search: SearchEngine, settings: Settings, *, runs: int, warmup: int
) -> list[tuple[str, list[float], int]]:
    request = SearchRequest(
        text=TEXT,
        filters={
            "domain": FILTER["domain"],
            "region": FILTER["region"],
            "maturity": Bounds(gte=4),
        },
        size=20,
    )
    body = build(LISTING_QUERIES, request)
    alias = search.alias(LISTING_QUERIES.index)

    async def raw() -> int:
        answer = await search.client.search(index=alias, body=body)
        return int(answer["hits"]["total"]["value"])

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=admin_headers()
        ) as http:

            def graphql(selection: str) -> Callable[[], Awaitable[int]]:
                payload = {
                    "query": DOCUMENT % (selection, FACETS),
                    "variables": {"query": TEXT, "filter": FILTER},
                }

                async def call() -> int:
                    response = await http.post("/graphql", json=payload)
                    data = response.json()["data"]["searchTechnologyListings"]
                    return int(data["totalCount"])

                return call

            paths = [
                ("raw OpenSearch query", raw),
                ("graphql, no nodes", graphql(HITS)),
                ("graphql, with nodes", graphql(NODES)),
            ]
            rows = await time_paths(paths, runs=runs, warmup=warmup)
    return rows


def _print(
    rows: list[tuple[str, list[float], int]],
    *,
    scale: float,
    engine: str,
    rss: int | None,
    loaded: str,
) -> None:
    out = sys.stdout
    out.write(
        f"\nsearch latency at scale {scale:g}, engine: {engine}\n"
        f"query {TEXT!r}, filters {FILTER}, 20 hits, 5 facets counted\n\n"
    )
    out.write(f"{'path':<24}{'hits':>7}{'runs':>6}{'p50 ms':>9}{'p95 ms':>9}{'x raw p50':>11}\n")
    base = percentile(rows[0][1], 50)
    for label, timings, total in rows:
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        out.write(
            f"{label:<24}{total:>7,}{len(timings):>6}{p50:>9.2f}{p95:>9.2f}{p50 / base:>11.2f}\n"
        )
    if rss is not None:
        out.write(f"\nembedded engine RSS with {loaded} loaded: {rss / 1024:,.0f} MiB\n")


if __name__ == "__main__":
    main()
