"""Evaluator: technology need → listings (``TechnologyNeed.listingMatches``) on the demo
catalogue, judged by ``technology_cases.json``.

Each case is a synthetic need (never written to the database). It runs the same code as the
GraphQL field: ``indexers.matching.technology.rank_listings`` against the listings index. Every
listing of the top 10 is checked with ``domain.matching.technology.failures`` (ineligible ones
are counted), and the ideal order is taken over every listing those rules let match. A listing
is graded by the first judged technology core its title contains (see README.md).
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from kit import Case, Context, Result, ndcg_at
from sqlalchemy import select

from greenrong.domain.matching.technology import failures
from greenrong.domain.technology.models import (
    NeedStatus,
    TechnologyDomain,
    TechnologyListing,
    TechnologyNeed,
)
from greenrong.indexers.matching.technology import rank_listings

CASES = Path(__file__).with_name("technology_cases.json")
TOP = 10
#: the buyer of every case: an enterprise that owns no listing
BUYER = uuid.UUID(int=0)


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(CASES.read_text("utf-8"))["cases"]
    return cases


def need_of(case: dict[str, Any]) -> TechnologyNeed:
    n = case["need"]
    return TechnologyNeed(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"greenrong-bench/{case['id']}"),
        enterprise_id=BUYER,
        title=n["title"],
        description=n["description"],
        domain=TechnologyDomain(n["domain"]),
        budget=None if n["budget"] is None else Decimal(n["budget"]),
        min_maturity=n["min_maturity"],
        region_code=n["region_code"],
        status=NeedStatus.OPEN,
    )


def grade(grades: dict[str, int], listing: TechnologyListing) -> int:
    """The grade of the first judged core in the title; 0 when none is there."""
    return next((g for core, g in grades.items() if core in listing.title), 0)


async def evaluate(ctx: Context) -> Result:
    async with ctx.sessionmaker() as session:
        listings = {x.id: x for x in await session.scalars(select(TechnologyListing))}
    cases: list[Case] = []
    for case in load_cases():
        need = need_of(case)
        grades: dict[str, int] = case["grades"]
        (hits,) = await rank_listings(ctx.search, [need], size=TOP)
        top = [listings[hit.id] for hit in hits]
        ineligible = sum(bool(failures(x, need)) for x in top)
        pool = [grade(grades, x) for x in listings.values() if not failures(x, need)]
        score = ndcg_at([grade(grades, x) for x in top], pool, TOP)
        shown = " ".join(f"{x.title}({grade(grades, x)})" for x in top[:3])
        cases.append(Case(case["id"], score, ineligible, f"{len(pool):>3} eligible: {shown}"))
    return Result.of("technology need → listings", cases)
