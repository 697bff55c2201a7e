"""Platform statistics: the tables of the 绿蓉融 annual report, computed from the data."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.reference.vocab import GreenCategory


@strawberry.type(description="A money total for one calendar year (UTC).")
class YearAmount:
    year: int = strawberry.field(description="Calendar year.")
    amount: Decimal = strawberry.field(description="Total, CNY.")
    count: int = strawberry.field(description="How many records make up the total.")


@strawberry.type(description="Enterprises in one green category.")
class CategoryCount:
    category: GreenCategory = strawberry.field(description="Green industry category.")
    count: int = strawberry.field(description="Number of enterprises.")


@strawberry.type(description="Experts with one title.")
class TitleCount:
    title: ExpertTitle = strawberry.field(description="Professional title.")
    count: int = strawberry.field(description="Number of experts.")


@strawberry.type(description="Disclosures of one kind.")
class DisclosureKindCount:
    kind: DisclosureKind = strawberry.field(description="Kind of disclosure.")
    count: int = strawberry.field(description="Number of disclosures.")


@strawberry.type(description="Platform-wide figures, as in the seed report's tables.")
class PlatformStatistics:
    enterprise_count: int = strawberry.field(description="Enterprises on the platform.")
    institution_count: int = strawberry.field(description="Financial institutions.")
    product_count: int = strawberry.field(description="Financial products.")
    expert_count: int = strawberry.field(description="Experts.")
    listing_count: int = strawberry.field(description="Technology listings.")
    demand_received_total: Decimal = strawberry.field(
        description="Financing demand received (融资需求): sum of all demands' amounts, CNY."
    )
    financing_facilitated_total: Decimal = strawberry.field(
        description="Financing facilitated (促成融资): sum of financed amounts, CNY."
    )
    demand_received_by_year: list[YearAmount] = strawberry.field(
        description="Demand received by year of submission."
    )
    financing_facilitated_by_year: list[YearAmount] = strawberry.field(
        description="Financing facilitated by year of financing."
    )
    enterprises_by_green_category: list[CategoryCount] = strawberry.field(
        description="Enterprises per green category, every category listed."
    )
    experts_by_title: list[TitleCount] = strawberry.field(
        description="Experts per title, every title listed."
    )
    disclosures_by_kind: list[DisclosureKindCount] = strawberry.field(
        description="Disclosures per kind, every kind listed."
    )
    matching_service_count: int = strawberry.field(
        description="Matching services (对接服务): tracked financing matches plus technology deals."
    )
    match_financed_total: Decimal = strawberry.field(
        description="Amount financed through tracked financing matches, CNY (促成融资)."
    )
    match_financed_by_year: list[YearAmount] = strawberry.field(
        description="Financing through tracked matches by the year the match was financed."
    )
