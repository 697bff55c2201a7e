"""LibraryMembership and CultivationRecommendation as GraphQL types."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.libraries.models import (
    CultivationRecommendation as RecommendationRow,
)
from greenrong.domain.libraries.models import (
    Library,
    MembershipSource,
    PbocArea,
    RecommendationStatus,
    SubjectType,
)
from greenrong.domain.libraries.models import (
    LibraryMembership as MembershipRow,
)
from greenrong.domain.libraries.reference import strands
from greenrong.domain.libraries.service import is_open
from greenrong.domain.projects.models import ClimateType
from greenrong.resolvers.relations import to_one
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.ids import to_global_id
from greenrong.schema.kit.relay import Node, RowBacked

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.projects.types import Project

_ENTERPRISE = strawberry.lazy("greenrong.schema.enterprises.types")
_PROJECT = strawberry.lazy("greenrong.schema.projects.types")


@strawberry.type(description="A support-scope strand of T/CSTE 0061-2021 (气候投融资支持范围).")
class ClimateStrand:
    code: str = strawberry.field(description="Our key: MIT-1…MIT-5 (mitigation), ADA-1, ADA-2.")
    kind: str = strawberry.field(description="`mitigation` or `adaptation`.")
    name_zh: str = strawberry.field(description="The strand as the standard words it.")


@strawberry.type(
    description="One enterprise or project in one green library for one period (入库)."
)
class LibraryMembership(Node, RowBacked):
    entity_type = "LibraryMembership"

    library: Library = strawberry.field(description="The library.")
    source: MembershipSource = strawberry.field(description="How the subject entered.")
    reason: str = strawberry.field(description="Why it is in the library (入库理由).")
    since: datetime.date = strawberry.field(description="First day of membership.")
    until: datetime.date | None = strawberry.field(
        description="Last day of membership (inclusive); null: open-ended."
    )
    ended_reason: str | None = strawberry.field(
        description="Why it was ended (出库理由); null while it runs its course."
    )
    climate_type: ClimateType | None = strawberry.field(
        description="CLIMATE_INVESTMENT: MITIGATION, ADAPTATION or BOTH (T/CSTE 0061-2021)."
    )
    pboc_area: PbocArea | None = strawberry.field(
        description="PBOC_CARBON_REDUCTION: the tool's area."
    )
    pboc_sub_area: str | None = strawberry.field(
        description="PBOC_CARBON_REDUCTION: the sub-area (子领域), when given."
    )
    department: str | None = strawberry.field(
        description="CULTIVATION: the recommending department (主管部门)."
    )
    created_at: datetime.datetime = strawberry.field(description="When it was recorded (UTC).")
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when ending it.")
    subject_type: strawberry.Private[str]
    enterprise_id: strawberry.Private[uuid.UUID | None]
    project_id: strawberry.Private[uuid.UUID | None]
    certification_id: strawberry.Private[uuid.UUID | None]
    climate_scope: strawberry.Private[list[str] | None]

    @strawberry.field(
        name="subjectType", description="Whether the subject is an enterprise or a project."
    )
    def subject_kind(self) -> SubjectType:
        return SubjectType(self.subject_type)

    @strawberry.field(description="Whether the membership holds today (China time).")
    def is_open(self, info: Info) -> bool:
        row: MembershipRow = self.row
        return is_open(row, info.context.clock.today())

    @strawberry.field(
        name="certificationId",
        description="The certification behind a CERTIFICATION membership (global id of a "
        "Certification); null otherwise.",
    )
    def certification_id_global(self) -> strawberry.ID | None:
        if self.certification_id is None:
            return None
        return strawberry.ID(to_global_id("Certification", self.certification_id))

    @strawberry.field(
        name="climateScope", description="CLIMATE_INVESTMENT: the support-scope strands."
    )
    def climate_scope_strands(self) -> list[ClimateStrand] | None:
        if self.climate_scope is None:
            return None
        known = strands()
        return [
            ClimateStrand(code=c, kind=known[c].kind, name_zh=known[c].name_zh)
            for c in self.climate_scope
            if c in known
        ]

    enterprise = to_one(
        MembershipRow.enterprise_id,
        Annotated["Enterprise", _ENTERPRISE],
        description="The enterprise, for an enterprise library.",
    )
    project = to_one(
        MembershipRow.project_id,
        Annotated["Project", _PROJECT],
        description="The project, for a project library (null if you may not see it).",
    )


@strawberry.type(
    description="A department's recommendation of a project for the cultivation library "
    "(绿色培育库), and the platform's review."
)
class CultivationRecommendation(Node, RowBacked):
    entity_type = "CultivationRecommendation"

    department: str = strawberry.field(description="The recommending department (主管部门).")
    recommended_by: str = strawberry.field(description="Who recommended it (the caller's subject).")
    reason: str = strawberry.field(description="Why the department recommends it.")
    status: RecommendationStatus = strawberry.field(description="Where it stands.")
    reviewed_by: str | None = strawberry.field(description="Who reviewed it; null until reviewed.")
    reviewed_at: datetime.datetime | None = strawberry.field(
        description="When it was reviewed (UTC); null until reviewed."
    )
    review_reason: str | None = strawberry.field(
        description="The platform's reasons (required for a rejection)."
    )
    created_at: datetime.datetime = strawberry.field(description="When it was recommended (UTC).")
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when reviewing.")
    project_id: strawberry.Private[uuid.UUID]
    membership_id: strawberry.Private[uuid.UUID | None]

    project = to_one(
        RecommendationRow.project_id,
        Annotated["Project", _PROJECT],
        description="The recommended project (null if you may not see it).",
    )
    membership = to_one(
        RecommendationRow.membership_id,
        LibraryMembership,
        description="The membership an acceptance opened; null otherwise.",
    )
