from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.finance.models import FinancingDemand as DemandRow
from greenrong.domain.finance.repository import DEMANDS
from greenrong.domain.kit.clock import today
from greenrong.domain.libraries.models import LibraryMembership as MembershipRow
from greenrong.domain.libraries.repository import memberships
from greenrong.domain.projects.models import ClimateType, ProjectLibrary, ProjectStatus
from greenrong.domain.projects.models import Project as ProjectRow
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.resolvers.relations import child_list, to_one
from greenrong.schema.certification.subjects import ProjectCertificationFields
from greenrong.schema.finance.inputs import DemandOrderArg, DemandWhereArg
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.relay import Node, RowBacked
from greenrong.schema.libraries.inputs import LibraryMemberOrderArg, LibraryMemberWhereArg
from greenrong.schema.reference.types import Region, region_of

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.finance.types import FinancingDemand
    from greenrong.schema.identification.types import ProjectGreenIdentification
    from greenrong.schema.libraries.types import LibraryMembership
    from greenrong.schema.matching.reviewers import ReviewerMatchResult


@strawberry.type(description="A green project owned by an enterprise.")
class Project(Node, RowBacked, ProjectCertificationFields):
    entity_type = "Project"

    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="Description.")
    green_category: GreenCategory = strawberry.field(description="Green industry category.")
    total_investment: Decimal = strawberry.field(description="Total investment, CNY.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    climate_type: ClimateType = strawberry.field(description="Climate investment type.")
    status: ProjectStatus = strawberry.field(description="Life-cycle status.")
    libraries: list[ProjectLibrary] = strawberry.field(description="Libraries it belongs to.")
    enterprise_id: strawberry.Private[uuid.UUID]
    created_at: datetime.datetime = strawberry.field(
        description="When the record was created (UTC)."
    )
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    @strawberry.field(description="Its region.")
    def region(self) -> Region | None:
        return region_of(self.region_code)

    enterprise = to_one(
        ProjectRow.enterprise_id,
        Annotated["Enterprise", strawberry.lazy("greenrong.schema.enterprises.types")],
        description="The enterprise that owns it.",
    )
    financing_demands = child_list(
        DEMANDS,
        DemandRow.project_id,
        Annotated["FinancingDemand", strawberry.lazy("greenrong.schema.finance.types")],
        description="Financing demands for this project.",
        where=DemandWhereArg,
        order_by=DemandOrderArg,
    )

    @strawberry.field(
        description="Experts to review this project, best first: field and specialties that fit "
        "its category and description; experts affiliated with the owner, and experts at the "
        "open-review limit (GREENRONG_REVIEW_OPEN_LIMIT), are left out."
    )
    async def reviewer_matches(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(description="How many, best first (0 to the maximum page size)."),
        ] = 5,
    ) -> Annotated[ReviewerMatchResult, strawberry.lazy("greenrong.schema.matching.reviewers")]:
        from greenrong.resolvers.matching_reviewers import reviewer_matches

        return await reviewer_matches(info, self.pk, first)

    library_memberships = child_list(
        lambda: memberships(today()),  # `open` is as of today
        MembershipRow.project_id,
        Annotated["LibraryMembership", strawberry.lazy("greenrong.schema.libraries.types")],
        description="Its library memberships (入库记录), current and past; "
        "`where: {open: {eq: true}}` for the current ones.",
        where=LibraryMemberWhereArg,
        order_by=LibraryMemberOrderArg,
    )

    @strawberry.field(
        description="The green identification engine's newest suggestion for this project "
        "(made by the worker when the title or description changes) and its review; null "
        "until the worker has made one."
    )
    async def green_identification(
        self, info: Info
    ) -> (
        Annotated[
            ProjectGreenIdentification, strawberry.lazy("greenrong.schema.identification.types")
        ]
        | None
    ):
        from greenrong.resolvers.identification import project_identification

        return await project_identification(info, self.pk)
