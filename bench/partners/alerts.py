"""Saved-search alerts: the cost of matching one batch of changed listings against 10,000
saved searches (the ``alerts.match`` consumer: a scratch index of the batch).

    .venv/bin/python bench/partners/alerts.py --admin-url postgresql+asyncpg://…/postgres
    .venv/bin/python bench/partners/alerts.py --sqlite

A fresh database gets ``--listings`` technology listings (indexed in the embedded
osmem-server) and ``--searches`` saved searches with varied queries and filters (mostly
partners', a fifth enterprises', so access scopes vary too). For each batch size, random
batches of listing ids are matched ``--rounds`` times: ``match`` is the time of
``workers.alerts.current_matches`` (a scratch index made, the batch's documents written, the
saved searches read and built, each distinct condition searched once, ``--chunk`` per msearch
request, the scratch index dropped); ``store`` is the ``record_matches`` transaction after it
(match sets, alerts, their webhook deliveries): together, ``match_listings`` as the consumer
runs it. ``conditions`` is how many distinct conditions the saved searches have. Medians over
``--rounds``. The cost follows the batch and the saved searches, not the index: compare
``--listings 1000`` with ``--listings 100000``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from decimal import Decimal
from typing import Any

from latency import fresh_database
from sqlalchemy.engine import make_url

from greenrong.core.config import Settings
from greenrong.domain.enterprises.credit_code import complete
from greenrong.domain.enterprises.models import Enterprise, EnterpriseSize
from greenrong.domain.kit.jsonable import jsonable
from greenrong.domain.kit.types import utcnow
from greenrong.domain.partners import saved_searches
from greenrong.domain.partners.models import SavedSearch, SavedSearchStatus
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    TechnologyDomain,
    TechnologyListing,
    TradeMode,
)
from greenrong.indexers.kit.query import Bounds
from greenrong.indexers.kit.store import index_ids
from greenrong.indexers.listings.document import LISTINGS
from greenrong.workers import alerts
from greenrong.workers.runtime import open_runtime
from greenrong.workers.search import ensure_indices

#: query words of the saved searches and listing titles (our own, for variety)
WORDS = [
    "膜生物反应器",
    "污水处理",
    "光伏",
    "储能",
    "余热回收",
    "脱硫脱硝",
    "土壤修复",
    "固废资源化",
    "碳捕集",
    "在线监测",
    "生物质",
    "氢能",
]
REGIONS = ["510104", "510107", "510300", "510500", "110105", "310115", "440305"]


def title(rng: random.Random) -> str:
    return "".join(rng.sample(WORDS, 2)) + "技术"


async def seed(url: str, args: argparse.Namespace, rng: random.Random) -> Any:
    settings = Settings(
        database_url=url,
        opensearch_url="",
        search_rebuild_progress=False,
        search_timeout_seconds=120,
    )
    runtime = open_runtime(settings)
    await ensure_indices(runtime)
    async with runtime.sessionmaker.begin() as session:
        owners = [
            Enterprise(
                name=f"基准企业{n}",
                credit_code=complete(f"91510104MA{n:07d}"),
                region_code=rng.choice(REGIONS),
                industry_section="D",
                industry_division="44",
                size=EnterpriseSize.SMALL,
                green_category=GreenCategory.CLEAN_ENERGY,
                green_level=GreenLevel.NONE,
            )
            for n in range(50)
        ]
        session.add_all(owners)
        await session.flush()
        listings = [
            TechnologyListing(
                owner_enterprise_id=rng.choice(owners).id,
                title=title(rng),
                description="、".join(rng.sample(WORDS, 3)) + "的工艺与装备",
                domain=rng.choice(list(TechnologyDomain)),
                maturity=rng.randint(1, 9),
                trade_mode=rng.choice(list(TradeMode)),
                asking_price=Decimal(rng.randrange(10_000, 5_000_000)),
                region_code=rng.choice(REGIONS),
                status=rng.choices([ListingStatus.PUBLISHED, ListingStatus.DRAFT], weights=[9, 1])[
                    0
                ],
            )
            for _ in range(args.listings)
        ]
        session.add_all(listings)
        await session.flush()
        listing_ids = [row.id for row in listings]
        owner_ids = [row.id for row in owners]
        session.add_all(saved_search(rng, n, owner_ids) for n in range(args.searches))
    await index_ids(runtime.search, runtime.sessionmaker, LISTINGS, listing_ids)
    await runtime.search.client.indices.refresh(index=runtime.search.alias("listings"))
    return runtime, listing_ids


def saved_search(rng: random.Random, n: int, owner_ids: list[uuid.UUID]) -> SavedSearch:
    """A saved search as ``saveSearch`` stores it: index filter values in JSON."""
    filters: dict[str, Any] = {}
    if rng.random() < 0.7:
        filters["domain"] = sorted(rng.sample([d.value for d in TechnologyDomain], 2))
    if rng.random() < 0.4:
        filters["maturity"] = Bounds(gte=rng.randint(1, 6))
    if rng.random() < 0.3:
        filters["asking_price"] = Bounds(lte=rng.randrange(100_000, 500_000_000))
    if rng.random() < 0.3:
        filters["region"] = [rng.choice(REGIONS)]
    query = rng.choice(WORDS) if rng.random() < 0.8 or not filters else None
    enterprise = rng.random() < 0.2
    return SavedSearch(
        owner=f"sub:bench-{n}",
        owner_role="ENTERPRISE" if enterprise else "PARTNER",
        owner_org_id=rng.choice(owner_ids) if enterprise else None,
        entity_type="TechnologyListing",
        name="",
        query=query,
        filter_input={},
        filters=jsonable(filters),
        status=SavedSearchStatus.ACTIVE,
        last_alert_seq=0,
    )


async def distinct_conditions(runtime: Any, size: int) -> int:
    """How many distinct conditions the saved searches have (each is searched once)."""
    scopes = alerts._Scopes(runtime)
    async with runtime.sessionmaker() as session:
        rows = await saved_searches.active_chunk(session, after_id=None, limit=10**9)
    keys = set()
    for row in rows:
        body = alerts.matching_body(row, await scopes.of(row), size=size)
        keys.update(alerts._key(c) for c in alerts.conditions(body))
    return len(keys)


async def measure(runtime: Any, listing_ids: list[uuid.UUID], args: argparse.Namespace) -> None:
    rng = random.Random(7)
    print(
        f"{'batch':>6} {'chunk':>6} {'conditions':>10} {'match ms':>9} "
        f"{'store ms':>9} {'ms/search':>10} {'new alerts':>10}"
    )
    for size in args.batches:
        for chunk in args.chunks:
            searching: list[float] = []
            storing: list[float] = []
            raised = 0
            for _ in range(args.rounds):
                ids = rng.sample(listing_ids, size)
                started = time.perf_counter()
                matched, _ = await alerts.current_matches(runtime, ids, chunk=chunk)
                searched = time.perf_counter()
                async with runtime.sessionmaker.begin() as session:
                    new = await saved_searches.record_matches(
                        session, listing_ids=ids, matched=matched, now=utcnow()
                    )
                searching.append(searched - started)
                storing.append(time.perf_counter() - searched)
                raised += len(new)
            conditions = await distinct_conditions(runtime, size)
            search_ms = statistics.median(searching) * 1000
            print(
                f"{size:>6} {chunk:>6} {conditions:>10} {search_ms:>9.0f} "
                f"{statistics.median(storing) * 1000:>9.0f} "
                f"{search_ms / args.searches:>10.3f} {raised // args.rounds:>10}",
                flush=True,
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--admin-url", help="PostgreSQL admin URL: a fresh database is made")
    where.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    parser.add_argument("--listings", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--chunks", type=int, nargs="+", default=[alerts.MSEARCH_CHUNK])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    url, drop = await fresh_database(args.admin_url)
    runtime = None
    try:
        print(f"database: {make_url(url).get_backend_name()}", flush=True)
        started = time.perf_counter()
        runtime, listing_ids = await seed(url, args, random.Random(1))
        print(
            f"seeded {args.listings} listings (indexed) and {args.searches} saved searches "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        await measure(runtime, listing_ids, args)
    finally:
        if runtime is not None:
            await runtime.close()
        if drop is not None:
            await drop()


if __name__ == "__main__":
    asyncio.run(main())
