"""Benchmark ``TechnologyListing.buyerMatches`` for a page of listings (the precomputed leads).

    .venv/bin/python bench/matching/leads.py --admin-url postgresql+asyncpg://…/postgres --scale 1
    .venv/bin/python bench/matching/leads.py --database-url sqlite+aiosqlite:///demo.db --scale 10

With ``--admin-url`` it creates a fresh PostgreSQL database, migrates and seeds it at
``--scale`` and drops it at the end; ``--database-url`` uses that database, migrated first and
seeded at ``--scale`` when it has no enterprises. A database seeded before ``technology_lead``
existed has its leads built first (``leads.rebuild_leads``, timed: what ``greenrong leads
rebuild`` does after the upgrade).

The published listings by id, in batches of ``--listings`` (20); each row cycles through the
batches, one call at a time, ``--runs`` timed after ``--warmup``:

- **leads query**: ``lead_repository.lead_candidates`` for one batch: the one statement that
  reads the leads that may rank for any of its listings (what replaced the disclosure scan);
- **buyer_matches (domain)**: ``technology.buyer_matches`` for one batch, ``first: 10``, in
  one read session: the open needs the batch can meet, the leads that may rank and the
  rows of the needs that reach a page (three statements), the ranking and the reasons;
- **graphql page**: ``technologyListings(first: N, after: …, where: PUBLISHED) { edges { node {
  title buyerMatches(first: 10) { edges { rank score reasons { code message weight } node {
  __typename } } } } } }`` over the same batches (the page's listings, then one DataLoader
  batch for every listing's buyers), in-process over ASGI.

The search engine is not used (buyer matching is SQL); the app starts its own embedded engine
with ``search_rebuild_on_start`` off. Timing helpers are bench/search's (``shared.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
from shared import (
    JWT_SECRET,
    admin_headers,
    database,
    percentile,
    time_paths,
    without_sniffio_lookups,
)

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching.lead_repository import TechnologyLead, lead_candidates
from greenrong.domain.matching.leads import rebuild_leads
from greenrong.domain.matching.technology import buyer_matches
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.technology.models import ListingStatus, TechnologyListing
from greenrong.indexers.matching.technology import canonical_terms
from greenrong.migrations.runner import upgrade

FIRST = 10
DOCUMENT = """query ($first: Int!, $after: String) {
  technologyListings(first: $first, after: $after, where: {status: {eq: PUBLISHED}}) {
    edges { node { title buyerMatches(first: FIRST) {
      edges { rank score reasons { code message weight } node { __typename } }
    } } }
  }
}""".replace("FIRST", str(FIRST))
CURSORS = """query ($first: Int!, $after: String) {
  technologyListings(first: $first, after: $after, where: {status: {eq: PUBLISHED}}) {
    pageInfo { endCursor hasNextPage }
  }
}"""


def main() -> None:
    without_sniffio_lookups()
    parser = argparse.ArgumentParser(description="Time buyerMatches for pages of listings.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--admin-url", help="PostgreSQL admin URL: a fresh database is made")
    where.add_argument("--database-url", help="a database (seeded at --scale when empty)")
    parser.add_argument("--scale", type=float, default=1.0, help="seed scale")
    parser.add_argument("--listings", type=int, default=20, help="listings per batch (page)")
    parser.add_argument("--batches", type=int, default=10, help="batches to cycle through")
    parser.add_argument("--runs", type=int, default=100, help="timed calls per row")
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls per row")
    args = parser.parse_args()

    with database(args, "bench_leads") as (url, _):
        asyncio.run(_run(url, args))


async def _run(url: str, args: argparse.Namespace) -> None:
    out = sys.stdout
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    try:
        async with sessionmaker() as session:
            seeded = await session.scalar(select(func.count()).select_from(Enterprise))
            leads = await session.scalar(select(func.count()).select_from(TechnologyLead))
        if not seeded:
            report = await seed_demo(sessionmaker, scale=args.scale, progress=False)
            out.write(f"seed --scale {args.scale:g}: {report.summary()}\n")
        elif not leads:
            started = perf_counter()
            async with sessionmaker() as session, session.begin():
                leads = await rebuild_leads(session)
            out.write(f"leads rebuilt: {leads:,} rows in {perf_counter() - started:.1f} s\n")
        async with sessionmaker() as session:
            leads = await session.scalar(select(func.count()).select_from(TechnologyLead))
        batches = await _batches(sessionmaker, args.listings, args.batches)
        rows = await _measure(url, sessionmaker, batches, args)
    finally:
        await engine.dispose()
    out.write(
        f"\nbuyerMatches at scale {args.scale:g}: {leads:,} lead rows, {len(batches)} batches "
        f"of {args.listings} published listings, first: {FIRST}\n\n"
    )
    out.write(f"{'path':<30}{'runs':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}\n")
    for label, timings, _ in rows:
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        out.write(f"{label:<30}{len(timings):>6}{p50:>9.1f}{p95:>9.1f}{max(timings):>9.1f}\n")


async def _batches(
    sessionmaker: SessionMaker, size: int, count: int
) -> list[list[TechnologyListing]]:
    async with sessionmaker() as session:
        listings = list(
            await session.scalars(
                select(TechnologyListing)
                .where(TechnologyListing.status == ListingStatus.PUBLISHED)
                .order_by(TechnologyListing.id)
                .limit(size * count)
            )
        )
    return [listings[i : i + size] for i in range(0, len(listings), size)]


async def _measure(
    url: str,
    sessionmaker: SessionMaker,
    batches: list[list[TechnologyListing]],
    args: argparse.Namespace,
) -> list[tuple[str, list[float], int]]:
    cycle, lead_cycle = itertools.cycle(batches), itertools.cycle(batches)

    async def leads() -> int:
        async with sessionmaker() as session:
            found = await lead_candidates(session, next(lead_cycle), first=FIRST)
        return sum(len(c) for c in found.values())

    async def domain() -> int:
        async with sessionmaker() as session:
            found = await buyer_matches(
                session, next(cycle), first=FIRST, terms_of=canonical_terms, now=utcnow()
            )
        return sum(len(m) for m in found.values())

    settings = Settings(
        database_url=url,
        search_rebuild_on_start=False,
        search_rebuild_progress=False,
        jwt_secret=JWT_SECRET,
        # a page of 20 listings with their buyers costs ~2,500 points: lift the per-caller
        # budget, which the timed calls would exhaust in seconds (as bench/views does)
        query_budget_per_minute=10**9,
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

            async def post(document: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await http.post(
                    "/graphql", json={"query": document, "variables": variables}
                )
                data: dict[str, Any] = response.json()
                if "errors" in data:
                    raise RuntimeError(data["errors"])
                return data

            cursors: list[str | None] = [None]
            while len(cursors) < len(batches):
                page = await post(CURSORS, {"first": args.listings, "after": cursors[-1]})
                info = page["data"]["technologyListings"]["pageInfo"]
                if not info["hasNextPage"]:
                    break
                cursors.append(info["endCursor"])
            pages = itertools.cycle(cursors)

            async def graphql() -> int:
                variables = {"first": args.listings, "after": next(pages)}
                data = await post(DOCUMENT, variables)
                edges = data["data"]["technologyListings"]["edges"]
                return sum(len(e["node"]["buyerMatches"]["edges"]) for e in edges)

            paths = [
                (f"leads query, {args.listings} listings", leads),
                (f"buyer_matches, {args.listings} listings", domain),
                (f"graphql page of {args.listings}", graphql),
            ]
            return await time_paths(paths, runs=args.runs, warmup=args.warmup)


if __name__ == "__main__":
    main()
