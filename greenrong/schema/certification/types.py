"""Certification (绿色认定) as the API shows it: the cycle, its reviews, history and explanation.

The anonymous public (and institutions, partners) see issued certificates only, and of them only
the public fields: subject, status, level, number, validity, rubric version. The
self-assessment, scores and explanation are for the owner, its reviewers, regulators and admins
(``access.certification.details_visible``); for anyone else they resolve to null.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from greenrong.domain.access.certification import details_visible
from greenrong.domain.access.principal import Role
from greenrong.domain.certification.models import Certification as CertificationRow
from greenrong.domain.certification.models import (
    CertificationAction,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.models import CertificationEvent as EventRow
from greenrong.domain.certification.models import CertificationReview as ReviewRow
from greenrong.domain.certification.repository import (
    HISTORY,
    REVIEWS,
    reviewed_by,
    submitted_reviews,
)
from greenrong.domain.certification.rubric import CertificationSubject, rubric
from greenrong.domain.certification.rubric import Rubric as RubricData
from greenrong.domain.certification.scoring import Attainment, ConsolidationRule
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.resolvers.loaders import RequestLoader
from greenrong.resolvers.relations import child_list, to_one
from greenrong.schema.access.enums import Role as _RoleEnum  # noqa: F401  (registered there)
from greenrong.schema.certification import enums as _enums  # noqa: F401  (registers them)
from greenrong.schema.kit.context import Context, Info
from greenrong.schema.kit.relay import Node, RowBacked

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.experts.types import Expert
    from greenrong.schema.projects.types import Project


class ReviewedBy(RequestLoader[uuid.UUID, bool]):
    """Per certification id: whether the expert ``expert_id`` reviews it (one statement)."""

    def __init__(self, context: Context, expert_id: uuid.UUID) -> None:
        super().__init__(context)
        self.expert_id = expert_id

    async def load_batch(self, ids: list[uuid.UUID]) -> list[bool]:
        async with self.read() as session:
            found = await reviewed_by(session, self.expert_id, ids)
        return [i in found for i in ids]


class SubmittedReviews(RequestLoader[uuid.UUID, list[ReviewRow]]):
    """Submitted reviews per certification id, every round, one statement per batch."""

    async def load_batch(self, ids: list[uuid.UUID]) -> list[list[ReviewRow]]:
        async with self.read() as session:
            rows = await submitted_reviews(session, ids)
        return [rows.get(i, []) for i in ids]


async def _details(info: Info, owner_id: uuid.UUID, certification_id: uuid.UUID) -> bool:
    context = info.context
    principal = context.principal
    reviewer = False
    if principal.role == Role.EXPERT and principal.org_id is not None:
        loader = context.loaders.get(ReviewedBy, context, principal.org_id)
        reviewer = await loader.load(certification_id)
    return details_visible(principal, owner_id, reviewer)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- rubric ---------------------------------------------------------------------------------------


@strawberry.type(description="One indicator of a rubric dimension.")
class RubricIndicator:
    code: str = strawberry.field(description="Code, e.g. E1.1.")
    name: str = strawberry.field(description="Name.")
    points: Decimal = strawberry.field(description="Points it is worth.")
    question: str = strawberry.field(description="The question the self-assessment answers.")
    evidence: list[str] = strawberry.field(description="The documents it needs as evidence.")
    assumption: bool = strawberry.field(
        description="Our assumption (the official indicators and points are not published)."
    )


@strawberry.type(description="One dimension of a rubric (the published names).")
class RubricDimension:
    code: str = strawberry.field(description="Code, e.g. E1.")
    name: str = strawberry.field(description="Name, as the seed report publishes it.")
    points: Decimal = strawberry.field(description="Points it is worth (our assumption).")
    indicators: list[RubricIndicator] = strawberry.field(description="Its indicators.")


@strawberry.type(description="A level band: the lowest score that earns the level.")
class RubricLevel:
    level: GreenLevel = strawberry.field(description="The level.")
    min_score: Decimal = strawberry.field(description="Lowest total score that earns it.")
    assumption: bool = strawberry.field(description="Our assumption (bands are not published).")


@strawberry.type(description="A versioned certification rubric (入库认定评分表).")
class Rubric:
    subject_type: CertificationSubject = strawberry.field(description="What it scores.")
    version: str = strawberry.field(description="Version, e.g. 2022.1.")
    title: str = strawberry.field(description="Title.")
    source: str = strawberry.field(description="Where its published parts come from.")
    total_points: Decimal = strawberry.field(description="Total points (100).")
    entry_threshold: Decimal = strawberry.field(
        description="Score from which a subject enters the library (50, from the seed report)."
    )
    levels: list[RubricLevel] = strawberry.field(description="Level bands, lowest first.")
    dimensions: list[RubricDimension] = strawberry.field(description="Dimensions, in order.")

    @staticmethod
    def of(data: RubricData) -> Rubric:
        return Rubric(
            subject_type=data.kind,
            version=data.version,
            title=data.title,
            source=data.source,
            total_points=data.total_points,
            entry_threshold=data.entry_threshold,
            levels=[
                RubricLevel(level=b.level, min_score=b.min_score, assumption=b.assumption)
                for b in data.levels
            ],
            dimensions=[
                RubricDimension(
                    code=d.code,
                    name=d.name,
                    points=d.points,
                    indicators=[
                        RubricIndicator(
                            code=i.code,
                            name=i.name,
                            points=i.points,
                            question=i.question,
                            evidence=list(i.evidence),
                            assumption=i.assumption,
                        )
                        for i in d.indicators
                    ],
                )
                for d in data.dimensions
            ],
        )


# --- self-assessment and explanation -------------------------------------------------------------


@strawberry.type(description="The applicant's answer to one indicator.")
class SelfAssessmentAnswer:
    indicator: str = strawberry.field(description="Indicator code.")
    attainment: Attainment = strawberry.field(description="How far it says it meets it.")
    note: str = strawberry.field(description="Its explanation.")


@strawberry.type(description="An evidence document, listed by name, type and hash.")
class EvidenceDocument:
    name: str = strawberry.field(description="File name.")
    type: str = strawberry.field(description="File type (pdf, jpg, png, docx, xlsx, ofd, zip).")
    sha256: str = strawberry.field(description="SHA-256 of the file, 64 lowercase hex digits.")
    indicators: list[str] = strawberry.field(description="Indicator codes it supports.")


@strawberry.type(description="The self-assessment (自评): answers and evidence.")
class SelfAssessment:
    answers: list[SelfAssessmentAnswer] = strawberry.field(description="One per indicator.")
    evidence: list[EvidenceDocument] = strawberry.field(description="The documents listed.")


@strawberry.type(description="How one dimension was scored.")
class DimensionExplanation:
    code: str = strawberry.field(description="Dimension code.")
    name: str = strawberry.field(description="Dimension name.")
    max_points: Decimal = strawberry.field(description="Points it is worth in this rubric.")
    pre_score: Decimal | None = strawberry.field(description="The self-assessment's pre-score.")
    reviewer_scores: list[Decimal] = strawberry.field(
        description="Each reviewer's score in the deciding round, in assignment order."
    )
    score: Decimal | None = strawberry.field(description="The consolidated score.")


@strawberry.type(description="Why a certification has its score and level, by its own rubric.")
class CertificationExplanation:
    rubric_version: str = strawberry.field(description="The rubric version that scored it.")
    consolidation_rule: ConsolidationRule | None = strawberry.field(
        description="How the reviewers' scores were combined."
    )
    pre_score: Decimal | None = strawberry.field(description="The self-assessment's total.")
    score: Decimal | None = strawberry.field(description="The consolidated total.")
    spread: Decimal | None = strawberry.field(
        description="Highest minus lowest reviewer total in the deciding round."
    )
    entry_threshold: Decimal = strawberry.field(description="Score that enters the library.")
    level: GreenLevel | None = strawberry.field(description="The level the score earns.")
    dimensions: list[DimensionExplanation] = strawberry.field(description="Per dimension.")


# --- reviews and history --------------------------------------------------------------------------


@strawberry.type(description="One reviewer's score and comment for one dimension.")
class DimensionScore:
    dimension: str = strawberry.field(description="Dimension code.")
    score: Decimal = strawberry.field(description="Points given.")
    comment: str = strawberry.field(description="The reviewer's comment.")


@strawberry.type(description="One expert's review of a certification in one round.")
class CertificationReview(Node, RowBacked):
    entity_type = "CertificationReview"

    round: int = strawberry.field(description="Review round (1, or 2 after a wide spread).")
    status: CertificationReviewStatus = strawberry.field(description="Where it stands.")
    total: Decimal | None = strawberry.field(description="Sum of its dimension scores.")
    assigned_at: datetime.datetime = strawberry.field(description="When it was assigned (UTC).")
    submitted_at: datetime.datetime | None = strawberry.field(
        description="When the scores were submitted (UTC)."
    )
    expert_id: strawberry.Private[uuid.UUID]
    scores_data: strawberry.Private[dict[str, Any]]
    comments_data: strawberry.Private[dict[str, Any]]
    renamed: ClassVar[dict[str, str]] = {"scores_data": "scores", "comments_data": "comments"}

    @strawberry.field(description="Per dimension: score and comment.")
    def scores(self) -> list[DimensionScore]:
        return [
            DimensionScore(
                dimension=code,
                score=Decimal(str(value)),
                comment=str(self.comments_data.get(code, "")),
            )
            for code, value in sorted(self.scores_data.items())
        ]

    expert = to_one(
        ReviewRow.expert_id,
        Annotated["Expert", strawberry.lazy("greenrong.schema.experts.types")],
        description="The reviewing expert.",
    )


@strawberry.type(description="One detail of a history step.")
class HistoryDetail:
    key: str = strawberry.field(description="What.")
    value: str = strawberry.field(description="Its value, as text.")


@strawberry.type(description="One step of a certification's history: who, when and what.")
class CertificationEvent(Node, RowBacked):
    entity_type = "CertificationEvent"

    action: CertificationAction = strawberry.field(description="The step.")
    from_status: CertificationStatus | None = strawberry.field(
        description="Status before (null for the start)."
    )
    to_status: CertificationStatus = strawberry.field(description="Status after.")
    actor_role: Role = strawberry.field(description="Role of who took the step.")
    actor_subject: str = strawberry.field(
        description="Who: the API key or token subject, or `system`."
    )
    at: datetime.datetime = strawberry.field(description="When (UTC).")
    details_data: strawberry.Private[dict[str, Any]]
    renamed: ClassVar[dict[str, str]] = {"details_data": "details"}

    @strawberry.field(description="What: the step's details, key by key.")
    def details(self) -> list[HistoryDetail]:
        return [
            HistoryDetail(
                key=key,
                value=", ".join(map(str, value)) if isinstance(value, list) else str(value),
            )
            for key, value in sorted(self.details_data.items())
        ]


# --- the certification ----------------------------------------------------------------------------


@strawberry.type(description="One certification cycle (绿色认定) of an enterprise or a project.")
class Certification(Node, RowBacked):
    entity_type = "Certification"

    subject_type: CertificationSubject = strawberry.field(description="Enterprise or project.")
    status: CertificationStatus = strawberry.field(description="Where it stands.")
    rubric_version: str = strawberry.field(description="The rubric version that scores it.")
    green_category: GreenCategory = strawberry.field(description="The green category applied for.")
    level: GreenLevel | None = strawberry.field(
        description="The level earned (set on consolidation, certified on issuance)."
    )
    certificate_number: str | None = strawberry.field(
        description="Certificate number: SCGE-YYYY-NNNNNN (enterprise), SCGP-YYYY-NNNNNN (project)."
    )
    valid_from: datetime.date | None = strawberry.field(description="First valid day.")
    valid_until: datetime.date | None = strawberry.field(description="Last valid day.")
    ended_on: datetime.date | None = strawberry.field(
        description="The day it stopped holding (expired, revoked, renewed)."
    )
    review_round: int = strawberry.field(description="Current review round (0 before review).")
    second_round_flagged: bool = strawberry.field(
        description="Whether the first round's spread called for a second round."
    )
    submitted_at: datetime.datetime | None = strawberry.field(description="When submitted (UTC).")
    decided_at: datetime.datetime | None = strawberry.field(description="When decided (UTC).")
    created_at: datetime.datetime = strawberry.field(description="When it was started (UTC).")
    updated_at: datetime.datetime = strawberry.field(description="When it last changed (UTC).")
    version: int = strawberry.field(description="Edit version; pass it back when changing it.")
    enterprise_id: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID | None]
    renews_id: strawberry.Private[uuid.UUID | None]

    async def _visible(self, info: Info) -> bool:
        return await _details(info, self.enterprise_id, self.pk)

    enterprise = to_one(
        CertificationRow.enterprise_id,
        Annotated["Enterprise", strawberry.lazy("greenrong.schema.enterprises.types")],
        description="The enterprise certified, or the project's owner.",
    )
    project = to_one(
        CertificationRow.project_id,
        Annotated["Project", strawberry.lazy("greenrong.schema.projects.types")],
        description="The project certified; null for an enterprise certification.",
    )
    renews = to_one(
        CertificationRow.renews_id,
        Annotated["Certification", strawberry.lazy(__name__)],
        description="The certification this cycle renews, if any.",
    )

    @strawberry.field(
        description="Pre-score of the self-assessment; null for callers without access to details."
    )
    async def pre_score(self, info: Info) -> Decimal | None:
        return _decimal(self.row.pre_score) if await self._visible(info) else None

    @strawberry.field(
        description="Consolidated score; null before consolidation and for callers without "
        "access to details."
    )
    async def score(self, info: Info) -> Decimal | None:
        return _decimal(self.row.score) if await self._visible(info) else None

    @strawberry.field(description="Reasons of a rejection; empty otherwise or without access.")
    async def rejection_reasons(self, info: Info) -> list[str]:
        return list(self.row.rejection_reasons) if await self._visible(info) else []

    @strawberry.field(description="Reason of a revocation; null otherwise or without access.")
    async def revocation_reason(self, info: Info) -> str | None:
        value: str | None = self.row.revocation_reason
        return value if await self._visible(info) else None

    @strawberry.field(description="The self-assessment; null for callers without access.")
    async def self_assessment(self, info: Info) -> SelfAssessment | None:
        if not await self._visible(info):
            return None
        return SelfAssessment(
            answers=[
                SelfAssessmentAnswer(
                    indicator=a["indicator"],
                    attainment=Attainment(a["attainment"]),
                    note=a.get("note", ""),
                )
                for a in self.row.answers
            ],
            evidence=[
                EvidenceDocument(
                    name=d["name"],
                    type=d["type"],
                    sha256=d["sha256"],
                    indicators=list(d["indicators"]),
                )
                for d in self.row.evidence
            ],
        )

    @strawberry.field(
        description="Score and level explained by the certification's own rubric version, per "
        "dimension; null for callers without access."
    )
    async def explanation(self, info: Info) -> CertificationExplanation | None:
        if not await self._visible(info):
            return None
        row = self.row
        scoring = rubric(row.subject_type, row.rubric_version)
        reviews = await info.context.loaders.get(SubmittedReviews, info.context).load(row.id)
        submitted = [r for r in reviews if r.round == row.review_round]
        return CertificationExplanation(
            rubric_version=row.rubric_version,
            consolidation_rule=row.consolidation_rule,
            pre_score=_decimal(row.pre_score),
            score=_decimal(row.score),
            spread=_decimal(row.spread),
            entry_threshold=scoring.entry_threshold,
            level=row.level,
            dimensions=[
                DimensionExplanation(
                    code=d.code,
                    name=d.name,
                    max_points=d.points,
                    pre_score=_decimal(row.pre_scores.get(d.code)),
                    reviewer_scores=[Decimal(str(r.scores[d.code])) for r in submitted],
                    score=_decimal(row.scores.get(d.code)),
                )
                for d in scoring.dimensions
            ],
        )

    reviews = child_list(
        REVIEWS,
        ReviewRow.certification_id,
        CertificationReview,
        description="Its reviews: an expert sees only its own, the owner all of its own, "
        "regulators and admins all.",
    )
    history = child_list(
        HISTORY,
        EventRow.certification_id,
        CertificationEvent,
        description="Every step so far, oldest first (who, when, what).",
    )
