from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.finance.models import Collateral, DemandStatus, InstitutionKind, ProductKind
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.schema.kit.filters import (
    BooleanFilter,
    DateTimeFilter,
    DecimalFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    SortDirection,
    StringFilter,
    TagsFilter,
    op,
)

_ALL, _OR, _NOT = "All of these hold.", "At least one of these holds.", "This does not hold."
_DIRECTION = "Direction."


@strawberry.input(
    description="Conditions on financial institutions. All given conditions must hold."
)
class InstitutionWhere:
    id: IDFilter | None = op("The institution's id.")
    name: StringFilter | None = op("Name.")
    kind: EnumFilter[InstitutionKind] | None = op("Kind.")
    region_code: StringFilter | None = op("GB/T 2260 region code.")
    and_: list[InstitutionWhere] | None = op(_ALL, name="and")
    or_: list[InstitutionWhere] | None = op(_OR, name="or")
    not_: InstitutionWhere | None = op(_NOT, name="not")


@strawberry.enum(description="What institutions can be ordered by.")
class InstitutionOrderField(Enum):
    NAME = strawberry.enum_value("name", description="Name.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class InstitutionOrder:
    field: InstitutionOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description=_DIRECTION)


@strawberry.input(description="Conditions on financial products. All given conditions must hold.")
class ProductWhere:
    id: IDFilter | None = op("The product's id.")
    institution_id: IDFilter | None = op("The issuing institution's id.")
    name: StringFilter | None = op("Name.")
    kind: EnumFilter[ProductKind] | None = op("Kind.")
    min_amount: DecimalFilter | None = op("Smallest amount, CNY.")
    max_amount: DecimalFilter | None = op("Largest amount, CNY.")
    min_rate: DecimalFilter | None = op("Lowest annual rate (fraction).")
    max_term_months: IntFilter | None = op("Longest term, months.")
    eligible_green_categories: TagsFilter[GreenCategory] | None = op("Eligible categories.")
    accepted_collateral: TagsFilter[Collateral] | None = op("Accepted collateral.")
    min_green_level: EnumFilter[GreenLevel] | None = op("Minimum green level.")
    active: BooleanFilter | None = op("Offered now.")
    and_: list[ProductWhere] | None = op(_ALL, name="and")
    or_: list[ProductWhere] | None = op(_OR, name="or")
    not_: ProductWhere | None = op(_NOT, name="not")


@strawberry.enum(description="What products can be ordered by.")
class ProductOrderField(Enum):
    NAME = strawberry.enum_value("name", description="Name.")
    MIN_RATE = strawberry.enum_value("min_rate", description="Lowest rate.")
    MAX_AMOUNT = strawberry.enum_value("max_amount", description="Largest amount.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class ProductOrder:
    field: ProductOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description=_DIRECTION)


@strawberry.input(description="Conditions on financing demands. All given conditions must hold.")
class DemandWhere:
    id: IDFilter | None = op("The demand's id.")
    enterprise_id: IDFilter | None = op("The enterprise's id.")
    project_id: IDFilter | None = op("The project's id.")
    product_id: IDFilter | None = op("The financing product's id.")
    amount: DecimalFilter | None = op("Amount sought, CNY.")
    term_months: IntFilter | None = op("Term, months.")
    purpose: StringFilter | None = op("Purpose text.")
    status: EnumFilter[DemandStatus] | None = op("Status.")
    collateral_offered: TagsFilter[Collateral] | None = op("Collateral offered.")
    submitted_at: DateTimeFilter | None = op("When it was submitted.")
    financed_at: DateTimeFilter | None = op("When it was financed.")
    and_: list[DemandWhere] | None = op(_ALL, name="and")
    or_: list[DemandWhere] | None = op(_OR, name="or")
    not_: DemandWhere | None = op(_NOT, name="not")


@strawberry.enum(description="What financing demands can be ordered by.")
class DemandOrderField(Enum):
    SUBMITTED_AT = strawberry.enum_value("submitted_at", description="Submission time.")
    AMOUNT = strawberry.enum_value("amount", description="Amount.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class DemandOrder:
    field: DemandOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description=_DIRECTION)


InstitutionWhereArg = Annotated[
    InstitutionWhere | None,
    strawberry.argument(description="Only institutions matching all conditions."),
]
InstitutionOrderArg = Annotated[
    list[InstitutionOrder] | None, strawberry.argument(description="Ordering (default: by name).")
]
ProductWhereArg = Annotated[
    ProductWhere | None, strawberry.argument(description="Only products matching all conditions.")
]
ProductOrderArg = Annotated[
    list[ProductOrder] | None, strawberry.argument(description="Ordering (default: by name).")
]
DemandWhereArg = Annotated[
    DemandWhere | None, strawberry.argument(description="Only demands matching all conditions.")
]
DemandOrderArg = Annotated[
    list[DemandOrder] | None, strawberry.argument(description="Ordering (default: oldest first).")
]


@strawberry.input(description="A new financial institution.")
class CreateInstitutionInput:
    name: str = strawberry.field(description="Name.")
    kind: InstitutionKind = strawberry.field(description="Kind.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    description: str = strawberry.field(default="", description="Description.")


@strawberry.input(description="Changes to an institution; omitted fields stay as they are.")
class UpdateInstitutionInput:
    id: strawberry.ID = strawberry.field(description="The institution's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    name: str | None = op("Name.")
    kind: InstitutionKind | None = op("Kind.")
    region_code: str | None = op("GB/T 2260 region code.")
    description: str | None = op("Description.")


@strawberry.input(description="A new financial product.")
class CreateProductInput:
    institution_id: strawberry.ID = strawberry.field(description="The issuing institution.")
    name: str = strawberry.field(description="Name, e.g. 碳汇贷.")
    kind: ProductKind = strawberry.field(description="Kind.")
    min_amount: Decimal = strawberry.field(description="Smallest amount, CNY.")
    max_amount: Decimal = strawberry.field(description="Largest amount, CNY.")
    min_term_months: int = strawberry.field(description="Shortest term, months.")
    max_term_months: int = strawberry.field(description="Longest term, months.")
    min_rate: Decimal = strawberry.field(description="Lowest annual rate, as a fraction (0.0345).")
    max_rate: Decimal = strawberry.field(description="Highest annual rate, as a fraction.")
    eligible_green_categories: list[GreenCategory] = strawberry.field(
        default_factory=list, description="Eligible categories; empty means every category."
    )
    eligible_region_codes: list[str] = strawberry.field(
        default_factory=lambda: ["510000"],
        description="Eligible regions; 510000 is all of Sichuan.",
    )
    accepted_collateral: list[Collateral] = strawberry.field(
        default_factory=lambda: [Collateral.NONE], description="Accepted collateral."
    )
    min_green_level: GreenLevel = strawberry.field(
        default=GreenLevel.NONE, description="Minimum level."
    )
    description: str = strawberry.field(default="", description="Description.")
    active: bool = strawberry.field(default=True, description="Offered now.")


@strawberry.input(description="Changes to a product; omitted fields stay as they are.")
class UpdateProductInput:
    id: strawberry.ID = strawberry.field(description="The product's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    name: str | None = op("Name.")
    kind: ProductKind | None = op("Kind.")
    min_amount: Decimal | None = op("Smallest amount, CNY.")
    max_amount: Decimal | None = op("Largest amount, CNY.")
    min_term_months: int | None = op("Shortest term, months.")
    max_term_months: int | None = op("Longest term, months.")
    min_rate: Decimal | None = op("Lowest annual rate, fraction.")
    max_rate: Decimal | None = op("Highest annual rate, fraction.")
    eligible_green_categories: list[GreenCategory] | None = op("Eligible categories.")
    eligible_region_codes: list[str] | None = op("Eligible regions.")
    accepted_collateral: list[Collateral] | None = op("Accepted collateral.")
    min_green_level: GreenLevel | None = op("Minimum green level.")
    description: str | None = op("Description.")
    active: bool | None = op("Offered now.")


@strawberry.input(description="A new financing demand.")
class CreateDemandInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise seeking financing.")
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project, if any."
    )
    amount: Decimal = strawberry.field(description="Amount sought, CNY.")
    term_months: int = strawberry.field(description="Term, months.")
    purpose: str = strawberry.field(description="What the money is for.")
    collateral_offered: list[Collateral] = strawberry.field(
        default_factory=list, description="Collateral offered."
    )
    accepted_product_kinds: list[ProductKind] = strawberry.field(
        default_factory=list,
        name="acceptedKinds",
        description="Kinds of product accepted; empty means any financing (not insurance).",
    )
    max_rate: Decimal | None = strawberry.field(
        default=None, description="Highest acceptable rate."
    )
    submitted_at: datetime.datetime | None = strawberry.field(
        default=None, description="When it was submitted (default: now)."
    )


@strawberry.input(description="Changes to a financing demand; omitted fields stay as they are.")
class UpdateDemandInput:
    id: strawberry.ID = strawberry.field(description="The demand's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    project_id: strawberry.ID | None = op("The project.")
    product_id: strawberry.ID | None = op("The product that finances it.")
    amount: Decimal | None = op("Amount sought, CNY.")
    term_months: int | None = op("Term, months.")
    purpose: str | None = op("Purpose.")
    collateral_offered: list[Collateral] | None = op("Collateral offered.")
    accepted_product_kinds: list[ProductKind] | None = op(
        "Kinds of product accepted; empty means any financing (not insurance).",
        name="acceptedKinds",
    )
    max_rate: Decimal | None = op("Highest acceptable rate.")
    status: DemandStatus | None = op("Status.")
    financed_amount: Decimal | None = op("Amount financed, CNY.")
    financed_at: datetime.datetime | None = op("When it was financed.")
