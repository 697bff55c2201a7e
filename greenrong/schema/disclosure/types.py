from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureMetric, DisclosureStatus
from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.domain.finance.models import FinancialInstitution as InstitutionRow
from greenrong.resolvers.common import load_one
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

    @strawberry.field(description="The enterprise it is about, if any.")
    async def subject_enterprise(
        self, info: Info
    ) -> Annotated[Enterprise, strawberry.lazy("greenrong.schema.enterprises.types")] | None:
        from greenrong.schema.enterprises.types import Enterprise

        return await load_one(info, EnterpriseRow, self.subject_enterprise_id, Enterprise.from_row)

    @strawberry.field(description="The institution it is about, if any.")
    async def subject_institution(
        self, info: Info
    ) -> Annotated[FinancialInstitution, strawberry.lazy("greenrong.schema.finance.types")] | None:
        from greenrong.schema.finance.types import FinancialInstitution

        return await load_one(
            info, InstitutionRow, self.subject_institution_id, FinancialInstitution.from_row
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
