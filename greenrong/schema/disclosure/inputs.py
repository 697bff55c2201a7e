from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureMetric, DisclosureStatus
from greenrong.schema.kit.filters import (
    EnumFilter,
    IDFilter,
    IntFilter,
    SortDirection,
    StringFilter,
    op,
)


@strawberry.input(description="Conditions on disclosures. All given conditions must hold.")
class DisclosureWhere:
    id: IDFilter | None = op("The disclosure's id.")
    subject_enterprise_id: IDFilter | None = op("The enterprise it is about.")
    subject_institution_id: IDFilter | None = op("The institution it is about.")
    kind: EnumFilter[DisclosureKind] | None = op("Kind.")
    year: IntFilter | None = op("Reporting year.")
    title: StringFilter | None = op("Title.")
    status: EnumFilter[DisclosureStatus] | None = op("Publication state.")
    and_: list[DisclosureWhere] | None = op("All of these hold.", name="and")
    or_: list[DisclosureWhere] | None = op("At least one of these holds.", name="or")
    not_: DisclosureWhere | None = op("This does not hold.", name="not")


@strawberry.enum(description="What disclosures can be ordered by.")
class DisclosureOrderField(Enum):
    YEAR = strawberry.enum_value("year", description="Reporting year.")
    TITLE = strawberry.enum_value("title", description="Title.")
    CREATED_AT = strawberry.enum_value("created_at", description="Creation time.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class DisclosureOrder:
    field: DisclosureOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


DisclosureWhereArg = Annotated[
    DisclosureWhere | None,
    strawberry.argument(description="Only disclosures matching all conditions."),
]
DisclosureOrderArg = Annotated[
    list[DisclosureOrder] | None,
    strawberry.argument(description="Ordering (default: newest year first)."),
]


@strawberry.input(description="One structured metric of a disclosure.")
class MetricInput:
    key: DisclosureMetric = strawberry.field(description="Which metric.")
    value: Decimal = strawberry.field(description="Exact value in the metric's unit.")


@strawberry.input(description="A new disclosure. Give exactly one subject.")
class CreateDisclosureInput:
    subject_enterprise_id: strawberry.ID | None = strawberry.field(
        default=None, description="Enterprise."
    )
    subject_institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="Institution."
    )
    kind: DisclosureKind = strawberry.field(description="Kind.")
    year: int = strawberry.field(description="Reporting year.")
    title: str = strawberry.field(description="Title.")
    body: str = strawberry.field(default="", description="Text.")
    metrics: list[MetricInput] = strawberry.field(
        default_factory=list, description="Structured metrics."
    )
    status: DisclosureStatus = strawberry.field(
        default=DisclosureStatus.DRAFT, description="State."
    )


@strawberry.input(description="Changes to a disclosure; omitted fields stay as they are.")
class UpdateDisclosureInput:
    id: strawberry.ID = strawberry.field(description="The disclosure's id.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    kind: DisclosureKind | None = op("Kind.")
    year: int | None = op("Reporting year.")
    title: str | None = op("Title.")
    body: str | None = op("Text.")
    metrics: list[MetricInput] | None = op("Structured metrics (replace all).")
    status: DisclosureStatus | None = op("State.")
