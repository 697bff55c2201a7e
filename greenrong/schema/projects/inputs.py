from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.projects.models import ClimateType, ProjectLibrary, ProjectStatus
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema.kit.filters import (
    DateTimeFilter,
    DecimalFilter,
    EnumFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    TagsFilter,
    op,
)


@strawberry.input(description="Conditions on projects. All given conditions must hold.")
class ProjectWhere:
    id: IDFilter | None = op("The project's id.")
    enterprise_id: IDFilter | None = op("The owner enterprise's id.")
    title: StringFilter | None = op("Title.")
    green_category: EnumFilter[GreenCategory] | None = op("Green industry category.")
    total_investment: DecimalFilter | None = op("Total investment, CNY.")
    region_code: StringFilter | None = op("GB/T 2260 region code.")
    climate_type: EnumFilter[ClimateType] | None = op("Climate investment type.")
    status: EnumFilter[ProjectStatus] | None = op("Life-cycle status.")
    libraries: TagsFilter[ProjectLibrary] | None = op("Libraries the project belongs to.")
    created_at: DateTimeFilter | None = op("When the record was created.")
    and_: list[ProjectWhere] | None = op("All of these hold.", name="and")
    or_: list[ProjectWhere] | None = op("At least one of these holds.", name="or")
    not_: ProjectWhere | None = op("This does not hold.", name="not")


@strawberry.enum(description="What projects can be ordered by.")
class ProjectOrderField(Enum):
    TITLE = strawberry.enum_value("title", description="Title.")
    TOTAL_INVESTMENT = strawberry.enum_value("total_investment", description="Total investment.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


ProjectWhereArg = Annotated[
    ProjectWhere | None, strawberry.argument(description="Only projects matching all conditions.")
]
ProjectOrderArg = Annotated[
    list[ProjectOrder] | None, strawberry.argument(description="Ordering (default: oldest first).")
]


@strawberry.input(description="A new project.")
class CreateProjectInput:
    enterprise_id: strawberry.ID = strawberry.field(description="The owner enterprise.")
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(default="", description="Description.")
    green_category: GreenCategory = strawberry.field(description="Green industry category.")
    total_investment: Decimal = strawberry.field(description="Total investment, CNY.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    climate_type: ClimateType = strawberry.field(
        default=ClimateType.NONE, description="Climate type."
    )
    status: ProjectStatus = strawberry.field(default=ProjectStatus.PLANNING, description="Status.")
    libraries: list[ProjectLibrary] = strawberry.field(
        default_factory=list, description="Libraries."
    )


@strawberry.input(description="Changes to a project; omitted fields stay as they are.")
class UpdateProjectInput:
    id: strawberry.ID = strawberry.field(description="The project's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    title: str | None = op("Title.")
    description: str | None = op("Description.")
    green_category: GreenCategory | None = op("Green industry category.")
    total_investment: Decimal | None = op("Total investment, CNY.")
    region_code: str | None = op("GB/T 2260 region code.")
    climate_type: ClimateType | None = op("Climate type.")
    status: ProjectStatus | None = op("Status.")
    libraries: list[ProjectLibrary] | None = op("Libraries.")
