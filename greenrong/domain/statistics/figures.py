"""What the platform figures count, declared once for SQL (a recomputation, ``repository.py``)
and for Python (one row's contribution, which ``upkeep.py`` adds and subtracts as rows change).

A figure is a count of rows and a sum of one amount, per key: the empty key for a total, a UTC
year, or an enum value. ``statistics_of`` turns the figures into ``PlatformStatistics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, TypeVar

from greenrong.domain.disclosure.models import Disclosure, DisclosureKind
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert, ExpertTitle
from greenrong.domain.finance.models import (
    DemandStatus,
    FinancialInstitution,
    FinancialProduct,
    FinancingDemand,
)
from greenrong.domain.identification.models import (
    GreenIdentification,
    GreenIdentificationCorrection,
)
from greenrong.domain.kit.models import Entity
from greenrong.domain.matching.tracked import FinancingMatch, MatchStatus, TechnologyDeal
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.statistics.types import PlatformStatistics, YearAmount
from greenrong.domain.technology.models import TechnologyListing

ZERO = Decimal("0.00")
TOTAL = ""  # the key of a figure that is one total


@dataclass(frozen=True)
class Part:
    """One figure's rows of one model: those whose ``status`` is ``when`` (if given), counted
    per ``key`` (an attribute, never None), per UTC year of ``year_of`` (rows without one
    count in no year) or per ``pair`` of attributes (``pair_key``: the first may be None),
    with ``amount`` summed (None counts as zero)."""

    figure: str
    model: type[Entity]
    key: str | None = None
    year_of: str | None = None
    amount: str | None = None
    when: Enum | None = None
    pair: tuple[str, str] | None = None

    def contribution(self, values: Mapping[str, Any]) -> tuple[str, Decimal] | None:
        """The key and amount ``values`` (one row's attributes) add, None when none."""
        if self.when is not None and values["status"] != self.when:
            return None
        key = TOTAL
        if self.key is not None:
            value = values[self.key]
            if value is None:
                return None
            key = value.value if isinstance(value, Enum) else str(value)
        elif self.year_of is not None:
            moment = values[self.year_of]
            if moment is None:
                return None
            key = str(utc_year(moment))
        elif self.pair is not None:
            key = pair_key(values[self.pair[0]], values[self.pair[1]])
        amount = values[self.amount] if self.amount is not None else None
        return key, Decimal(amount) if amount is not None else ZERO

    @property
    def attributes(self) -> frozenset[str]:
        named = (self.key, self.year_of, self.amount, "status" if self.when is not None else None)
        return frozenset(a for a in (*named, *(self.pair or ())) if a is not None)


PARTS: tuple[Part, ...] = (
    Part("enterprises", Enterprise),
    Part("enterprise_category", Enterprise, key="green_category"),
    Part("institutions", FinancialInstitution),
    Part("products", FinancialProduct),
    Part("experts", Expert),
    Part("expert_title", Expert, key="title"),
    Part("listings", TechnologyListing),
    # 受理融资需求: every demand, by the year it was submitted
    Part("received", FinancingDemand, amount="amount"),
    Part("received_year", FinancingDemand, year_of="submitted_at", amount="amount"),
    # 已促成融资: FINANCED demands (without a financed_at: in the total, in no year)
    Part("facilitated", FinancingDemand, amount="financed_amount", when=DemandStatus.FINANCED),
    Part(
        "facilitated_year",
        FinancingDemand,
        year_of="financed_at",
        amount="financed_amount",
        when=DemandStatus.FINANCED,
    ),
    # tracked matching services (对接服务): financing matches and technology deals
    Part("services", FinancingMatch),
    Part("services", TechnologyDeal),
    Part("match_financed", FinancingMatch, amount="amount", when=MatchStatus.FINANCED),
    Part(
        "match_financed_year",
        FinancingMatch,
        year_of="closed_at",
        amount="amount",
        when=MatchStatus.FINANCED,
    ),
    Part("disclosure_kind", Disclosure, key="kind"),
    # identificationStatistics: the engine's suggestions on projects by review status, the
    # reviewers' corrections, and those per (from code, to code)
    Part("suggestions", GreenIdentification, key="status"),
    Part("corrections", GreenIdentificationCorrection),
    Part("correction_pair", GreenIdentificationCorrection, pair=("from_code", "to_code")),
)

#: the models whose rows the figures count
TRACKED: tuple[type[Entity], ...] = tuple(dict.fromkeys(part.model for part in PARTS))


#: between the codes of a ``pair`` key (never in a code)
PAIR = "|"


def pair_key(first: str | None, second: str) -> str:
    """A pair's key: ``from|to``, with an empty ``from`` for None (a code is never empty)."""
    return f"{first or ''}{PAIR}{second}"


def utc_year(moment: datetime) -> int:
    """The UTC calendar year, as the SQL's ``utc_year`` reads it (naive means UTC)."""
    if moment.tzinfo is None:
        return moment.year
    try:
        return moment.astimezone(UTC).year
    except OverflowError:  # datetime.min/max in a zone other than UTC
        return moment.year


Key = tuple[str, str]  # (figure, key)


@dataclass
class Tally:
    count: int = 0
    amount: Decimal = ZERO


def add(figures: dict[Key, Tally], key: Key, count: int, amount: Decimal) -> None:
    tally = figures.setdefault(key, Tally())
    tally.count += count
    tally.amount += amount


def merged(*sources: Iterable[tuple[str, str, int, Decimal | None]]) -> dict[Key, Tally]:
    """(figure, key, count, amount) rows of several sources, summed per key."""
    figures: dict[Key, Tally] = {}
    for source in sources:
        for figure, key, count, amount in source:
            add(figures, (figure, key), count, amount or ZERO)
    return figures


E = TypeVar("E", bound=StrEnum)


def statistics_of(figures: Mapping[Key, Tally]) -> PlatformStatistics:
    """The figures as the API shows them: every enum member listed, years ascending."""

    def count(figure: str) -> int:
        tally = figures.get((figure, TOTAL))
        return tally.count if tally else 0

    def amount(figure: str) -> Decimal:
        tally = figures.get((figure, TOTAL))
        return tally.amount if tally and tally.count else ZERO

    def years(figure: str) -> list[YearAmount]:
        return sorted(
            (
                YearAmount(int(key), tally.amount, tally.count)
                for (name, key), tally in figures.items()
                if name == figure and tally.count
            ),
            key=lambda y: y.year,
        )

    def every(enum: type[E], figure: str) -> list[tuple[E, int]]:
        return [(m, t.count if (t := figures.get((figure, m.value))) else 0) for m in enum]

    return PlatformStatistics(
        enterprise_count=count("enterprises"),
        institution_count=count("institutions"),
        product_count=count("products"),
        expert_count=count("experts"),
        listing_count=count("listings"),
        demand_received_total=amount("received"),
        financing_facilitated_total=amount("facilitated"),
        demand_received_by_year=years("received_year"),
        financing_facilitated_by_year=years("facilitated_year"),
        enterprises_by_green_category=every(GreenCategory, "enterprise_category"),
        experts_by_title=every(ExpertTitle, "expert_title"),
        disclosures_by_kind=every(DisclosureKind, "disclosure_kind"),
        matching_service_count=count("services"),
        match_financed_total=amount("match_financed"),
        match_financed_by_year=years("match_financed_year"),
    )
