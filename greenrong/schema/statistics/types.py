"""Platform statistics: the tables of the 绿蓉融 annual report, computed from the data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.libraries.models import Library
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema.kit.context import Info


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


@strawberry.type(description="One green category's part of a library.")
class LibraryCategoryShare:
    category: GreenCategory = strawberry.field(description="Green industry category.")
    count: int = strawberry.field(description="Open memberships whose subject is in it.")
    share: Decimal = strawberry.field(
        description="count / the library's open memberships, half-up to 4 places (0 if empty)."
    )
    share_percent: int = strawberry.field(
        description="Whole per cent by the largest-remainder method: a library's add up to 100 "
        "(docs/LIBRARIES.md)."
    )


@strawberry.type(description="One green library's open memberships (入库数量).")
class LibraryCount:
    library: Library = strawberry.field(description="The library.")
    count: int = strawberry.field(description="Memberships open on the day asked for.")
    by_green_category: list[LibraryCategoryShare] = strawberry.field(
        description="Shares by the subject's green category, every category listed."
    )


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

    @strawberry.field(
        description="Open memberships per library, and shares by green category (one query)."
    )
    async def libraries(
        self,
        info: Info,
        on: Annotated[
            datetime.date | None,
            strawberry.argument(description="The day (default: today, China time)."),
        ] = None,
    ) -> list[LibraryCount]:
        from greenrong.resolvers.libraries import library_counts

        return await library_counts(info, on)
