from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from greenrong.domain.disclosure.models import Disclosure as DisclosureRow
from greenrong.domain.disclosure.models import DisclosureKind, DisclosureMetric, DisclosureStatus
from greenrong.resolvers.relations import to_one
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.relay import Node, RowBacked

if TYPE_CHECKING:
    from greenrong.schema.carbon.types import DisclosureMetricSource
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.finance.types import FinancialInstitution


@strawberry.type(description="One structured metric of a disclosure.")
class Metric:
    key: DisclosureMetric = strawberry.field(description="Which metric.")
    value: Decimal = strawberry.field(description="Exact value in the metric's unit.")


@strawberry.type(description="An environmental, CSR/ESG or evaluation disclosure.")
class Disclosure(Node, RowBacked):
    entity_type = "Disclosure"

    kind: DisclosureKind = strawberry.field(description="Kind.")
    year: int = strawberry.field(description="Reporting year.")
    title: str = strawberry.field(description="Title.")
    body: str = strawberry.field(description="Text.")
    status: DisclosureStatus = strawberry.field(description="Publication state.")
    metrics_map: strawberry.Private[dict[str, Any]]
    subject_enterprise_id: strawberry.Private[uuid.UUID | None]
    subject_institution_id: strawberry.Private[uuid.UUID | None]
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    renamed: ClassVar[dict[str, str]] = {"metrics_map": "metrics"}

    @strawberry.field(description="Structured metrics, ordered by key.")
    def metrics(self) -> list[Metric]:
        return [
            Metric(key=DisclosureMetric(k), value=Decimal(v))
            for k, v in sorted(self.metrics_map.items())
        ]

    subject_enterprise = to_one(
        DisclosureRow.subject_enterprise_id,
        Annotated["Enterprise", strawberry.lazy("greenrong.schema.enterprises.types")],
        description="The enterprise it is about, if any.",
    )
    subject_institution = to_one(
        DisclosureRow.subject_institution_id,
        Annotated["FinancialInstitution", strawberry.lazy("greenrong.schema.finance.types")],
        description="The institution it is about, if any.",
    )

    @strawberry.field(
        description="Which calculation lines (and factor versions) the metrics filled from "
        "stored calculations came from, by metric."
    )
    async def metric_sources(
        self, info: Info
    ) -> list[Annotated[DisclosureMetricSource, strawberry.lazy("greenrong.schema.carbon.types")]]:
        from greenrong.resolvers.carbon import metric_sources

        return await metric_sources(info, self.pk)
