"""Inputs of the certification workflow: one per step."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from greenrong.domain.certification.models import CertificationStatus
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.scoring import Attainment, ConsolidationRule
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.schema.certification import enums as _enums  # noqa: F401  (registers them)
from greenrong.schema.kit.filters import (
    DateFilter,
    DateTimeFilter,
    EnumFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    op,
)


@strawberry.input(description="Conditions on certifications. All given conditions must hold.")
class CertificationWhere:
    id: IDFilter | None = op("The certification's id.")
    subject_type: EnumFilter[CertificationSubject] | None = op("Enterprise or project.")
    enterprise_id: IDFilter | None = op("The enterprise (certified, or owning the project).")
    project_id: IDFilter | None = op("The project.")
    status: EnumFilter[CertificationStatus] | None = op("Status.")
    level: EnumFilter[GreenLevel] | None = op("Level earned.")
    green_category: EnumFilter[GreenCategory] | None = op("Green category applied for.")
    rubric_version: StringFilter | None = op("Rubric version.")
    certificate_number: StringFilter | None = op("Certificate number.")
    valid_until: DateFilter | None = op("Last valid day.")
    created_at: DateTimeFilter | None = op("When it was started.")
    and_: list[CertificationWhere] | None = op("All of these hold.", name="and")
    or_: list[CertificationWhere] | None = op("At least one of these holds.", name="or")
    not_: CertificationWhere | None = op("This does not hold.", name="not")


@strawberry.enum(description="What certifications can be ordered by.")
class CertificationOrderField(Enum):
    CREATED_AT = strawberry.enum_value("created_at", description="When it was started.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When it last changed.")


@strawberry.input(description="One ordering key; ties are broken by id.")
class CertificationOrder:
    field: CertificationOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Direction.")


CertificationWhereArg = Annotated[
    CertificationWhere | None,
    strawberry.argument(description="Only certifications matching all conditions."),
]
CertificationOrderArg = Annotated[
    list[CertificationOrder] | None,
    strawberry.argument(description="Ordering (default: oldest first)."),
]


@strawberry.input(description="Start a certification of an enterprise or one of its projects.")
class StartCertificationInput:
    subject_type: CertificationSubject = strawberry.field(description="Enterprise or project.")
    enterprise_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the Enterprise (enterprise certification)."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the Project (project certification)."
    )
    green_category: GreenCategory | None = strawberry.field(
        default=None, description="Category applied for; default: the subject's own."
    )


@strawberry.input(description="The answer to one indicator.")
class SelfAssessmentAnswerInput:
    indicator: str = strawberry.field(description="Indicator code of the rubric, e.g. E1.1.")
    attainment: Attainment = strawberry.field(description="How far the subject meets it.")
    note: str = strawberry.field(default="", description="Explanation, at most 2,000 characters.")


@strawberry.input(description="An evidence document, listed by name, type and SHA-256.")
class EvidenceDocumentInput:
    name: str = strawberry.field(description="File name, at most 200 characters.")
    type: str = strawberry.field(description="pdf, jpg, png, docx, xlsx, ofd or zip.")
    sha256: str = strawberry.field(description="SHA-256 of the file, 64 hex digits.")
    indicators: list[str] = strawberry.field(description="Indicator codes it supports.")


@strawberry.input(description="The whole self-assessment; it replaces the previous one.")
class UpdateSelfAssessmentInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    version: int = strawberry.field(description="The version you read.")
    answers: list[SelfAssessmentAnswerInput] = strawberry.field(description="One per indicator.")
    evidence: list[EvidenceDocumentInput] = strawberry.field(description="The documents.")
    green_category: GreenCategory | None = strawberry.field(
        default=None, description="Change the category applied for."
    )


@strawberry.input(description="A certification and the version you read.")
class CertificationVersionInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    version: int = strawberry.field(description="The version you read.")


@strawberry.input(description="Experts to score a submitted certification.")
class AssignCertificationReviewersInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    version: int = strawberry.field(description="The version you read.")
    expert_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids of the Experts (at least GREENRONG_CERTIFICATION_MIN_REVIEWERS)."
    )


@strawberry.input(description="One dimension's score with its comment.")
class DimensionScoreInput:
    dimension: str = strawberry.field(description="Dimension code of the rubric, e.g. E1.")
    score: Decimal = strawberry.field(description="Points, 0 to the dimension's, two places.")
    comment: str = strawberry.field(description="The reviewer's comment (required).")


@strawberry.input(description="The calling expert's scores for every dimension.")
class ScoreCertificationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    scores: list[DimensionScoreInput] = strawberry.field(description="One per dimension.")


@strawberry.input(description="Consolidate the reviewers' scores.")
class ConsolidateCertificationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    version: int = strawberry.field(description="The version you read.")
    rule: ConsolidationRule | None = strawberry.field(
        default=None, description="Mean or median; default: GREENRONG_CERTIFICATION_CONSOLIDATION."
    )


@strawberry.input(description="The regulator's decision.")
class DecideCertificationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    version: int = strawberry.field(description="The version you read.")
    approve: bool = strawberry.field(description="Issue the certificate (true) or reject (false).")
    reasons: list[str] = strawberry.field(
        default_factory=list, description="Reasons of a rejection (at least one to reject)."
    )


@strawberry.input(description="Start the renewal of an issued certificate before it expires.")
class RenewCertificationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the issued Certification.")


@strawberry.input(description="Revoke an issued certificate.")
class RevokeCertificationInput:
    id: strawberry.ID = strawberry.field(description="Global id of the Certification.")
    version: int = strawberry.field(description="The version you read.")
    reason: str = strawberry.field(description="Why (required).")
