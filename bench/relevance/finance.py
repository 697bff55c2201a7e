"""Evaluator: financing demand → products (``FinancingDemand.productMatches``) on the demo
catalogue, judged by ``finance_cases.json``.

Each case is a synthetic enterprise and demand (never written to the database). It runs the
same code as the GraphQL field: ``finance_rules.borrower`` and ``demand_text``, then
``indexers.matching.finance.rank_products`` against the products index. Every product of the
top 10 is checked with the Python rules (ineligible ones are counted), and the ideal order is
taken over every product the rules make eligible, graded by name.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from kit import Case, Context, Result, grade_of, ndcg_at
from sqlalchemy import select

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialProduct, FinancingDemand
from greenrong.domain.matching.finance import demand_text
from greenrong.domain.matching.finance_rules import borrower, eligible
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.indexers.matching.finance import rank_products

CASES = Path(__file__).with_name("finance_cases.json")
TOP = 10


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(CASES.read_text("utf-8"))["cases"]
    return cases


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


async def evaluate(ctx: Context) -> Result:
    async with ctx.sessionmaker() as session:
        products = {p.id: p for p in await session.scalars(select(FinancialProduct))}
    cases: list[Case] = []
    for case in load_cases():
        demand, enterprise, project = rows_of(case)
        # the benchmark judges the full matching: nothing is withheld from it
        b = borrower(demand, enterprise, on=ctx.on, withheld=frozenset())
        grades: dict[str, int] = case["grades"]
        text = demand_text(demand, project, withheld=frozenset())
        ranking = await rank_products(ctx.search, b, text, size=TOP)
        top = [products[hit.id] for hit in ranking.hits]
        ineligible = sum(not eligible(b, p) for p in top)
        pool = [grade_of(grades, p.name) for p in products.values() if eligible(b, p)]
        score = ndcg_at([grade_of(grades, p.name) for p in top], pool, TOP)
        shown = " ".join(f"{p.name}({grade_of(grades, p.name)})" for p in top[:5])
        cases.append(Case(case["id"], score, ineligible, f"{len(pool):>2} eligible: {shown}"))
    return Result.of("financing demand → products", cases)
