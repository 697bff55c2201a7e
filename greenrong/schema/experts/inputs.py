from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.experts.models import ExpertTitle
from greenrong.schema.kit.filters import EnumFilter, IDFilter, SortDirection, StringFilter, op


@strawberry.input(description="Conditions on experts. All given conditions must hold.")
class ExpertWhere:
    id: IDFilter | None = op("The expert's id.")
    name: StringFilter | None = op("Name.")
    field: StringFilter | None = op("Industry field.")
    title: EnumFilter[ExpertTitle] | None = op("Professional title.")
    affiliation: StringFilter | None = op("Affiliation.")
    region_code: StringFilter | None = op("GB/T 2260 region code.")
    and_: list[ExpertWhere] | None = op("All of these hold.", name="and")
    or_: list[ExpertWhere] | None = op("At least one of these holds.", name="or")
    not_: ExpertWhere | None = op("This does not hold.", name="not")


@strawberry.enum(description="What experts can be ordered by.")
class ExpertOrderField(Enum):
    NAME = strawberry.enum_value("name", description="Name.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class ExpertOrder:
    field: ExpertOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


ExpertWhereArg = Annotated[
    ExpertWhere | None, strawberry.argument(description="Only experts matching all conditions.")
]
ExpertOrderArg = Annotated[
    list[ExpertOrder] | None, strawberry.argument(description="Ordering (default: by name).")
]


@strawberry.input(description="A new expert.")
class CreateExpertInput:
    name: str = strawberry.field(description="Name.")
    field: str = strawberry.field(description="Industry field.")
    title: ExpertTitle = strawberry.field(description="Professional title.")
    affiliation: str = strawberry.field(description="Affiliation.")
    specialties: list[str] = strawberry.field(default_factory=list, description="Specialties.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    bio: str = strawberry.field(default="", description="Biography.")
    contact_email: str | None = strawberry.field(default=None, description="Contact e-mail.")


@strawberry.input(description="Changes to an expert; omitted fields stay as they are.")
class UpdateExpertInput:
    id: strawberry.ID = strawberry.field(description="The expert's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    name: str | None = op("Name.")
    field: str | None = op("Industry field.")
    title: ExpertTitle | None = op("Professional title.")
    affiliation: str | None = op("Affiliation.")
    specialties: list[str] | None = op("Specialties.")
    region_code: str | None = op("GB/T 2260 region code.")
    bio: str | None = op("Biography.")
    contact_email: str | None = op("Contact e-mail.")
