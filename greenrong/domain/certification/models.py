"""Certification (绿色认定): one cycle per row, its reviews, and its append-only history.

A ``Certification`` is one cycle for an enterprise or a project, from the self-assessment to the
certificate (or the rejection), then to its expiry, revocation or renewal. It records the rubric
version that scored it. ``enterprise_id`` is always the owning enterprise (a project's owner for a
project certification), so access rules need one column.

``CertificationReview`` is one expert's scores in one round. ``CertificationEvent`` is one step
of the history: who (role, subject, organisation), when and what; rows are only ever inserted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.access.principal import Role
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.scoring import ConsolidationRule
from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.kit.types import utcnow
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel


class CertificationStatus(StrEnum):
    DRAFT = "DRAFT"  # 自评填写中
    PRE_SCORED = "PRE_SCORED"  # 系统预评分
    SUBMITTED = "SUBMITTED"  # 已提交
    UNDER_REVIEW = "UNDER_REVIEW"  # 专家评审中
    REVIEWED = "REVIEWED"  # 评审完成，待汇总
    SECOND_ROUND = "SECOND_ROUND"  # 分歧过大，第二轮评审
    CONSOLIDATED = "CONSOLIDATED"  # 已汇总，待监管部门决定
    ISSUED = "ISSUED"  # 已发证
    REJECTED = "REJECTED"  # 未通过
    EXPIRED = "EXPIRED"  # 已过期
    REVOKED = "REVOKED"  # 已撤销
    RENEWED = "RENEWED"  # 已续期（由新证书接替）


class CertificationAction(StrEnum):
    START = "START"
    UPDATE_SELF_ASSESSMENT = "UPDATE_SELF_ASSESSMENT"
    SUBMIT = "SUBMIT"
    ASSIGN_REVIEWERS = "ASSIGN_REVIEWERS"
    SCORE = "SCORE"
    CONSOLIDATE = "CONSOLIDATE"
    DECIDE = "DECIDE"
    EXPIRE = "EXPIRE"
    REVOKE = "REVOKE"
    RENEW = "RENEW"


class CertificationReviewStatus(StrEnum):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"
    SUPERSEDED = "SUPERSEDED"  # a later round replaced it


class Certification(Entity):
    __tablename__ = "certification"
    entity_type = "Certification"

    subject_type: Mapped[CertificationSubject] = mapped_column(
        enum_column(CertificationSubject, "certification_subject")
    )
    #: the enterprise certified, or the project's owner
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), index=True)
    rubric_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[CertificationStatus] = mapped_column(
        enum_column(CertificationStatus, "certification_status"), index=True
    )
    green_category: Mapped[GreenCategory] = mapped_column(
        enum_column(GreenCategory, "green_category")
    )
    #: [{indicator, attainment, note}]
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: [{name, type, sha256, indicators: [code]}]
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pre_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    #: dimension code -> pre-score points (strings)
    pre_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column()
    review_round: Mapped[int] = mapped_column(default=0)
    consolidation_rule: Mapped[ConsolidationRule | None] = mapped_column(
        enum_column(ConsolidationRule, "consolidation_rule")
    )
    #: dimension code -> consolidated points (strings)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    spread: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    second_round_flagged: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime | None] = mapped_column()
    rejection_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    level: Mapped[GreenLevel | None] = mapped_column(enum_column(GreenLevel, "green_level"))
    certificate_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    ended_on: Mapped[date | None] = mapped_column(Date)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    #: the certification this cycle renews
    renews_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("certification.id"))

    __table_args__ = (
        CheckConstraint(
            "(subject_type = 'PROJECT') = (project_id IS NOT NULL)", name="project_when_project"
        ),
        CheckConstraint(
            "status <> 'ISSUED' OR certificate_number IS NOT NULL", name="number_when_issued"
        ),
        Index("ix_certification_created_at_id", "created_at", "id"),
    )


class CertificationReview(Entity):
    __tablename__ = "certification_review"
    entity_type = "CertificationReview"

    certification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certification.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert.id"), index=True)
    round: Mapped[int] = mapped_column()
    status: Mapped[CertificationReviewStatus] = mapped_column(
        enum_column(CertificationReviewStatus, "certification_review_status")
    )
    #: dimension code -> points (strings)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: dimension code -> comment
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index(
            "uq_certification_review_round_expert",
            "certification_id",
            "round",
            "expert_id",
            unique=True,
        ),
        Index("ix_certification_review_expert_status", "expert_id", "status"),
    )


class CertificationEvent(Entity):
    """One step of a certification's history. Inserted, never updated or deleted."""

    __tablename__ = "certification_event"
    entity_type = "CertificationEvent"

    certification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certification.id"), index=True)
    action: Mapped[CertificationAction] = mapped_column(
        enum_column(CertificationAction, "certification_action")
    )
    from_status: Mapped[CertificationStatus | None] = mapped_column(
        enum_column(CertificationStatus, "certification_from_status")
    )
    to_status: Mapped[CertificationStatus] = mapped_column(
        enum_column(CertificationStatus, "certification_to_status")
    )
    actor_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    actor_subject: Mapped[str] = mapped_column(String(200))
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: what happened, as plain JSON (scores as strings)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_certification_event_cert_at", "certification_id", "at", "id"),)
