"""Results of the statistics context (plain frozen dataclasses, no ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.reference.vocab import GreenCategory


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
    #: sum of every financing demand's amount (受理融资需求)
    demand_received_total: Decimal
    #: sum of financed_amount over FINANCED demands (已促成融资)
    financing_facilitated_total: Decimal
    #: by the UTC year of submitted_at, ascending
    demand_received_by_year: list[YearAmount]
    #: by the UTC year of financed_at, ascending
    financing_facilitated_by_year: list[YearAmount]
    #: every category in enum order, zeros included
    enterprises_by_green_category: list[tuple[GreenCategory, int]]
    #: every title in enum order, zeros included
    experts_by_title: list[tuple[ExpertTitle, int]]
    #: every kind in enum order, zeros included
    disclosures_by_kind: list[tuple[DisclosureKind, int]]
    #: tracked matching services (对接服务): financing matches plus technology deals
    matching_service_count: int = 0
    #: sum of amount over FINANCED financing matches
    match_financed_total: Decimal = Decimal("0.00")
    #: FINANCED financing matches by the UTC year of closed_at, ascending
    match_financed_by_year: list[YearAmount] = field(default_factory=list)
