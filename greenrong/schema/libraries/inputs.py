"""Filters, orderings and mutation inputs of the green libraries."""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.libraries.models import (
    Library,
    MembershipSource,
    PbocArea,
    RecommendationStatus,
)
from greenrong.domain.projects.models import ClimateType
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema.kit.filters import (
    BooleanFilter,
    DateFilter,
    DateTimeFilter,
    EnumFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    op,
)


@strawberry.input(description="Conditions on library memberships. All given conditions must hold.")
class LibraryMemberWhere:
    id: IDFilter | None = op("The membership's id.")
    source: EnumFilter[MembershipSource] | None = op("How the subject entered.")
    since: DateFilter | None = op("First day of membership.")
    until: DateFilter | None = op("Last day of membership (null: open-ended).")
    open: BooleanFilter | None = op(
        "true: the membership holds today; false: it ended (or starts later)."
    )
    subject_region_code: StringFilter | None = op(
        "The subject's GB/T 2260 region code (startsWith: a prefecture's code prefix)."
    )
    subject_green_category: EnumFilter[GreenCategory] | None = op(
        "The subject's green industry category."
    )
    climate_type: EnumFilter[ClimateType] | None = op("CLIMATE_INVESTMENT: the climate type.")
    pboc_area: EnumFilter[PbocArea] | None = op("PBOC_CARBON_REDUCTION: the tool's area.")
    created_at: DateTimeFilter | None = op("When the membership was recorded.")
    and_: list[LibraryMemberWhere] | None = op("All of these hold.", name="and")
    or_: list[LibraryMemberWhere] | None = op("At least one of these holds.", name="or")
    not_: LibraryMemberWhere | None = op("This does not hold.", name="not")


@strawberry.enum(description="What library memberships can be ordered by.")
class LibraryMemberOrderField(Enum):
    SINCE = strawberry.enum_value("since", description="First day of membership.")
    CREATED_AT = strawberry.enum_value("created_at", description="When it was recorded.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class LibraryMemberOrder:
    field: LibraryMemberOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


LibraryMemberWhereArg = Annotated[
    LibraryMemberWhere | None,
    strawberry.argument(description="Only memberships matching all conditions."),
]
LibraryMemberOrderArg = Annotated[
    list[LibraryMemberOrder] | None,
    strawberry.argument(description="Ordering keys, most significant first (default: since)."),
]


@strawberry.input(description="Conditions on cultivation recommendations.")
class CultivationRecommendationWhere:
    id: IDFilter | None = op("The recommendation's id.")
    project_id: IDFilter | None = op("The recommended project's id.")
    status: EnumFilter[RecommendationStatus] | None = op("Where it stands.")
    department: StringFilter | None = op("The recommending department.")
    created_at: DateTimeFilter | None = op("When it was recommended.")
    and_: list[CultivationRecommendationWhere] | None = op("All of these hold.", name="and")
    or_: list[CultivationRecommendationWhere] | None = op("At least one of these holds.", name="or")
    not_: CultivationRecommendationWhere | None = op("This does not hold.", name="not")


CultivationRecommendationWhereArg = Annotated[
    CultivationRecommendationWhere | None,
    strawberry.argument(description="Only recommendations matching all conditions."),
]


@strawberry.input(
    description="Admit a subject to a screening list (CLIMATE_INVESTMENT, CLIMATE_FRIENDLY, "
    "PBOC_CARBON_REDUCTION); the source is SCREENING."
)
class AdmitToLibraryInput:
    library: Library = strawberry.field(description="The screening list.")
    subject_id: strawberry.ID = strawberry.field(
        description="Global id of the subject (a Project for every screening list)."
    )
    reason: str = strawberry.field(description="Why it is admitted (入库理由).")
    since: datetime.date = strawberry.field(description="First day of membership.")
    until: datetime.date | None = strawberry.field(
        default=None, description="Last day of membership (inclusive); null: open-ended."
    )
    climate_type: ClimateType | None = strawberry.field(
        default=None,
        description="CLIMATE_INVESTMENT (required there): MITIGATION, ADAPTATION or BOTH.",
    )
    climate_scope: list[str] | None = strawberry.field(
        default=None,
        description="CLIMATE_INVESTMENT (required there): support-scope strand codes fitting "
        "the type (MIT-1…MIT-5, ADA-1, ADA-2).",
    )
    pboc_area: PbocArea | None = strawberry.field(
        default=None, description="PBOC_CARBON_REDUCTION (required there): the tool's area."
    )
    pboc_sub_area: str | None = strawberry.field(
        default=None, description="PBOC_CARBON_REDUCTION: a listed sub-area of the area."
    )


@strawberry.input(description="End one library membership on a day, with the reason.")
class EndLibraryMembershipInput:
    id: strawberry.ID = strawberry.field(description="Global id of the LibraryMembership.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    on: datetime.date = strawberry.field(description="Its last day (inclusive).")
    reason: str = strawberry.field(description="Why it ends (出库理由).")


@strawberry.input(description="A department recommends a project for the cultivation library.")
class RecommendForCultivationInput:
    project_id: strawberry.ID = strawberry.field(description="Global id of the Project.")
    department: str = strawberry.field(description="The recommending department (主管部门).")
    reason: str = strawberry.field(description="Why the department recommends it.")


@strawberry.enum(description="The platform's decision on a cultivation recommendation.")
class CultivationDecision(Enum):
    ACCEPT = strawberry.enum_value(
        "ACCEPTED", description="Accept: the project enters the library."
    )
    REJECT = strawberry.enum_value("REJECTED", description="Reject, with reasons.")


@strawberry.input(description="The platform's review of a cultivation recommendation.")
class ReviewCultivationRecommendationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the CultivationRecommendation.")
    version: int = strawberry.field(description="The version you read; a stale one is refused.")
    decision: CultivationDecision = strawberry.field(description="Accept or reject.")
    reason: str | None = strawberry.field(
        default=None, description="The reasons: required for a rejection."
    )
    since: datetime.date | None = strawberry.field(
        default=None, description="ACCEPT: first day of membership (default: today, China time)."
    )
