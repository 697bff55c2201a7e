"""Evaluator: financing demand → products (``FinancingDemand.productMatches``) on the demo
catalogue, judged by ``finance_cases.json``.

Each case is a synthetic enterprise and demand (never written to the database). It runs the
same code as the GraphQL field: ``finance_rules.borrower`` and ``demand_text``, then
``indexers.matching.finance.rank_products`` against the products index. Every product of the
top 10 is checked with the Python rules (ineligible ones are counted), and the ideal order is
taken over every product the rules make eligible, graded by name.

Cases marked ``"catalogue": "purpose"`` run against the file's own small catalogue
(``catalogues.purpose``: per green category products made for one technology or use each, a
general product of the category and two generic green products), loaded into a throwaway
database and an index of their own, so the demo cases' pools are untouched. Every eligible
product is ranked, and the graded pairs in order are counted (a product made for the purpose
above the category's general product, above a generic one, above one made for another
purpose).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import tempfile
import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from kit import Case, Context, Result, grade_of, ndcg_at, pairs_in_order
from sqlalchemy import select

from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import (
    Collateral,
    FinancialInstitution,
    FinancialProduct,
    FinancingDemand,
    InstitutionKind,
    ProductKind,
)
from greenrong.domain.matching.finance import demand_text
from greenrong.domain.matching.finance_rules import borrower, eligible
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.matching.finance import rank_products
from greenrong.indexers.products.document import PRODUCTS
from greenrong.migrations.runner import upgrade

CASES = Path(__file__).with_name("finance_cases.json")
TOP = 10


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CASES.read_text("utf-8"))
    return data


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = load()["cases"]
    return cases


def catalogue_rows(
    catalogue: dict[str, Any],
) -> tuple[list[FinancialInstitution], list[FinancialProduct]]:
    """A case catalogue's institutions and products as new rows (ids derived from the names)."""
    institutions = {
        i["key"]: FinancialInstitution(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"greenrong-bench/institution/{i['name']}"),
            name=i["name"],
            kind=InstitutionKind(i["kind"]),
            region_code=i["region_code"],
        )
        for i in catalogue["institutions"]
    }
    products = [
        FinancialProduct(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"greenrong-bench/product/{p['name']}"),
            institution_id=institutions[p["institution"]].id,
            name=p["name"],
            kind=ProductKind(p["kind"]),
            description=p["description"],
            min_amount=Decimal(p["amount_wan"][0]) * 10_000,
            max_amount=Decimal(p["amount_wan"][1]) * 10_000,
            min_term_months=p["term_months"][0],
            max_term_months=p["term_months"][1],
            min_rate=Decimal(p["rate"][0]),
            max_rate=Decimal(p["rate"][1]),
            eligible_green_categories=list(p["categories"]),
            eligible_region_codes=list(p.get("regions", ["510000"])),
            accepted_collateral=[Collateral(c).value for c in p["collateral"]],
            active=True,
        )
        for p in catalogue["products"]
    ]
    return list(institutions.values()), products


def rows_of(case: dict[str, Any]) -> tuple[FinancingDemand, Enterprise, Project | None]:
    """The case as unsaved rows (only the attributes matching reads)."""
    e, d = case["enterprise"], case["demand"]
    valid_until = e.get("green_level_valid_until")
    enterprise = Enterprise(
        region_code=e["region_code"],
        green_category=GreenCategory(e["green_category"]),
        green_level=GreenLevel(e["green_level"]),
        green_level_valid_until=None if valid_until is None else date.fromisoformat(valid_until),
    )
    project = None
    if d.get("project"):
        project = Project(title=d["project"]["title"], description=d["project"]["description"])
    demand = FinancingDemand(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"greenrong-bench/{case['id']}"),
        amount=Decimal(d["amount"]),
        term_months=d["term_months"],
        max_rate=None if d.get("max_rate") is None else Decimal(d["max_rate"]),
        collateral_offered=list(d["collateral_offered"]),
        accepted_product_kinds=list(d["accepted_kinds"]),
        purpose=d["purpose"],
    )
    return demand, enterprise, project


async def evaluate(ctx: Context) -> list[Result]:
    data = load()
    demo = [c for c in data["cases"] if "catalogue" not in c]
    purpose = [c for c in data["cases"] if c.get("catalogue") == "purpose"]
    async with ctx.sessionmaker() as session:
        products = {p.id: p for p in await session.scalars(select(FinancialProduct))}
    results = [
        Result.of("financing demand → products", await _judge(ctx, ctx.search, products, demo, TOP))
    ]
    if purpose:
        with tempfile.TemporaryDirectory(prefix="greenrong-relevance-purpose-") as tmp:
            own = await _own_catalogue(ctx, data["catalogues"]["purpose"], f"{tmp}/purpose.db")
            search, products = own
            cases = await _judge(ctx, search, products, purpose, len(products))
        results.append(Result.of("financing demand → products, purpose", cases))
    return results


async def _own_catalogue(
    ctx: Context, catalogue: dict[str, Any], path: str
) -> tuple[SearchEngine, dict[uuid.UUID, FinancialProduct]]:
    """The catalogue in a throwaway SQLite database, indexed under an alias of its own."""
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    try:
        sessionmaker = create_sessionmaker(engine)
        institutions, rows = catalogue_rows(catalogue)
        async with sessionmaker.begin() as session:
            session.add_all(institutions)
            await session.flush()
            session.add_all(rows)
        search = dataclasses.replace(ctx.search, prefix=f"{ctx.search.prefix}-bench-purpose")
        await rebuild(search, sessionmaker, PRODUCTS)
        async with sessionmaker() as session:
            products = {p.id: p for p in await session.scalars(select(FinancialProduct))}
    finally:
        await engine.dispose()
    return search, products


async def _judge(
    ctx: Context,
    search: SearchEngine,
    products: Mapping[uuid.UUID, FinancialProduct],
    judged: list[dict[str, Any]],
    size: int,
) -> list[Case]:
    cases: list[Case] = []
    for case in judged:
        demand, enterprise, project = rows_of(case)
        # the benchmark judges the full matching: nothing is withheld from it
        b = borrower(demand, enterprise, on=ctx.on, withheld=frozenset())
        grades: dict[str, int] = case["grades"]
        text = demand_text(demand, project, withheld=frozenset())
        ranking = await rank_products(search, b, text, size=max(size, TOP))
        ranked = [products[hit.id] for hit in ranking.hits]
        top = ranked[:TOP]
        ineligible = sum(not eligible(b, p) for p in top)
        pool = [p for p in products.values() if eligible(b, p)]
        score = ndcg_at(
            [grade_of(grades, p.name) for p in top], [grade_of(grades, p.name) for p in pool], TOP
        )
        seen = {p.id for p in ranked}
        pairs, in_order = pairs_in_order(
            [grade_of(grades, p.name) for p in ranked],
            [grade_of(grades, p.name) for p in pool if p.id not in seen],
        )
        shown = " ".join(
            f"{p.name}({grade_of(grades, p.name)})" for p in top[: 5 if size <= TOP else 9]
        )
        note = f"{len(pool):>2} eligible, {in_order}/{pairs} pairs in order: {shown}"
        cases.append(Case(case["id"], score, ineligible, note, pairs, in_order))
    return cases
