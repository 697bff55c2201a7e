"""Certification factories: a complete self-assessment, and a cycle driven through the services
step by step (outside a request: the trusted system caller)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.certification import service
from greenrong.domain.certification.models import Certification
from greenrong.domain.certification.rubric import CertificationSubject, Rubric
from greenrong.domain.certification.scoring import Answer, Attainment, ConsolidationRule
from greenrong.domain.kit.clock import today


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def self_assessment(
    scoring: Rubric, attainment: Attainment = Attainment.FULL
) -> tuple[list[Answer], list[service.Evidence]]:
    """An answer to every indicator, and one PDF per dimension supporting all of its indicators."""
    answers = [Answer(code, attainment, "见附件") for code in scoring.indicators]
    evidence = [
        service.Evidence(
            f"{d.name}证明材料.pdf", "pdf", sha256(d.code), tuple(i.code for i in d.indicators)
        )
        for d in scoring.dimensions
    ]
    return answers, evidence


def spread_scores(scoring: Rubric, share: Decimal) -> dict[str, Decimal]:
    """Every dimension at ``share`` of its points (rounded to 0.01)."""
    return {d.code: (d.points * share).quantize(Decimal("0.01")) for d in scoring.dimensions}


def comments_for(scoring: Rubric) -> dict[str, str]:
    return {d.code: f"{d.name}：材料齐全，符合要求" for d in scoring.dimensions}


async def submitted(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    rubric_version: str | None = None,
) -> Certification:
    """A cycle started, self-assessed in full and submitted."""
    subject = (
        CertificationSubject.PROJECT if project_id is not None else CertificationSubject.ENTERPRISE
    )
    cert = await service.start_certification(
        session,
        subject_type=subject,
        enterprise_id=enterprise_id,
        project_id=project_id,
        rubric_version=rubric_version,
    )
    answers, evidence = self_assessment(service.rubric_of(cert))
    cert = await service.update_self_assessment(
        session, id=cert.id, version=cert.version, answers=answers, evidence=evidence
    )
    return await service.submit_certification(session, id=cert.id, version=cert.version)


async def reviewed(
    session: AsyncSession,
    cert: Certification,
    experts: Sequence[uuid.UUID],
    scores: Mapping[uuid.UUID, Mapping[str, Decimal]],
) -> Certification:
    """Reviewers assigned and every one of them scored."""
    cert = await service.assign_reviewers(
        session, id=cert.id, version=cert.version, expert_ids=experts, open_limit=3, min_reviewers=2
    )
    for expert in experts:
        cert = await service.score_certification(
            session,
            id=cert.id,
            expert_id=expert,
            scores=scores[expert],
            comments=comments_for(service.rubric_of(cert)),
        )
    return cert


async def issued(
    session: AsyncSession,
    *,
    experts: Sequence[uuid.UUID],
    share: Decimal = Decimal("0.8"),
    on: date | None = None,
    enterprise_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    rubric_version: str | None = None,
) -> Certification:
    """A certificate issued on ``on`` (default: the clock's today) after every reviewer gave
    ``share`` of every dimension."""
    cert = await submitted(
        session, enterprise_id=enterprise_id, project_id=project_id, rubric_version=rubric_version
    )
    scoring = service.rubric_of(cert)
    cert = await reviewed(
        session, cert, experts, {e: spread_scores(scoring, share) for e in experts}
    )
    cert = await service.consolidate_certification(
        session,
        id=cert.id,
        version=cert.version,
        rule=ConsolidationRule.MEAN,
        spread_threshold=Decimal(15),
    )
    return await service.decide_certification(
        session,
        id=cert.id,
        version=cert.version,
        approve=True,
        reasons=[],
        on=on or today(),
        validity_years=3,
    )
