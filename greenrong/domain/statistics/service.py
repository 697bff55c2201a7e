"""Platform statistics in a handful of grouped aggregate statements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.disclosure.models import Disclosure, DisclosureKind
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert, ExpertTitle
from greenrong.domain.finance.models import (
    DemandStatus,
    FinancialInstitution,
    FinancialProduct,
    FinancingDemand,
)
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.technology.models import TechnologyListing

E = TypeVar("E", bound=StrEnum)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class YearAmount:
    year: int
    amount: Decimal
    count: int


@dataclass(frozen=True)
class PlatformStatistics:
    enterprise_count: int
    institution_count: int
    product_count: int
    expert_count: int
    listing_count: int
    demand_received_total: Decimal
    financing_facilitated_total: Decimal
    demand_received_by_year: list[YearAmount]
    financing_facilitated_by_year: list[YearAmount]
    enterprises_by_green_category: list[tuple[GreenCategory, int]]
    experts_by_title: list[tuple[ExpertTitle, int]]
    disclosures_by_kind: list[tuple[DisclosureKind, int]]


async def _count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _by_enum(session: AsyncSession, column: Any, enum: type[E]) -> list[tuple[E, int]]:
    """Counts per enum value, every value listed (zero when absent), in declaration order."""
    rows = (await session.execute(select(column, func.count()).group_by(column))).all()
    found = {enum(value): int(n) for value, n in rows}
    return [(member, found.get(member, 0)) for member in enum]


async def _by_year(session: AsyncSession, amount: Any, stamp: Any, *where: Any) -> list[YearAmount]:
    year = extract("year", stamp)
    statement = (
        select(year, func.sum(amount, type_=amount.type), func.count())
        .where(*where)
        .group_by(year)
        .order_by(year)
    )
    return [
        YearAmount(int(y), total or ZERO, int(n))
        for y, total, n in (await session.execute(statement)).all()
    ]


async def platform_statistics(session: AsyncSession) -> PlatformStatistics:
    demand = FinancingDemand
    financed = demand.status == DemandStatus.FINANCED
    received = await _by_year(session, demand.amount, demand.submitted_at)
    facilitated = await _by_year(session, demand.financed_amount, demand.financed_at, financed)
    return PlatformStatistics(
        enterprise_count=await _count(session, Enterprise),
        institution_count=await _count(session, FinancialInstitution),
        product_count=await _count(session, FinancialProduct),
        expert_count=await _count(session, Expert),
        listing_count=await _count(session, TechnologyListing),
        demand_received_total=sum((y.amount for y in received), ZERO),
        financing_facilitated_total=sum((y.amount for y in facilitated), ZERO),
        demand_received_by_year=received,
        financing_facilitated_by_year=facilitated,
        enterprises_by_green_category=await _by_enum(
            session, Enterprise.green_category, GreenCategory
        ),
        experts_by_title=await _by_enum(session, Expert.title, ExpertTitle),
        disclosures_by_kind=await _by_enum(session, Disclosure.kind, DisclosureKind),
    )
