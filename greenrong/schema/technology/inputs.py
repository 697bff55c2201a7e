from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)
from greenrong.schema.kit.filters import (
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    SortDirection,
    StringFilter,
    op,
)

_ALL, _OR, _NOT = "All of these hold.", "At least one of these holds.", "This does not hold."


@strawberry.input(description="Conditions on technology listings. All given conditions must hold.")
class ListingWhere:
    id: IDFilter | None = op("The listing's id.")
    owner_enterprise_id: IDFilter | None = op("The owning enterprise's id.")
    owner_institution_id: IDFilter | None = op("The owning institution's id.")
    title: StringFilter | None = op("Title.")
    domain: EnumFilter[TechnologyDomain] | None = op("Environmental domain.")
    maturity: IntFilter | None = op("Technology readiness level, 1–9.")
    trade_mode: EnumFilter[TradeMode] | None = op("Trade mode.")
    asking_price: DecimalFilter | None = op("Asking price, CNY.")
    region_code: StringFilter | None = op("GB/T 2260 region code.")
    status: EnumFilter[ListingStatus] | None = op("Publication state.")
    created_at: DateTimeFilter | None = op("When the record was created.")
    and_: list[ListingWhere] | None = op(_ALL, name="and")
    or_: list[ListingWhere] | None = op(_OR, name="or")
    not_: ListingWhere | None = op(_NOT, name="not")


@strawberry.enum(description="What technology listings can be ordered by.")
class ListingOrderField(Enum):
    TITLE = strawberry.enum_value("title", description="Title.")
    MATURITY = strawberry.enum_value("maturity", description="Readiness level.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class ListingOrder:
    field: ListingOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


@strawberry.input(description="Conditions on technology needs. All given conditions must hold.")
class NeedWhere:
    id: IDFilter | None = op("The need's id.")
    enterprise_id: IDFilter | None = op("The buyer enterprise's id.")
    title: StringFilter | None = op("Title.")
    domain: EnumFilter[TechnologyDomain] | None = op("Environmental domain.")
    budget: DecimalFilter | None = op("Budget, CNY.")
    min_maturity: IntFilter | None = op("Lowest technology readiness level accepted.")
    region_code: StringFilter | None = op("GB/T 2260 region code.")
    deadline: DateFilter | None = op("Deadline.")
    status: EnumFilter[NeedStatus] | None = op("State.")
    and_: list[NeedWhere] | None = op(_ALL, name="and")
    or_: list[NeedWhere] | None = op(_OR, name="or")
    not_: NeedWhere | None = op(_NOT, name="not")


@strawberry.enum(description="What technology needs can be ordered by.")
class NeedOrderField(Enum):
    TITLE = strawberry.enum_value("title", description="Title.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class NeedOrder:
    field: NeedOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


ListingWhereArg = Annotated[
    ListingWhere | None, strawberry.argument(description="Only listings matching all conditions.")
]
ListingOrderArg = Annotated[
    list[ListingOrder] | None, strawberry.argument(description="Ordering (default: newest first).")
]
NeedWhereArg = Annotated[
    NeedWhere | None, strawberry.argument(description="Only needs matching all conditions.")
]
NeedOrderArg = Annotated[
    list[NeedOrder] | None, strawberry.argument(description="Ordering (default: newest first).")
]


@strawberry.input(description="A new technology listing. Give exactly one owner.")
class CreateListingInput:
    owner_enterprise_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owner enterprise."
    )
    owner_institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owner institution."
    )
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(default="", description="Description.")
    domain: TechnologyDomain = strawberry.field(description="Environmental domain.")
    maturity: int = strawberry.field(description="Technology readiness level, 1–9.")
    trade_mode: TradeMode = strawberry.field(description="Trade mode.")
    asking_price: Decimal | None = strawberry.field(default=None, description="Asking price, CNY.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    status: ListingStatus = strawberry.field(
        default=ListingStatus.DRAFT, description="Publication state."
    )


@strawberry.input(description="Changes to a listing; omitted fields stay as they are.")
class UpdateListingInput:
    id: strawberry.ID = strawberry.field(description="The listing's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    title: str | None = op("Title.")
    description: str | None = op("Description.")
    domain: TechnologyDomain | None = op("Environmental domain.")
    maturity: int | None = op("Technology readiness level, 1–9.")
    trade_mode: TradeMode | None = op("Trade mode.")
    asking_price: Decimal | None = op("Asking price, CNY.")
    region_code: str | None = op("GB/T 2260 region code.")
    status: ListingStatus | None = op("Publication state.")


@strawberry.input(description="A new technology need.")
class CreateNeedInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The buyer enterprise.")
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(default="", description="Description.")
    domain: TechnologyDomain = strawberry.field(description="Environmental domain.")
    budget: Decimal | None = strawberry.field(default=None, description="Budget, CNY.")
    min_maturity: int | None = strawberry.field(
        default=None, description="Lowest technology readiness level accepted, 1–9 (none: any)."
    )
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    deadline: datetime.date | None = strawberry.field(default=None, description="Deadline.")


@strawberry.input(description="Changes to a need; omitted fields stay as they are.")
class UpdateNeedInput:
    id: strawberry.ID = strawberry.field(description="The need's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    title: str | None = op("Title.")
    description: str | None = op("Description.")
    domain: TechnologyDomain | None = op("Environmental domain.")
    budget: Decimal | None = op("Budget, CNY.")
    min_maturity: int | None = op("Lowest technology readiness level accepted, 1–9 (null: any).")
    region_code: str | None = op("GB/T 2260 region code.")
    deadline: datetime.date | None = op("Deadline.")
    status: NeedStatus | None = op("State.")
