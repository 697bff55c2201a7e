"""Search arguments: one typed filter input and one sort enum per searchable entity.

A filter field is named like the facet that counts its values, so a client puts a bucket's
`value` straight into the field of the facet's `field`. Within a list field any value may
match; different fields must all hold.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.finance.models import Collateral, InstitutionKind, ProductKind
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)
from greenrong.schema.kit.filters import op

_REGION = "GB/T 2260 codes; a code also finds its sub-regions (510100 finds 510104)."


@strawberry.input(description="Whole numbers between two inclusive bounds; omit a side to open it.")
class IntRange:
    min: int | None = op("Smallest value (inclusive).")
    max: int | None = op("Largest value (inclusive).")


@strawberry.input(description="CNY amounts between two inclusive bounds; omit a side to open it.")
class MoneyRange:
    min: Decimal | None = op("Smallest amount, CNY (inclusive).")
    max: Decimal | None = op("Largest amount, CNY (inclusive).")


@strawberry.input(description="Dates between two inclusive bounds; omit a side to open it.")
class DateRange:
    min: datetime.date | None = op("Earliest date (inclusive).")
    max: datetime.date | None = op("Latest date (inclusive).")


@strawberry.input(description="Narrows a technology-listing search. All given fields must hold.")
class TechnologyListingSearchFilter:
    domain: list[TechnologyDomain] | None = op("Any of these domains.")
    region: list[str] | None = op(_REGION)
    maturity: IntRange | None = op("Technology readiness level (1–9) in this range.")
    asking_price: MoneyRange | None = op("Asking price in this range (negotiable ones drop out).")
    trade_mode: list[TradeMode] | None = op("Any of these trade modes.")
    status: list[ListingStatus] | None = op("Any of these publication states.")


@strawberry.input(description="Narrows a technology-need search. All given fields must hold.")
class TechnologyNeedSearchFilter:
    domain: list[TechnologyDomain] | None = op("Any of these domains.")
    region: list[str] | None = op(_REGION)
    budget: MoneyRange | None = op("Budget in this range (needs without a budget drop out).")
    deadline: DateRange | None = op("Deadline in this range.")
    status: list[NeedStatus] | None = op("Any of these states.")
    accepts_maturity: int | None = op(
        "Needs a listing of this technology readiness level (1–9) satisfies: their lowest "
        "accepted level is at or below it, or they accept any."
    )


@strawberry.input(
    description="Narrows a financial-product search to what a borrower can use. "
    "All given fields must hold."
)
class FinancialProductSearchFilter:
    kind: list[ProductKind] | None = op("Any of these product kinds.")
    institution_kind: list[InstitutionKind] | None = op("Offered by any of these institutions.")
    collateral: list[Collateral] | None = op("Accepts any of these kinds of collateral.")
    green_category: list[GreenCategory] | None = op(
        "Open to any of these categories (products open to every category included)."
    )
    region: list[str] | None = op(
        "Serves any of these GB/T 2260 regions: products for the region, for the regions "
        "around it (510000 is all of Sichuan) or for a part of it."
    )
    amount: Decimal | None = op("Lends this amount, CNY (between its smallest and largest).")
    term_months: int | None = op("Offers this term, months.")
    green_level: GreenLevel | None = op("The borrower's green level: products it qualifies for.")
    active: bool | None = op("Only products on offer (true) or withdrawn ones (false).")


@strawberry.input(description="Narrows an expert search. All given fields must hold.")
class ExpertSearchFilter:
    title: list[ExpertTitle] | None = op("Any of these professional titles.")
    region: list[str] | None = op(_REGION)
    specialty: list[str] | None = op("Has any of these specialties (exact, e.g. 污水处理).")


@strawberry.input(description="Narrows a disclosure search. All given fields must hold.")
class DisclosureSearchFilter:
    kind: list[DisclosureKind] | None = op("Any of these kinds.")
    year: IntRange | None = op("Reporting year in this range.")
    status: list[DisclosureStatus] | None = op("Any of these publication states.")
    subject_enterprise_id: strawberry.ID | None = op("Disclosed by this enterprise.")
    subject_institution_id: strawberry.ID | None = op("Disclosed by this institution.")


@strawberry.input(description="Narrows an enterprise search. All given fields must hold.")
class EnterpriseSearchFilter:
    green_category: list[GreenCategory] | None = op("Any of these green-industry categories.")
    green_level: list[GreenLevel] | None = op("Any of these green levels.")
    min_green_level: GreenLevel | None = op("At least this green level (绿 < 深绿 < 优绿).")
    region: list[str] | None = op(_REGION)
    size: list[EnterpriseSize] | None = op("Any of these size classes.")
    industry_section: list[str] | None = op("Any of these GB/T 4754-2017 sections (A–T).")


_RELEVANCE = "Best match first (the default with a query text), then newest."
_NEWEST = "Newest first (the default without a query text)."


@strawberry.enum(description="Orders of technology-listing search results; ties go by id.")
class TechnologyListingSearchSort(Enum):
    RELEVANCE = strawberry.enum_value("relevance", description=_RELEVANCE)
    NEWEST = strawberry.enum_value("newest", description=_NEWEST)
    PRICE_ASC = strawberry.enum_value(
        "price_asc", description="Cheapest first; negotiable prices last."
    )
    PRICE_DESC = strawberry.enum_value(
        "price_desc", description="Dearest first; negotiable prices last."
    )
    MATURITY_DESC = strawberry.enum_value(
        "maturity_desc", description="Most mature first, then newest."
    )


@strawberry.enum(description="Orders of technology-need search results; ties go by id.")
class TechnologyNeedSearchSort(Enum):
    RELEVANCE = strawberry.enum_value("relevance", description=_RELEVANCE)
    NEWEST = strawberry.enum_value("newest", description=_NEWEST)
    BUDGET_DESC = strawberry.enum_value(
        "budget_desc", description="Largest budget first; needs without one last."
    )
    DEADLINE_ASC = strawberry.enum_value(
        "deadline_asc", description="Nearest deadline first; needs without one last."
    )


@strawberry.enum(description="Orders of financial-product search results; ties go by id.")
class FinancialProductSearchSort(Enum):
    RELEVANCE = strawberry.enum_value("relevance", description=_RELEVANCE)
    NEWEST = strawberry.enum_value("newest", description=_NEWEST)
    RATE_ASC = strawberry.enum_value("rate_asc", description="Lowest starting rate first.")
    AMOUNT_DESC = strawberry.enum_value("amount_desc", description="Largest maximum amount first.")


@strawberry.enum(description="Orders of expert search results; ties go by id.")
class ExpertSearchSort(Enum):
    RELEVANCE = strawberry.enum_value("relevance", description=_RELEVANCE)
    NEWEST = strawberry.enum_value("newest", description=_NEWEST)
    NAME = strawberry.enum_value("name", description="By name (code-point order).")


@strawberry.enum(description="Orders of disclosure search results; ties go by id.")
class DisclosureSearchSort(Enum):
    RELEVANCE = strawberry.enum_value(
        "relevance",
        description="Best match first (the default with a query text), then latest year.",
    )
    NEWEST = strawberry.enum_value("newest", description=_NEWEST)
    YEAR_DESC = strawberry.enum_value("year_desc", description="Latest reporting year first.")


@strawberry.enum(description="Orders of enterprise search results; ties go by id.")
class EnterpriseSearchSort(Enum):
    RELEVANCE = strawberry.enum_value(
        "relevance", description="Best match first (the default with a query text), then name."
    )
    NEWEST = strawberry.enum_value("newest", description=_NEWEST)
    NAME = strawberry.enum_value("name", description="By name (code-point order).")
    GREEN_LEVEL_DESC = strawberry.enum_value(
        "green_level_desc", description="Highest green level first, then name."
    )


QueryArg = Annotated[
    str | None,
    strawberry.argument(
        description="Words to look for, Chinese or English. Synonyms count (光伏 finds "
        "太阳能发电); English words tolerate typos. Omit to list by the filter alone."
    ),
]
