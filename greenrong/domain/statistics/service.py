"""Platform statistics: the report's headline figures, exact, from three SQL statements.

The figures are the caller's: each counts and sums only the rows the caller may see
(``policy.visible_rows``), so ADMIN and REGULATOR get the platform's figures and the public
gets the figures of public rows, which no private row moves (docs/SECURITY.md, "Statistics").
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access import policy
from greenrong.domain.access.predicates import to_sql
from greenrong.domain.access.principal import Principal
from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.kit.types import utcnow
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.statistics.repository import (
    DISCLOSURE_KIND,
    EXPERT_TITLE,
    FINANCED,
    GREEN_CATEGORY,
    MATCH_FINANCED,
    RECEIVED,
    GroupCount,
    StatisticsRepository,
    YearRow,
)
from greenrong.domain.statistics.types import PlatformStatistics, YearAmount

__all__ = ["PlatformStatistics", "YearAmount", "platform_statistics"]

ZERO = Decimal("0.00")
E = TypeVar("E", bound=StrEnum)


async def platform_statistics(session: AsyncSession, *, principal: Principal) -> PlatformStatistics:
    """Counts, money totals, money by UTC year and breakdowns, with every enum member listed,
    over the rows ``principal`` may see."""
    now = utcnow()

    def rows(model: type[Any]) -> ColumnElement[bool] | None:
        return to_sql(model, policy.visible_rows(principal, model.entity_type), now=now)

    repository = StatisticsRepository(session, rows=rows)
    totals = await repository.totals()
    years = await repository.amounts_by_year()
    groups = await repository.group_counts()
    return PlatformStatistics(
        enterprise_count=totals.enterprises,
        institution_count=totals.institutions,
        product_count=totals.products,
        expert_count=totals.experts,
        listing_count=totals.listings,
        demand_received_total=totals.demand_received or ZERO,
        financing_facilitated_total=totals.financing_facilitated or ZERO,
        demand_received_by_year=_series(years, RECEIVED),
        financing_facilitated_by_year=_series(years, FINANCED),
        enterprises_by_green_category=_every(GreenCategory, groups, GREEN_CATEGORY),
        experts_by_title=_every(ExpertTitle, groups, EXPERT_TITLE),
        disclosures_by_kind=_every(DisclosureKind, groups, DISCLOSURE_KIND),
        matching_service_count=totals.matching_services,
        match_financed_total=totals.match_financed or ZERO,
        match_financed_by_year=_series(years, MATCH_FINANCED),
    )


def _series(rows: Iterable[YearRow], series: str) -> list[YearAmount]:
    return sorted(
        (YearAmount(r.year, r.amount or ZERO, r.count) for r in rows if r.series == series),
        key=lambda y: y.year,
    )


def _every(enum: type[E], rows: Iterable[GroupCount], dimension: str) -> list[tuple[E, int]]:
    counts = {r.key: r.count for r in rows if r.dimension == dimension}
    return [(member, counts.get(member.value, 0)) for member in enum]
