from __future__ import annotations

import datetime
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.schema.kit.filters import (
    DateFilter,
    DateTimeFilter,
    EnumFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    op,
)


@strawberry.input(description="Conditions on enterprises. All given conditions must hold.")
class EnterpriseWhere:
    id: IDFilter | None = op("The enterprise's id.")
    name: StringFilter | None = op("Name.")
    credit_code: StringFilter | None = op("统一社会信用代码.")
    region_code: StringFilter | None = op("GB/T 2260 region code.")
    industry_section: StringFilter | None = op("GB/T 4754 section letter.")
    industry_division: StringFilter | None = op("GB/T 4754 division code.")
    size: EnumFilter[EnterpriseSize] | None = op("Size class.")
    green_category: EnumFilter[GreenCategory] | None = op("Green industry category.")
    green_level: EnumFilter[GreenLevel] | None = op("Current green level.")
    green_level_valid_until: DateFilter | None = op("Last day the green level is valid.")
    created_at: DateTimeFilter | None = op("When the record was created.")
    and_: list[EnterpriseWhere] | None = op("All of these hold.", name="and")
    or_: list[EnterpriseWhere] | None = op("At least one of these holds.", name="or")
    not_: EnterpriseWhere | None = op("This does not hold.", name="not")


@strawberry.enum(description="What enterprises can be ordered by.")
class EnterpriseOrderField(Enum):
    NAME = strawberry.enum_value("name", description="Name (Unicode order).")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")
    REGION_CODE = strawberry.enum_value("region_code", description="Region code.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class EnterpriseOrder:
    field: EnterpriseOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


@strawberry.input(description="A new enterprise.")
class CreateEnterpriseInput:
    name: str = strawberry.field(description="Registered name.")
    credit_code: str = strawberry.field(
        description="统一社会信用代码, 18 characters (GB 32100-2015)."
    )
    region_code: str = strawberry.field(description="GB/T 2260 code of a Sichuan division.")
    industry_section: str = strawberry.field(description="GB/T 4754-2017 section letter.")
    industry_division: str = strawberry.field(
        description="GB/T 4754-2017 division, within the section."
    )
    size: EnterpriseSize = strawberry.field(description="Size class.")
    green_category: GreenCategory = strawberry.field(description="Green industry category.")
    green_level: GreenLevel = strawberry.field(default=GreenLevel.NONE, description="Green level.")
    green_level_valid_until: datetime.date | None = strawberry.field(
        default=None, description="Last valid day of the green level (required with a level)."
    )
    description: str = strawberry.field(default="", description="Free description.")
    contact_person: str | None = strawberry.field(default=None, description="Contact person.")
    contact_phone: str | None = strawberry.field(default=None, description="Contact phone.")


@strawberry.input(description="Changes to an enterprise; omitted fields stay as they are.")
class UpdateEnterpriseInput:
    id: strawberry.ID = strawberry.field(description="The enterprise's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    name: str | None = op("Registered name.")
    credit_code: str | None = op("统一社会信用代码.")
    region_code: str | None = op("GB/T 2260 region code.")
    industry_section: str | None = op("GB/T 4754-2017 section letter.")
    industry_division: str | None = op("GB/T 4754-2017 division.")
    size: EnterpriseSize | None = op("Size class.")
    green_category: GreenCategory | None = op("Green industry category.")
    green_level: GreenLevel | None = op("Green level.")
    green_level_valid_until: datetime.date | None = op("Last valid day of the green level.")
    description: str | None = op("Free description.")
    contact_person: str | None = op("Contact person.")
    contact_phone: str | None = op("Contact phone.")


EnterpriseWhereArg = Annotated[
    EnterpriseWhere | None,
    strawberry.argument(description="Only enterprises matching all conditions."),
]
EnterpriseOrderArg = Annotated[
    list[EnterpriseOrder] | None, strawberry.argument(description="Ordering (default: by name).")
]
