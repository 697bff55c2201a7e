"""The floor: the same rows each query returns, fetched in-process with raw asyncpg.

One connection, prepared statements, one statement per level of nesting (LATERAL + LIMIT per
parent, on the same indexes the servers use), then the rows are assembled into the same normal
form as queries.py builds from the servers' JSON. The equality check compares this form too, so
the floor provably fetches the same rows. ``measure()`` runs each query N times, pinned to the
servers' core, and returns the mean in microseconds.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from time import perf_counter
from typing import Any

import asyncpg
from queries import Params

from greenrong.domain.access.principal import Role
from greenrong.domain.statistics.scopes import SCOPE_OF

ENTERPRISES = """
select id, name from enterprise where region_code = any($1::text[]) order by name, id limit 50
"""
PROJECTS = """
select p.enterprise_id, p.id, p.title
from unnest($1::uuid[]) with ordinality as parent(id, ord)
cross join lateral (
    select id, enterprise_id, title, created_at from project
    where enterprise_id = parent.id order by created_at, id limit $2
) p
order by parent.ord, p.created_at, p.id
"""
DEMANDS = """
select d.project_id, d.amount, d.status
from unnest($1::uuid[]) with ordinality as parent(id, ord)
cross join lateral (
    select project_id, amount, status, submitted_at, id from financing_demand
    where project_id = parent.id order by submitted_at, id limit $2
) d
order by parent.ord, d.submitted_at, d.id
"""
DEMANDS_WITH_PRODUCT = """
select d.project_id, d.amount, d.status, fp.name as product, fi.name as institution
from unnest($1::uuid[]) with ordinality as parent(id, ord)
cross join lateral (
    select project_id, amount, status, product_id, submitted_at, id from financing_demand
    where project_id = parent.id order by submitted_at, id limit $2
) d
left join financial_product fp on fp.id = d.product_id
left join financial_institution fi on fi.id = fp.institution_id
order by parent.ord, d.submitted_at, d.id
"""
FILTERED = """
select name, region_code, green_level, count(*) over () as total
from enterprise
where region_code = any($1::text[]) and name ilike '%' || $2 || '%' and green_level = $3
order by name, id limit 20
"""
ENTERPRISE = "select name from enterprise where id = $1"
TOTALS = """
select (select count(*) from enterprise), (select count(*) from financial_institution),
       (select count(*) from financial_product), (select count(*) from expert),
       (select count(*) from technology_listing),
       (select coalesce(sum(amount), 0) from financing_demand),
       (select coalesce(sum(financed_amount), 0) from financing_demand where status = 'FINANCED')
"""
BY_YEAR = """
select 'received' as series, extract(year from submitted_at at time zone 'UTC')::int as year,
       sum(amount) as amount, count(*) as n
from financing_demand group by 2
union all
select 'financed', extract(year from financed_at at time zone 'UTC')::int,
       sum(financed_amount), count(*)
from financing_demand where status = 'FINANCED' and financed_at is not null group by 2
order by 1, 2
"""
#: what greenrong now reads for Q4: the kept figures of the caller's scope (platform_figure)
KEPT = """
select figure, key, count, amount from platform_figure where scope = $1 and figure <> 'built'
"""
GROUPS = """
select 'green_category' as dimension, green_category as key, count(*) as n
from enterprise group by 2
union all select 'expert_title', title, count(*) from expert group by 2
union all select 'disclosure_kind', kind, count(*) from disclosure group by 2
"""


@dataclass
class Floor:
    conn: asyncpg.Connection
    params: Params | None

    async def prepare(self) -> None:
        c = self.conn
        self.enterprises = await c.prepare(ENTERPRISES)
        self.projects = await c.prepare(PROJECTS)
        self.demands = await c.prepare(DEMANDS)
        self.demands_with_product = await c.prepare(DEMANDS_WITH_PRODUCT)
        self.filtered = await c.prepare(FILTERED)
        self.enterprise = await c.prepare(ENTERPRISE)
        self.totals = await c.prepare(TOTALS)
        self.by_year = await c.prepare(BY_YEAR)
        self.groups = await c.prepare(GROUPS)
        self.kept = await c.prepare(KEPT)

    async def q1(self) -> Any:
        assert self.params is not None
        enterprises = await self.enterprises.fetch(self.params.regions)
        projects = await self.projects.fetch([e["id"] for e in enterprises], 5)
        demands = await self.demands.fetch([p["id"] for p in projects], 3)
        by_project = _group(demands, "project_id", lambda d: (d["amount"], d["status"]))
        by_enterprise = _group(
            projects, "enterprise_id", lambda p: (p["title"], by_project.get(p["id"], []))
        )
        return [(e["name"], by_enterprise.get(e["id"], [])) for e in enterprises]

    async def q2(self) -> Any:
        p = self.params
        assert p is not None
        rows = await self.filtered.fetch(p.q2_regions, p.name_word, p.green_level)
        total = rows[0]["total"] if rows else 0
        return (total, [(r["name"], r["region_code"], r["green_level"]) for r in rows])

    async def q3(self) -> Any:
        assert self.params is not None
        eid: uuid.UUID = self.params.enterprise_id
        name = await self.enterprise.fetchval(eid)
        if name is None:
            return None
        projects = await self.projects.fetch([eid], 10)
        demands = await self.demands_with_product.fetch([p["id"] for p in projects], 10)
        by_project = _group(
            demands,
            "project_id",
            lambda d: (d["amount"], d["status"], d["product"], d["institution"]),
        )
        return (name, [(p["title"], by_project.get(p["id"], [])) for p in projects])

    async def q4(self) -> Any:
        """The kept figures of the REGULATOR's scope, as greenrong reads them."""
        return kept_form(await self.kept.fetch(REGULATOR_SCOPE))

    async def q4_recomputed(self) -> Any:
        """Q4 recomputed from every row (what greenrong did before the figures were kept):
        checked against greenrong's answer, not timed."""
        totals = await self.totals.fetchrow()
        years = await self.by_year.fetch()
        groups = await self.groups.fetch()

        def series(name: str) -> list[tuple[int, Decimal, int]]:
            return [(r["year"], r["amount"], r["n"]) for r in years if r["series"] == name]

        return {
            "counts": tuple(totals[:5]),
            "totals": (totals[5], totals[6]),
            "received": series("received"),
            "financed": series("financed"),
            "groups": sorted((r["dimension"], r["key"], r["n"]) for r in groups),
        }

    def query(self, name: str) -> Callable[[], Awaitable[Any]]:
        return {"Q1": self.q1, "Q2": self.q2, "Q3": self.q3, "Q4": self.q4}[name]


#: the scope of the bench's REGULATOR caller
REGULATOR_SCOPE = SCOPE_OF[Role.REGULATOR].name
_DIMENSIONS = {
    "enterprise_category": "green_category",
    "expert_title": "expert_title",
    "disclosure_kind": "disclosure_kind",
}


def kept_form(rows: Any) -> Any:
    """Q4's normal form from (figure, key, count, amount) rows of platform_figure."""
    figures = {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def count(name: str) -> int:
        return figures.get((name, ""), (0, None))[0]

    def amount(name: str) -> Decimal:
        return figures.get((name, ""), (0, Decimal("0.00")))[1]

    def series(name: str) -> list[tuple[int, Decimal, int]]:
        return sorted((int(k), a, n) for (f, k), (n, a) in figures.items() if f == name)

    return {
        "counts": tuple(
            count(n) for n in ("enterprises", "institutions", "products", "experts", "listings")
        ),
        "totals": (amount("received"), amount("facilitated")),
        "received": series("received_year"),
        "financed": series("facilitated_year"),
        "groups": sorted(
            (_DIMENSIONS[f], k, n) for (f, k), (n, _) in figures.items() if f in _DIMENSIONS
        ),
    }


def _group(
    rows: list[asyncpg.Record], key: str, value: Callable[[Any], Any]
) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(value(row))
    return grouped


async def measure(floor: Floor, query: str, *, repetitions: int, cpu: int | None) -> float:
    """Mean microseconds per request over ``repetitions`` runs (after 10% warm-up runs)."""
    run = floor.query(query)
    before = os.sched_getaffinity(0)
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    try:
        for _ in range(max(1, repetitions // 10)):
            await run()
        started = perf_counter()
        for _ in range(repetitions):
            await run()
        return (perf_counter() - started) / repetitions * 1e6
    finally:
        os.sched_setaffinity(0, before)
