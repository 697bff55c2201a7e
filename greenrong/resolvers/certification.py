"""Certification root fields and mutations: thin glue over ``domain/certification/service.py``.

Each mutation is one step of the workflow in one transaction (``mutate``): a refused step
(``ForbiddenError``), a stale version (``ConflictError``), an illegal move (``ValidationError``
with ``INVALID_TRANSITION``) or bad input changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.certification import service
from greenrong.domain.certification.models import Certification as CertificationRow
from greenrong.domain.certification.repository import CERTIFICATIONS, issued_for
from greenrong.domain.certification.rubric import CertificationSubject, current, rubric
from greenrong.domain.certification.scoring import Answer, ConsolidationRule
from greenrong.resolvers.common import (
    load_one,
    mutate,
)
from greenrong.resolvers.loaders import RequestLoader
from greenrong.resolvers.relations import root_list
from greenrong.schema.certification.inputs import (
    AssignCertificationReviewersInput,
    CertificationOrderArg,
    CertificationVersionInput,
    CertificationWhereArg,
    ConsolidateCertificationInput,
    DecideCertificationInput,
    RenewCertificationInput,
    RevokeCertificationInput,
    ScoreCertificationInput,
    StartCertificationInput,
    UpdateSelfAssessmentInput,
)
from greenrong.schema.certification.payloads import (
    AssignCertificationReviewersPayload,
    CertificationSuccess,
    ConsolidateCertificationPayload,
    DecideCertificationPayload,
    RenewCertificationPayload,
    RevokeCertificationPayload,
    ScoreCertificationPayload,
    StartCertificationPayload,
    SubmitCertificationPayload,
    UpdateSelfAssessmentPayload,
)
from greenrong.schema.certification.types import Certification, Rubric
from greenrong.schema.kit.context import Context, Info
from greenrong.schema.kit.ids import expect_global_id

_STEP = strawberry.argument(description="The step's input, with the version you read.")
_TYPE = "Certification"


def _done(row: CertificationRow) -> CertificationSuccess:
    return CertificationSuccess(certification=Certification.from_row(row))


def _id(global_id: str) -> uuid.UUID:
    return expect_global_id(global_id, _TYPE)


def _optional_id(global_id: str | None, type_name: str, field: str) -> uuid.UUID | None:
    return None if global_id is None else expect_global_id(global_id, type_name, field=field)


# --- fields on Enterprise and Project ------------------------------------------------------------


async def current_certification(
    info: Info, subject_type: CertificationSubject, subject_id: uuid.UUID
) -> Certification | None:
    """The subject's issued certificate (one statement per batch of subjects)."""
    loader = info.context.loaders.get(CurrentCertificates, info.context, subject_type)
    row = await loader.load(subject_id)
    return None if row is None else Certification.from_row(row)


class CurrentCertificates(RequestLoader[uuid.UUID, CertificationRow | None]):
    """Per enterprise (or project) id: its issued certificate in force, as the caller may see
    it, or None (one statement per batch)."""

    def __init__(self, context: Context, subject_type: CertificationSubject) -> None:
        super().__init__(context)
        self.subject_type = subject_type

    async def load_batch(self, ids: Sequence[uuid.UUID]) -> list[CertificationRow | None]:
        async with self.read() as session:
            if self.subject_type is CertificationSubject.PROJECT:
                found = await issued_for(
                    session, project_ids=ids, scope=self.context.loaders.scope(CertificationRow)
                )
            else:
                found = await issued_for(
                    session, enterprise_ids=ids, scope=self.context.loaders.scope(CertificationRow)
                )
        return [found.get(i) for i in ids]


# --- root fields ---------------------------------------------------------------------------------


@strawberry.type(description="Read certifications and rubrics.")
class CertificationQuery:
    @strawberry.field(
        description="One certification, or null when it does not exist or the caller may not "
        "see it (the public sees issued certificates only)."
    )
    async def certification(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id.")],
    ) -> Certification | None:
        return await load_one(info, CertificationRow, _id(id), Certification.from_row)

    certifications = root_list(
        CERTIFICATIONS,
        Certification,
        description="Certifications the caller may see, filtered, ordered and paged: everything "
        "for regulators and admins, its own for an enterprise, its assignments for an expert, "
        "issued certificates for everyone else.",
        where=CertificationWhereArg,
        order_by=CertificationOrderArg,
    )

    @strawberry.field(
        description="A certification rubric: the newest of its kind, or the version asked for. "
        "Null for an unknown version."
    )
    def certification_rubric(
        self,
        subject_type: Annotated[
            CertificationSubject, strawberry.argument(description="Which rubric.")
        ],
        version: Annotated[
            str | None, strawberry.argument(description="Version; default: the newest.")
        ] = None,
    ) -> Rubric | None:
        try:
            data = current(subject_type) if version is None else rubric(subject_type, version)
        except KeyError:
            return None
        return Rubric.of(data)


# --- mutations -----------------------------------------------------------------------------------


def _scores(data: ScoreCertificationInput) -> tuple[dict[str, Decimal], dict[str, str]]:
    scores: dict[str, Decimal] = {}
    comments: dict[str, str] = {}
    for entry in data.scores:
        if entry.dimension in scores:
            raise ValidationFailed.one(
                "scores", ErrorCode.DUPLICATE, f"{entry.dimension} is scored twice"
            )
        scores[entry.dimension] = entry.score
        comments[entry.dimension] = entry.comment
    return scores, comments


@strawberry.type(description="The certification workflow, one mutation per step.")
class CertificationMutation:
    @strawberry.mutation(
        description="Start a certification (DRAFT): the enterprise itself, for itself or one "
        "of its projects."
    )
    async def start_certification(
        self, info: Info, input: Annotated[StartCertificationInput, _STEP]
    ) -> StartCertificationPayload:
        return await mutate(
            info,
            lambda session: service.start_certification(
                session,
                subject_type=input.subject_type,
                enterprise_id=_optional_id(input.enterprise_id, "Enterprise", "enterprise_id"),
                project_id=_optional_id(input.project_id, "Project", "project_id"),
                green_category=input.green_category,
            ),
            _done,
        )

    @strawberry.mutation(
        description="Fill or replace the self-assessment (自评); the system pre-scores it "
        "(PRE_SCORED)."
    )
    async def update_self_assessment(
        self, info: Info, input: Annotated[UpdateSelfAssessmentInput, _STEP]
    ) -> UpdateSelfAssessmentPayload:
        return await mutate(
            info,
            lambda session: service.update_self_assessment(
                session,
                id=_id(input.id),
                version=input.version,
                answers=[Answer(a.indicator, a.attainment, a.note) for a in input.answers],
                evidence=[
                    service.Evidence(d.name, d.type, d.sha256, tuple(d.indicators))
                    for d in input.evidence
                ],
                green_category=input.green_category,
            ),
            _done,
        )

    @strawberry.mutation(description="Submit the pre-scored self-assessment (SUBMITTED).")
    async def submit_certification(
        self, info: Info, input: Annotated[CertificationVersionInput, _STEP]
    ) -> SubmitCertificationPayload:
        return await mutate(
            info,
            lambda session: service.submit_certification(
                session, id=_id(input.id), version=input.version
            ),
            _done,
        )

    @strawberry.mutation(
        description="Assign reviewers (admin): experts with a conflict of interest or at the "
        "open-review limit are refused (UNDER_REVIEW)."
    )
    async def assign_certification_reviewers(
        self, info: Info, input: Annotated[AssignCertificationReviewersInput, _STEP]
    ) -> AssignCertificationReviewersPayload:
        settings = info.context.settings
        return await mutate(
            info,
            lambda session: service.assign_reviewers(
                session,
                id=_id(input.id),
                version=input.version,
                expert_ids=[
                    expect_global_id(e, "Expert", field="expert_ids") for e in input.expert_ids
                ],
                open_limit=settings.review_open_limit,
                min_reviewers=settings.certification_min_reviewers,
            ),
            _done,
        )

    @strawberry.mutation(
        description="Score every dimension with a comment (the assigned expert); the last "
        "reviewer's scores make it REVIEWED."
    )
    async def score_certification(
        self, info: Info, input: Annotated[ScoreCertificationInput, _STEP]
    ) -> ScoreCertificationPayload:
        principal = info.context.principal

        async def action(session: AsyncSession) -> CertificationRow:
            scores, comments = _scores(input)
            return await service.score_certification(
                session,
                id=_id(input.id),
                expert_id=principal.org_id,
                scores=scores,
                comments=comments,
            )

        return await mutate(info, action, _done)

    @strawberry.mutation(
        description="Consolidate the scores (admin): mean or median; a wide first-round spread "
        "opens a second round (SECOND_ROUND), else CONSOLIDATED."
    )
    async def consolidate_certification(
        self, info: Info, input: Annotated[ConsolidateCertificationInput, _STEP]
    ) -> ConsolidateCertificationPayload:
        settings = info.context.settings
        rule = input.rule or ConsolidationRule(settings.certification_consolidation)
        return await mutate(
            info,
            lambda session: service.consolidate_certification(
                session,
                id=_id(input.id),
                version=input.version,
                rule=rule,
                spread_threshold=settings.certification_spread_threshold,
            ),
            _done,
        )

    @strawberry.mutation(
        description="Decide (regulator): issue the certificate (ISSUED: level, number, "
        "validity) or reject with reasons (REJECTED)."
    )
    async def decide_certification(
        self, info: Info, input: Annotated[DecideCertificationInput, _STEP]
    ) -> DecideCertificationPayload:
        settings = info.context.settings
        return await mutate(
            info,
            lambda session: service.decide_certification(
                session,
                id=_id(input.id),
                version=input.version,
                approve=input.approve,
                reasons=input.reasons,
                on=info.context.clock.today(),
                validity_years=settings.certification_validity_years,
            ),
            _done,
        )

    @strawberry.mutation(
        description="Start the renewal of an issued certificate before it expires (the "
        "enterprise): a new cycle whose certificate starts when this one ends. Returns the new "
        "cycle."
    )
    async def renew_certification(
        self, info: Info, input: Annotated[RenewCertificationInput, _STEP]
    ) -> RenewCertificationPayload:
        return await mutate(
            info,
            lambda session: service.renew_certification(
                session, id=_id(input.id), on=info.context.clock.today()
            ),
            _done,
        )

    @strawberry.mutation(
        description="Revoke an issued certificate with a reason (regulator): the level drops "
        "to NONE and the library membership ends today."
    )
    async def revoke_certification(
        self, info: Info, input: Annotated[RevokeCertificationInput, _STEP]
    ) -> RevokeCertificationPayload:
        return await mutate(
            info,
            lambda session: service.revoke_certification(
                session,
                id=_id(input.id),
                version=input.version,
                reason=input.reason,
                on=info.context.clock.today(),
            ),
            _done,
        )


__all__ = ["CertificationMutation", "CertificationQuery"]
