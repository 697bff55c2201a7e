"""The SQL of matching: whether a match, deal or review assignment is taken, the open review
work per expert (THE load rule), and the open technology needs buyer matching ranks. The
demand candidates are in ``finance_repository.py``, the buyer leads in ``lead_repository.py``."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.matching.tracked import (
    FinancingMatch,
    ReviewAssignment,
    ReviewStatus,
    TechnologyDeal,
)
from greenrong.domain.technology.models import (
    NeedStatus,
    TechnologyDomain,
    TechnologyListing,
    TechnologyNeed,
)


async def _exists(session: AsyncSession, *conditions: ColumnElement[bool]) -> bool:
    """Whether a row meets every condition (the conditions name one table)."""
    found = await session.scalar(select(literal(1)).where(*conditions).limit(1))
    return found is not None


async def match_taken(
    session: AsyncSession, *, demand_id: uuid.UUID, product_id: uuid.UUID
) -> bool:
    """Whether the demand already has a match with the product."""
    match = FinancingMatch
    return await _exists(session, match.demand_id == demand_id, match.product_id == product_id)


async def deal_taken(
    session: AsyncSession, *, listing_id: uuid.UUID, enterprise_id: uuid.UUID
) -> bool:
    """Whether the buyer already has a deal on the listing."""
    deal = TechnologyDeal
    buyer = deal.enterprise_id == enterprise_id
    return await _exists(session, deal.listing_id == listing_id, buyer)


async def assignment_taken(
    session: AsyncSession, *, project_id: uuid.UUID, expert_id: uuid.UUID
) -> bool:
    """Whether the expert already reviews the project."""
    review = ReviewAssignment
    return await _exists(session, review.project_id == project_id, review.expert_id == expert_id)


def _open_work() -> Any:
    """Every OPEN piece of review work, one row per piece with its ``expert_id``: project
    review assignments and certification reviews. THE load rule: every reviewer match, project
    or enterprise, and every assignment counts both against ``open_limit``."""
    from greenrong.domain.certification.models import (
        CertificationReview,
        CertificationReviewStatus,
    )

    return union_all(
        select(ReviewAssignment.expert_id.label("expert_id")).where(
            ReviewAssignment.status == ReviewStatus.OPEN
        ),
        select(CertificationReview.expert_id.label("expert_id")).where(
            CertificationReview.status == CertificationReviewStatus.OPEN
        ),
    ).subquery()


async def open_reviews(
    session: AsyncSession, expert_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Open review work per expert (``_open_work``); experts without any are left out."""
    ids = list(expert_ids)
    if not ids:
        return {}
    work = _open_work()
    rows = await session.execute(
        select(work.c.expert_id, func.count())
        .where(work.c.expert_id.in_(ids))
        .group_by(work.c.expert_id)
    )
    return {expert_id: int(count) for expert_id, count in rows}


async def experts_at_limit(session: AsyncSession, *, limit: int) -> list[uuid.UUID]:
    """Experts holding ``limit`` or more pieces of open review work (matches leave them out)."""
    work = _open_work()
    rows = await session.scalars(
        select(work.c.expert_id)
        .group_by(work.c.expert_id)
        .having(func.count() >= limit)
        .order_by(work.c.expert_id)
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class OpenNeed:
    """What buyer matching ranks an open need by: its rules, its text, its place and age (the
    whole row is read for the needs that reach a listing's page only, ``needs_by_id``)."""

    id: uuid.UUID
    enterprise_id: uuid.UUID
    domain: TechnologyDomain
    status: NeedStatus
    budget: Decimal | None
    min_maturity: int | None
    region_code: str
    created_at: datetime
    title: str
    description: str


_OPEN_NEED = tuple(getattr(TechnologyNeed, f.name) for f in fields(OpenNeed))


async def open_needs(
    session: AsyncSession, listings: Collection[TechnologyListing]
) -> list[OpenNeed]:
    """The open technology needs that may be a buyer of at least one of these (published)
    listings: ``technology.failures``' rules on budget and maturity, in SQL, per domain against
    the cheapest price and the highest maturity of the batch's listings of that domain. A
    superset of the needs that pass for some listing (the caller applies ``failures`` per
    listing); read as columns, not entities, since most of them reach no page."""
    by_domain: dict[TechnologyDomain, list[TechnologyListing]] = {}
    for listing in listings:
        by_domain.setdefault(listing.domain, []).append(listing)
    if not by_domain:
        return []
    per_domain = []
    for domain, of_domain in sorted(by_domain.items()):
        conditions = [TechnologyNeed.domain == domain]
        prices = [x.asking_price for x in of_domain]
        if None not in prices:  # a listing without a price fits any budget
            cheapest = min(p for p in prices if p is not None)
            conditions.append(
                or_(TechnologyNeed.budget.is_(None), TechnologyNeed.budget >= cheapest)
            )
        conditions.append(
            or_(
                TechnologyNeed.min_maturity.is_(None),
                TechnologyNeed.min_maturity <= max(x.maturity for x in of_domain),
            )
        )
        per_domain.append(and_(*conditions))
    found = await session.execute(
        select(*_OPEN_NEED).where(TechnologyNeed.status == NeedStatus.OPEN, or_(*per_domain))
    )
    return [OpenNeed(*row) for row in found]


async def needs_by_id(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, TechnologyNeed]:
    """These technology needs, whole, by id (one statement; none for no ids)."""
    if not ids:
        return {}
    found = await session.scalars(select(TechnologyNeed).where(TechnologyNeed.id.in_(ids)))
    return {n.id: n for n in found}
