"""Library membership (入库) and the cultivation library's recommendations.

A ``LibraryMembership`` says that one subject (an enterprise or a project) belongs to one of the
six libraries from ``since`` through ``until`` (the last day, inclusive, like a certificate's
``valid_until``; ``None`` means open-ended). It is never deleted: ending it sets ``until`` and
``ended_reason``, so the history of every subject stays readable. Which subject types a library
holds is ``LIBRARY_SUBJECTS``; ``docs/LIBRARIES.md`` explains the choices.

A ``CultivationRecommendation`` is the cultivation library's workflow (由主管部门推荐，“绿蓉融”
平台审核认定): a department (a REGULATOR) recommends a project, the platform (an ADMIN) accepts
it, which opens a membership with source RECOMMENDATION, or rejects it with a reason.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.projects.models import ClimateType


class Library(StrEnum):
    GREEN_ENTERPRISE = "GREEN_ENTERPRISE"  # 四川省绿色企业库
    GREEN_PROJECT = "GREEN_PROJECT"  # 四川省绿色项目库
    CULTIVATION = "CULTIVATION"  # 绿色培育库 (projects)
    CLIMATE_INVESTMENT = "CLIMATE_INVESTMENT"  # 气候投融资项目库 (projects, T/CSTE 0061-2021)
    CLIMATE_FRIENDLY = "CLIMATE_FRIENDLY"  # 气候友好型名单 (projects, see docs/LIBRARIES.md)
    PBOC_CARBON_REDUCTION = "PBOC_CARBON_REDUCTION"  # 碳减排支持工具 list (projects)


class MembershipSource(StrEnum):
    """How a subject entered: a certificate, a department's accepted recommendation, a screening."""

    CERTIFICATION = "CERTIFICATION"
    RECOMMENDATION = "RECOMMENDATION"
    SCREENING = "SCREENING"


class SubjectType(StrEnum):
    """The entity types a membership can name (their ``entity_type``)."""

    ENTERPRISE = "Enterprise"
    PROJECT = "Project"


#: which subject type each library holds
LIBRARY_SUBJECTS: dict[Library, SubjectType] = {
    Library.GREEN_ENTERPRISE: SubjectType.ENTERPRISE,
    Library.GREEN_PROJECT: SubjectType.PROJECT,
    Library.CULTIVATION: SubjectType.PROJECT,
    Library.CLIMATE_INVESTMENT: SubjectType.PROJECT,
    Library.CLIMATE_FRIENDLY: SubjectType.PROJECT,
    Library.PBOC_CARBON_REDUCTION: SubjectType.PROJECT,
}


class PbocArea(StrEnum):
    """The three areas of the PBoC carbon-reduction tool (data/pboc_carbon_reduction_tool.json)."""

    CLEAN_ENERGY = "CLEAN_ENERGY"  # 清洁能源 (CE)
    ENERGY_SAVING = "ENERGY_SAVING"  # 节能环保 (EE)
    CARBON_REDUCTION_TECH = "CARBON_REDUCTION_TECH"  # 碳减排技术 (CT)


class RecommendationStatus(StrEnum):
    """The cultivation recommendation's states: RECOMMENDED, then ACCEPTED or REJECTED (final)."""

    RECOMMENDED = "RECOMMENDED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


class LibraryMembership(Entity):
    """One subject in one library for one period (入库记录)."""

    __tablename__ = "library_membership"
    entity_type = "LibraryMembership"

    library: Mapped[Library] = mapped_column(enum_column(Library, "library"))
    subject_type: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), index=True)
    source: Mapped[MembershipSource] = mapped_column(
        enum_column(MembershipSource, "membership_source")
    )
    #: why the subject is in the library (入库理由)
    reason: Mapped[str] = mapped_column(Text)
    #: the first day of membership
    since: Mapped[date] = mapped_column(Date)
    #: the last day of membership (inclusive); None: open-ended
    until: Mapped[date | None] = mapped_column(Date)
    #: why it ended early (set by ``end``); None while it runs its course
    ended_reason: Mapped[str | None] = mapped_column(Text)
    #: the certification behind a CERTIFICATION membership (a plain column: no foreign key)
    certification_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), index=True)
    #: CLIMATE_INVESTMENT: T/CSTE 0061-2021 type (MITIGATION, ADAPTATION or BOTH)
    climate_type: Mapped[ClimateType | None] = mapped_column(
        enum_column(ClimateType, "membership_climate_type")
    )
    #: CLIMATE_INVESTMENT: the support-scope strand codes (MIT-1…MIT-5, ADA-1, ADA-2)
    climate_scope: Mapped[list[str] | None] = mapped_column()
    #: PBOC_CARBON_REDUCTION: the tool's area and, optionally, its sub-area (as named in the file)
    pboc_area: Mapped[PbocArea | None] = mapped_column(enum_column(PbocArea, "pboc_area"))
    pboc_sub_area: Mapped[str | None] = mapped_column(String(40))
    #: RECOMMENDATION: the recommending department (主管部门), copied from the recommendation
    department: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        CheckConstraint(
            "(subject_type = 'Enterprise' AND enterprise_id IS NOT NULL AND project_id IS NULL)"
            " OR (subject_type = 'Project' AND project_id IS NOT NULL AND enterprise_id IS NULL)",
            name="one_subject",
        ),
        CheckConstraint("until IS NULL OR until >= since", name="until_after_since"),
        Index("ix_library_membership_library_since_id", "library", "since", "id"),
    )


class CultivationRecommendation(Entity):
    """A department's recommendation of a project for the cultivation library (绿色培育库)."""

    __tablename__ = "cultivation_recommendation"
    entity_type = "CultivationRecommendation"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    #: the recommending department (主管部门), e.g. 省发展改革委
    department: Mapped[str] = mapped_column(String(100))
    #: who recommended it (the principal's subject)
    recommended_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus, "recommendation_status"),
        default=RecommendationStatus.RECOMMENDED,
    )
    #: the platform's review: who, when, and (for a rejection) why
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_reason: Mapped[str | None] = mapped_column(Text)
    #: the membership an acceptance opened
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("library_membership.id"), index=True
    )

    __table_args__ = (
        CheckConstraint(
            "(status = 'ACCEPTED') = (membership_id IS NOT NULL)", name="membership_when_accepted"
        ),
        Index("ix_cultivation_recommendation_status_created_at", "status", "created_at", "id"),
    )
