"""Freshness: time from a mutation's commit until the change is searchable.

    .venv/bin/python bench/search/freshness.py --scale 1 --mutations 200

Seeds the demo data into a throwaway PostgreSQL (``infra/local/pg``, or ``--pg-url`` with an
admin URL), then for each mode runs the app in-process and updates one listing title at a
time through GraphQL. The clock starts when the mutation's response arrives (its transaction
has committed) and stops when a search for the listing returns the new title:

- embedded: the API's relay (woken by the commit) runs the indexing handler itself;
- redis: the API's relay enqueues to Redis (``infra/local/redis``, or ``--redis-url``) and a
  separate ``greenrong worker`` process indexes.

``--database-url`` uses an existing, seeded database instead (listing titles are changed).
``--saved-searches N`` adds N active saved searches (partners' and enterprises', varied text
and filters) first, so the alerts consumer matches every changed listing against them while
the figures are taken: indexing must not wait for it.
``--index listings`` loads only the listings index (plus any other ``--index``) and starts the
app with ``search_rebuild_on_start`` off, so the figures at ``--scale 100`` fit in memory.

The engine is one embedded osmem-server for both modes (it makes writes searchable at once;
a real OpenSearch adds up to its ``refresh_interval``, 1 s by default).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from osmem_server import OsmemServer
from shared import JWT_SECRET, admin_headers
from sqlalchemy import select
from sqlalchemy.engine import make_url

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.core.search import open_search, stop_embedded
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.technology.models import TechnologyListing
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.registry import by_name, index_names
from greenrong.migrations.runner import upgrade
from greenrong.schema.kit.ids import to_global_id

ROOT = Path(__file__).resolve().parents[2]
UPDATE = """
mutation($input: UpdateListingInput!) {
  updateTechnologyListing(input: $input) {
    __typename
    ... on TechnologyListingSuccess { technologyListing { version } }
  }
}"""


@contextlib.contextmanager
def local_service(script: str, given: str | None) -> Iterator[str]:
    """A URL: the given one, or a throwaway server from infra/local/<script>."""
    if given:
        yield given
        return
    directory = tempfile.mkdtemp(prefix=f"greenrong-bench-{script}.")
    tool = str(ROOT / "infra" / "local" / script)
    url = subprocess.run([tool, "start", directory], check=True, capture_output=True, text=True)
    try:
        yield url.stdout.strip()
    finally:
        subprocess.run([tool, "stop", directory], check=False)


async def prepare_database(admin_url: str, scale: float) -> str:
    name = f"bench_fresh_{uuid.uuid4().hex[:8]}"
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = make_url(admin_url).set(database=name).render_as_string(False)
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    try:
        await seed_demo(create_sessionmaker(engine), scale=scale, seed=2022, progress=False)
    finally:
        await engine.dispose()
    return url


#: words of the saved searches (the demo listings' vocabulary, and some it does not have)
WORDS = [
    "污水处理",
    "膜",
    "光伏",
    "储能",
    "余热回收",
    "脱硫脱硝",
    "土壤修复",
    "固废",
    "碳捕集",
    "监测",
]


async def add_saved_searches(url: str, count: int) -> None:
    """``count`` active saved searches, as ``saveSearch`` stores them."""
    import random

    from greenrong.domain.enterprises.models import Enterprise
    from greenrong.domain.partners.models import SavedSearch, SavedSearchStatus
    from greenrong.domain.technology.models import TechnologyDomain

    rng = random.Random(3)
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            orgs = list(await session.scalars(select(Enterprise.id).limit(50)))
            for n in range(count):
                filters: dict[str, Any] = {}
                if rng.random() < 0.6:
                    filters["domain"] = sorted(rng.sample([d.value for d in TechnologyDomain], 2))
                if rng.random() < 0.4:
                    filters["maturity"] = {"gte": rng.randint(1, 6), "lte": None}
                enterprise = rng.random() < 0.2 and bool(orgs)
                session.add(
                    SavedSearch(
                        owner=f"sub:freshness-{n}",
                        owner_role="ENTERPRISE" if enterprise else "PARTNER",
                        owner_org_id=rng.choice(orgs) if enterprise else None,
                        entity_type="TechnologyListing",
                        name="",
                        query=rng.choice(WORDS) if rng.random() < 0.8 or not filters else None,
                        filter_input={},
                        filters=filters,
                        status=SavedSearchStatus.ACTIVE,
                        last_alert_seq=0,
                    )
                )
    finally:
        await engine.dispose()


async def listings(url: str, count: int) -> list[tuple[uuid.UUID, int]]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(TechnologyListing.id, TechnologyListing.version)
                .order_by(TechnologyListing.id)
                .limit(count)
            )
            return [(id, version) for id, version in rows.all()]
    finally:
        await engine.dispose()


def start_worker(settings: Settings, log: Any) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRONG_")}
    env |= {
        "GREENRONG_DATABASE_URL": settings.database_url,
        "GREENRONG_OPENSEARCH_URL": settings.opensearch_url,
        "GREENRONG_BROKER_URL": settings.broker_url,
        "GREENRONG_LOG_LEVEL": "WARNING",
        "GREENRONG_SEARCH_REBUILD_ON_START": str(settings.search_rebuild_on_start).lower(),
    }
    command = [sys.executable, "-m", "greenrong.cli", "worker"]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


async def measure(settings: Settings, targets: list[tuple[uuid.UUID, int]]) -> list[float]:
    """Seconds from each commit until a search returns the new title."""
    app = create_app(settings)
    latencies: list[float] = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://b", headers=admin_headers()
        ) as http,
    ):
        search = app.state.resources.search
        alias = search.alias("listings")
        for n, (pk, version) in enumerate(targets):
            title = f"新鲜度测试 {uuid.uuid4().hex[:12]}"
            variables = {
                "input": {
                    "id": to_global_id("TechnologyListing", pk),
                    "version": version,
                    "title": title,
                }
            }
            response = await http.post("/graphql", json={"query": UPDATE, "variables": variables})
            committed = time.perf_counter()
            payload = response.json()["data"]["updateTechnologyListing"]
            assert payload["__typename"] == "TechnologyListingSuccess", payload
            deadline = committed + 30
            while True:
                hits = await search.client.search(
                    index=alias, body={"query": {"ids": {"values": [str(pk)]}}}
                )
                found = hits["hits"]["hits"]
                if found and found[0]["_source"]["title"] == title:
                    latencies.append(time.perf_counter() - committed)
                    break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"mutation {n}: not searchable after 30 s")
                await asyncio.sleep(0.002)
            targets[n] = (pk, version + 1)
    return latencies


async def load_indices(settings: Settings, names: list[str]) -> None:
    """Only these indices, loaded before the app starts (which then leaves the others empty)."""
    db = create_engine(settings.database_url)
    search = open_search(settings)
    try:
        for name in names:
            started = time.perf_counter()
            written = await rebuild(search, create_sessionmaker(db), by_name(name))
            print(f"indexed {name}: {written:,} documents in {time.perf_counter() - started:.1f} s")
    finally:
        await search.close()
        await db.dispose()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, pg_url: str, redis_url: str) -> None:
    if args.database_url:
        url = args.database_url
    else:
        print(f"seeding the demo data at scale {args.scale} …", flush=True)
        url = await prepare_database(pg_url, args.scale)
    if args.saved_searches:
        await add_saved_searches(url, args.saved_searches)
    targets = await listings(url, args.mutations)
    if len(targets) < args.mutations:
        raise SystemExit(f"only {len(targets)} listings at this scale")
    engine = OsmemServer.start(japanese=False)
    rows: list[tuple[str, list[float]]] = []
    try:
        base = Settings(
            database_url=url,
            opensearch_url=engine.url,
            search_rebuild_progress=False,
            search_rebuild_on_start=not args.index,
            jwt_secret=JWT_SECRET,  # the mutations are an admin's (the bench signs its token)
        )
        if args.index:
            await load_indices(base, args.index)
        print("embedded mode …", flush=True)
        rows.append(("embedded", await measure(base, list(targets))))
        targets = [(pk, version + 1) for pk, version in targets]
        redis_settings = base.model_copy(update={"broker_url": redis_url})
        with tempfile.TemporaryFile() as log:
            worker = start_worker(redis_settings, log)
            try:
                print("redis mode (greenrong worker) …", flush=True)
                rows.append(("redis + worker", await measure(redis_settings, list(targets))))
            finally:
                worker.terminate()
                worker.wait(30)
    finally:
        stop_embedded(engine)
    print()
    print(
        f"freshness over {args.mutations} mutations, scale {args.scale}, "
        f"{args.saved_searches} saved searches, PostgreSQL (ms)"
    )
    print(f"{'mode':<16}{'p50':>9}{'p95':>9}{'max':>9}{'mean':>9}")
    for name, values in rows:
        ms = [v * 1000 for v in values]
        print(
            f"{name:<16}{percentile(ms, 50):>9.1f}{percentile(ms, 95):>9.1f}"
            f"{max(ms):>9.1f}{statistics.fmean(ms):>9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Mutation-to-searchable latency.")
    parser.add_argument("--scale", type=float, default=10.0, help="demo data scale")
    parser.add_argument("--mutations", type=int, default=200, help="mutations per mode")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL admin URL (else throwaway)")
    parser.add_argument("--redis-url", default=None, help="Redis URL (else throwaway)")
    parser.add_argument("--database-url", default=None, help="an existing, seeded database")
    parser.add_argument(
        "--saved-searches", type=int, default=0, help="active saved searches to add first"
    )
    parser.add_argument(
        "--index",
        action="append",
        choices=index_names(),
        help="load only this index before starting (repeatable; must include listings)",
    )
    args = parser.parse_args()
    if args.index and "listings" not in args.index:
        parser.error("the mutations change listings: --index listings")
    with (
        local_service("pg", args.pg_url or args.database_url) as pg_url,
        local_service("redis", args.redis_url) as redis_url,
    ):
        asyncio.run(run(args, pg_url, redis_url))


if __name__ == "__main__":
    main()
