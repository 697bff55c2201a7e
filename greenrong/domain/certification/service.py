"""Certification services: one function per workflow step. Each checks who may (the access
policy's ``authorize_certification``), checks the move (``workflow.check``), validates its input
(every problem at once), writes through ``kit.service`` (version-checked, with a ChangeEvent)
and appends one ``CertificationEvent`` with who, when and what. They flush and never commit.

Issuance sets the subject's current level (``green_level``, ``green_level_valid_until`` on the
Enterprise or Project, a normal versioned update) and admits it to the GREEN_ENTERPRISE or
GREEN_PROJECT library until the certificate's last day; expiry and revocation reset the level to
NONE and end the membership.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector, StaleVersion, ValidationFailed
from greenrong.domain.access import policy
from greenrong.domain.access.guard import as_party, get_visible, principal_of
from greenrong.domain.certification import membership, repository, workflow
from greenrong.domain.certification.models import (
    Certification,
    CertificationAction,
    CertificationEvent,
    CertificationReview,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import (
    CertificationSubject,
    Rubric,
    current,
    quantized,
    rubric,
)
from greenrong.domain.certification.scoring import (
    Answer,
    Attainment,
    ConsolidationRule,
    check_review,
    consolidate,
    pre_score,
    reviewer_total,
)
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.kit import service
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching.reviewers import conflicted
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel

S = CertificationStatus
A = CertificationAction
SHA256_HEX = frozenset("0123456789abcdef")
EVIDENCE_TYPES = frozenset({"pdf", "jpg", "png", "docx", "xlsx", "ofd", "zip"})
MAX_TEXT = 2000
#: certificate number prefixes: Sichuan Green Enterprise / Project
NUMBER_PREFIX = {CertificationSubject.ENTERPRISE: "SCGE", CertificationSubject.PROJECT: "SCGP"}


@dataclass(frozen=True)
class Evidence:
    name: str
    type: str
    sha256: str
    indicators: tuple[str, ...]


async def _no_rules(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Each step validated its input before the write."""


def _subject_kind(cert: Certification) -> CertificationSubject:
    return cert.subject_type


def rubric_of(cert: Certification) -> Rubric:
    """The rubric version that scores (and explains) ``cert``."""
    return rubric(cert.subject_type, cert.rubric_version)


# --- who, and the history ------------------------------------------------------------------------


def _authorize(
    session: AsyncSession,
    action: CertificationAction,
    owner_id: uuid.UUID,
    reviewers: set[uuid.UUID] | None = None,
) -> None:
    policy.authorize_certification(
        principal_of(session), action.value, owner_id=owner_id, reviewers=reviewers or set()
    )


def _record(
    session: AsyncSession,
    cert: Certification,
    action: CertificationAction,
    before: CertificationStatus | None,
    details: Mapping[str, Any] | None = None,
) -> CertificationEvent:
    principal = principal_of(session)
    event = CertificationEvent(
        id=uuid.uuid4(),
        certification_id=cert.id,
        action=action,
        from_status=before,
        to_status=cert.status,
        actor_role=principal.role,
        actor_subject=principal.actor,
        actor_org_id=principal.org_id,
        at=utcnow(),
        details=dict(details or {}),
    )
    session.add(event)
    return event


async def _load(
    session: AsyncSession, id: uuid.UUID, version: int | None, action: CertificationAction
) -> Certification:
    """The certification a step acts on, authorized before its state or version is read: a
    certification the caller may not see is ``NotFound`` (like a missing id), one it sees but
    may not move is ``Forbidden``, and only then is the version compared."""
    cert = await service.get_or_raise(session, Certification, id)
    reviewers = await repository.open_reviewers(session, cert) if action is A.SCORE else set()
    _authorize(session, action, cert.enterprise_id, reviewers)
    if version is not None and cert.version != version:
        raise StaleVersion(Certification.entity_type, id, version, cert.version)
    return cert


async def _change(
    session: AsyncSession, cert: Certification, changes: Mapping[str, Any]
) -> Certification:
    with as_party(session):
        return await service.update(
            session,
            Certification,
            cert.id,
            expected_version=cert.version,
            changes=changes,
            validate=_no_rules,
        )


# --- start ---------------------------------------------------------------------------------------


async def start_certification(
    session: AsyncSession,
    *,
    subject_type: CertificationSubject,
    enterprise_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    green_category: GreenCategory | None = None,
    renews_id: uuid.UUID | None = None,
    rubric_version: str | None = None,
) -> Certification:
    """Open a new cycle (DRAFT) for an enterprise or one of its projects, scored by the newest
    rubric of its kind; refused while the subject has another cycle under way."""
    issues = IssueCollector()
    owner: Enterprise | None = None
    project: Project | None = None
    if subject_type is CertificationSubject.PROJECT:
        if project_id is None:
            issues.add(
                "project_id", ErrorCode.REQUIRED, "a project certification names the project"
            )
        else:
            project = await get_visible(session, Project, project_id)  # hidden = missing
            if project is None:
                issues.add("project_id", ErrorCode.UNKNOWN_REFERENCE, "the project does not exist")
            else:
                owner = await session.get(Enterprise, project.enterprise_id)
        if (
            enterprise_id is not None
            and project is not None
            and enterprise_id != project.enterprise_id
        ):
            issues.add(
                "enterprise_id", ErrorCode.INVALID, "the project belongs to another enterprise"
            )
    else:
        if project_id is not None:
            issues.add(
                "project_id", ErrorCode.INVALID, "an enterprise certification names no project"
            )
        if enterprise_id is None:
            issues.add("enterprise_id", ErrorCode.REQUIRED, "name the enterprise")
        else:
            owner = await session.get(Enterprise, enterprise_id)
            if owner is None:
                issues.add(
                    "enterprise_id", ErrorCode.UNKNOWN_REFERENCE, "the enterprise does not exist"
                )
    issues.raise_if_any()
    assert owner is not None  # the checks above raised otherwise
    _authorize(session, A.START if renews_id is None else A.RENEW, owner.id)
    taken = await repository.open_cycle(session, subject_type, owner.id, project_id)
    if taken is not None:
        raise ValidationFailed.one(
            "enterprise_id" if project is None else "project_id",
            ErrorCode.DUPLICATE,
            f"certification {taken} of this subject is still under way",
        )
    version = rubric_version or current(subject_type).version
    category = green_category or (project.green_category if project else owner.green_category)
    values = {
        "id": uuid.uuid4(),
        "subject_type": subject_type,
        "enterprise_id": owner.id,
        "project_id": project_id,
        "rubric_version": version,
        "status": S.DRAFT,
        "green_category": category,
        "answers": [],
        "evidence": [],
        "pre_scores": {},
        "scores": {},
        "rejection_reasons": [],
        "review_round": 0,
        "second_round_flagged": False,
        "renews_id": renews_id,
    }
    with as_party(session):
        cert = await service.create(session, Certification, values, validate=_no_rules)
    details: dict[str, Any] = {"rubric_version": version}
    if renews_id is not None:
        details["renews"] = str(renews_id)
    _record(session, cert, A.START if renews_id is None else A.RENEW, None, details)
    return cert


# --- the self-assessment -------------------------------------------------------------------------


def _evidence_problems(
    evidence: Sequence[Evidence], known: Mapping[str, Any], issues: IssueCollector
) -> None:
    seen: set[str] = set()
    for n, doc in enumerate(evidence):
        where = f"evidence[{n}]"
        if not doc.name.strip() or len(doc.name) > 200:
            issues.add(f"{where}.name", ErrorCode.REQUIRED, "a file name of at most 200 characters")
        if doc.type.lower() not in EVIDENCE_TYPES:
            issues.add(
                f"{where}.type",
                ErrorCode.INVALID,
                f"{doc.type!r} is not one of {', '.join(sorted(EVIDENCE_TYPES))}",
            )
        digest = doc.sha256.lower()
        if len(digest) != 64 or not set(digest) <= SHA256_HEX:
            issues.add(
                f"{where}.sha256", ErrorCode.INVALID_FORMAT, "64 hexadecimal digits (SHA-256)"
            )
        elif digest in seen:
            issues.add(f"{where}.sha256", ErrorCode.DUPLICATE, "the same document is listed twice")
        seen.add(digest)
        if not doc.indicators:
            issues.add(f"{where}.indicators", ErrorCode.REQUIRED, "name the indicators it supports")
        for code in doc.indicators:
            if code not in known:
                issues.add(
                    f"{where}.indicators",
                    ErrorCode.UNKNOWN_REFERENCE,
                    f"{code} is not an indicator",
                )


async def update_self_assessment(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    answers: Sequence[Answer],
    evidence: Sequence[Evidence],
    green_category: GreenCategory | None = None,
) -> Certification:
    """Replace the answers and evidence list; the system pre-scores them (PRE_SCORED)."""
    cert = await _load(session, id, version, A.UPDATE_SELF_ASSESSMENT)
    workflow.check(A.UPDATE_SELF_ASSESSMENT, cert.status)
    scoring_rubric = rubric_of(cert)
    known = scoring_rubric.indicators
    issues = IssueCollector()
    seen: set[str] = set()
    for n, answer in enumerate(answers):
        if answer.indicator not in known:
            issues.add(
                f"answers[{n}].indicator",
                ErrorCode.UNKNOWN_REFERENCE,
                f"{answer.indicator} is not an indicator of {scoring_rubric.version}",
            )
        elif answer.indicator in seen:
            issues.add(
                f"answers[{n}].indicator",
                ErrorCode.DUPLICATE,
                f"{answer.indicator} is answered twice",
            )
        seen.add(answer.indicator)
        if len(answer.note) > MAX_TEXT:
            issues.add(
                f"answers[{n}].note", ErrorCode.OUT_OF_RANGE, f"at most {MAX_TEXT} characters"
            )
    _evidence_problems(evidence, known, issues)
    issues.raise_if_any()
    evidenced = {code for doc in evidence for code in doc.indicators}
    scored = pre_score(scoring_rubric, answers, evidenced)
    before = cert.status
    changes: dict[str, Any] = {
        "answers": [
            {"indicator": a.indicator, "attainment": a.attainment.value, "note": a.note}
            for a in answers
        ],
        "evidence": [
            {
                "name": d.name,
                "type": d.type.lower(),
                "sha256": d.sha256.lower(),
                "indicators": list(d.indicators),
            }
            for d in evidence
        ],
        "pre_score": scored.total,
        "pre_scores": {k: str(v) for k, v in scored.dimensions.items()},
        "status": S.PRE_SCORED,
    }
    if green_category is not None:
        changes["green_category"] = green_category
    cert = await _change(session, cert, changes)
    _record(
        session,
        cert,
        A.UPDATE_SELF_ASSESSMENT,
        before,
        {"pre_score": str(scored.total), "answers": len(answers), "evidence": len(evidence)},
    )
    return cert


def answers_of(cert: Certification) -> list[Answer]:
    return [
        Answer(a["indicator"], Attainment(a["attainment"]), a.get("note", "")) for a in cert.answers
    ]


async def submit_certification(
    session: AsyncSession, *, id: uuid.UUID, version: int
) -> Certification:
    """Submit the pre-scored self-assessment; every indicator must be answered."""
    cert = await _load(session, id, version, A.SUBMIT)
    workflow.check(A.SUBMIT, cert.status)
    answered = {a.indicator for a in answers_of(cert)}
    missing = [code for code in rubric_of(cert).indicators if code not in answered]
    if missing:
        raise ValidationFailed.one(
            "answers",
            ErrorCode.REQUIRED,
            f"answer every indicator first; missing: {', '.join(missing)}",
        )
    before = cert.status
    cert = await _change(session, cert, {"status": S.SUBMITTED, "submitted_at": utcnow()})
    _record(session, cert, A.SUBMIT, before, {"pre_score": str(cert.pre_score)})
    return cert


# --- reviewers -----------------------------------------------------------------------------------


async def open_load(session: AsyncSession, expert_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Open reviews per expert: the one load rule (``matching.repository.open_reviews``)."""
    from greenrong.domain.matching.repository import open_reviews

    return await open_reviews(session, expert_ids)


async def assign_reviewers(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    expert_ids: Sequence[uuid.UUID],
    open_limit: int,
    min_reviewers: int,
) -> Certification:
    """Ask experts to score the submitted certification (UNDER_REVIEW, round 1). Refused for an
    expert with a conflict of interest (their affiliation is the owner) or at the open-review
    limit, a name given twice, or fewer than ``min_reviewers``."""
    cert = await _load(session, id, version, A.ASSIGN_REVIEWERS)
    workflow.check(A.ASSIGN_REVIEWERS, cert.status)
    owner = await service.get_or_raise(session, Enterprise, cert.enterprise_id)
    issues = IssueCollector()
    if len(set(expert_ids)) < min_reviewers:
        issues.add(
            "expert_ids",
            ErrorCode.OUT_OF_RANGE,
            f"assign at least {min_reviewers} different experts",
        )
    if len(set(expert_ids)) != len(expert_ids):
        issues.add("expert_ids", ErrorCode.DUPLICATE, "an expert is named twice")
    held = await open_load(session, expert_ids)
    for expert_id in dict.fromkeys(expert_ids):
        expert = await session.get(Expert, expert_id)
        if expert is None:
            issues.add(
                "expert_ids", ErrorCode.UNKNOWN_REFERENCE, f"expert {expert_id} does not exist"
            )
            continue
        if conflicted(expert.affiliation, owner.name):
            issues.add(
                "expert_ids",
                ErrorCode.INVALID,
                f"conflict of interest: {expert.name} works for {expert.affiliation}",
            )
        if held.get(expert_id, 0) >= open_limit:
            issues.add(
                "expert_ids",
                ErrorCode.OUT_OF_RANGE,
                f"{expert.name} already holds {held[expert_id]} open reviews "
                f"(the limit is {open_limit})",
            )
    issues.raise_if_any()
    before = cert.status
    cert = await _change(session, cert, {"status": S.UNDER_REVIEW, "review_round": 1})
    await _open_round(session, cert, list(dict.fromkeys(expert_ids)))
    _record(
        session,
        cert,
        A.ASSIGN_REVIEWERS,
        before,
        {"experts": [str(e) for e in dict.fromkeys(expert_ids)], "round": 1},
    )
    return cert


async def _open_round(
    session: AsyncSession, cert: Certification, expert_ids: Sequence[uuid.UUID]
) -> None:
    with as_party(session):
        for expert_id in expert_ids:
            values = {
                "id": uuid.uuid4(),
                "certification_id": cert.id,
                "expert_id": expert_id,
                "round": cert.review_round,
                "status": CertificationReviewStatus.OPEN,
                "scores": {},
                "comments": {},
            }
            await service.create(session, CertificationReview, values, validate=_no_rules)


async def score_certification(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    expert_id: uuid.UUID | None,
    scores: Mapping[str, Decimal],
    comments: Mapping[str, str],
) -> Certification:
    """One reviewer's scores for every dimension, each with a comment. When the last reviewer
    of the round has scored, the certification is REVIEWED. ``expert_id`` is the caller's
    expert binding; a caller without one is refused by the access check (``Forbidden``)."""
    cert = await _load(session, id, None, A.SCORE)
    reviewers = await repository.open_reviewers(session, cert)
    workflow.check(A.SCORE, cert.status)
    review = next(
        (
            r
            for r in await repository.reviews_of(session, cert, cert.review_round)
            if r.expert_id == expert_id
        ),
        None,
    )
    if review is None or review.status is not CertificationReviewStatus.OPEN:
        raise ValidationFailed.one(
            "id", ErrorCode.INVALID, "this expert has no open review of this certification"
        )
    issues = IssueCollector()
    check_review(rubric_of(cert), scores, comments, issues)
    for code, comment in comments.items():
        if len(comment) > MAX_TEXT:
            issues.add(f"comments.{code}", ErrorCode.OUT_OF_RANGE, f"at most {MAX_TEXT} characters")
    issues.raise_if_any()
    total = reviewer_total(scores)
    with as_party(session):
        await service.update(
            session,
            CertificationReview,
            review.id,
            expected_version=review.version,
            changes={
                "scores": {k: str(quantized(v)) for k, v in scores.items()},
                "comments": {k: v.strip() for k, v in comments.items()},
                "total": total,
                "status": CertificationReviewStatus.SUBMITTED,
                "submitted_at": utcnow(),
            },
            validate=_no_rules,
        )
    before = cert.status
    still_open = reviewers - {expert_id}
    if not still_open:
        cert = await _change(session, cert, {"status": S.REVIEWED})
    _record(
        session,
        cert,
        A.SCORE,
        before,
        {"expert": str(expert_id), "round": cert.review_round, "total": str(total)},
    )
    return cert


async def consolidate_certification(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    rule: ConsolidationRule,
    spread_threshold: Decimal,
) -> Certification:
    """Consolidate the round's scores. In round 1, a spread above ``spread_threshold`` opens a
    second round for the same reviewers (SECOND_ROUND); otherwise CONSOLIDATED."""
    cert = await _load(session, id, version, A.CONSOLIDATE)
    workflow.check(A.CONSOLIDATE, cert.status)
    reviews = await repository.reviews_of(session, cert, cert.review_round)
    submitted = [r for r in reviews if r.status is CertificationReviewStatus.SUBMITTED]
    result = consolidate(
        rubric_of(cert),
        [{k: Decimal(v) for k, v in r.scores.items()} for r in submitted],
        rule=rule,
        spread_threshold=spread_threshold,
    )
    before = cert.status
    details = {
        "rule": rule.value,
        "round": cert.review_round,
        "score": str(result.total),
        "spread": str(result.spread),
        "threshold": str(spread_threshold),
        "flagged": result.flagged,
    }
    if result.flagged and cert.review_round == 1:
        with as_party(session):
            for r in submitted:
                await service.update(
                    session,
                    CertificationReview,
                    r.id,
                    expected_version=r.version,
                    changes={"status": CertificationReviewStatus.SUPERSEDED},
                    validate=_no_rules,
                )
        cert = await _change(
            session,
            cert,
            {
                "status": S.SECOND_ROUND,
                "review_round": 2,
                "second_round_flagged": True,
                "spread": result.spread,
            },
        )
        await _open_round(session, cert, [r.expert_id for r in submitted])
    else:
        cert = await _change(
            session,
            cert,
            {
                "status": S.CONSOLIDATED,
                "consolidation_rule": rule,
                "scores": {k: str(v) for k, v in result.dimensions.items()},
                "score": result.total,
                "spread": result.spread,
                "level": rubric_of(cert).level(result.total),
            },
        )
    _record(session, cert, A.CONSOLIDATE, before, details)
    return cert


# --- the decision, and what follows from it ------------------------------------------------------


def years_later(start: date, years: int) -> date:
    if (start.month, start.day) == (2, 29):
        start = start.replace(day=28)
    return start.replace(year=start.year + years)


async def _certificate_number(session: AsyncSession, kind: CertificationSubject, year: int) -> str:
    """The next number of its kind and year. On PostgreSQL a transaction-level advisory lock
    per prefix makes concurrent decisions take turns: the second counts after the first has
    committed, instead of both taking the same number and one failing the unique constraint.
    SQLite lets one transaction write at a time anyway."""
    prefix = f"{NUMBER_PREFIX[kind]}-{year}-"
    taken = await repository.numbers_taken(session, prefix)
    return f"{prefix}{taken + 1:06d}"


async def _set_level(
    session: AsyncSession, cert: Certification, level: GreenLevel, until: date | None
) -> None:
    subject: Enterprise | Project
    if cert.project_id is not None:
        subject = await service.get_or_raise(session, Project, cert.project_id)
    else:
        subject = await service.get_or_raise(session, Enterprise, cert.enterprise_id)
    with as_party(session):
        await service.update(
            session,
            type(subject),
            subject.id,
            expected_version=subject.version,
            changes={"green_level": level, "green_level_valid_until": until},
            validate=_no_rules,
        )


def _subject_id(cert: Certification) -> uuid.UUID:
    return cert.project_id if cert.project_id is not None else cert.enterprise_id


async def decide_certification(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    approve: bool,
    reasons: Sequence[str],
    on: date,
    validity_years: int,
) -> Certification:
    """The regulator's decision. Approval needs a consolidated score of at least the entry
    threshold (50) and issues the certificate: level from the score, a number, valid from
    ``on`` (or, for a renewal, from the day after the renewed certificate ends) for
    ``validity_years``. Rejection needs at least one reason."""
    cert = await _load(session, id, version, A.DECIDE)
    workflow.check(A.DECIDE, cert.status)
    cleaned = [r.strip() for r in reasons if r.strip()]
    before = cert.status
    scoring = rubric_of(cert)
    score = cert.score if cert.score is not None else Decimal(0)
    if not approve:
        if not cleaned:
            raise ValidationFailed.one(
                "reasons", ErrorCode.REQUIRED, "give the reasons for the rejection"
            )
        cert = await _change(
            session,
            cert,
            {
                "status": S.REJECTED,
                "rejection_reasons": cleaned,
                "decided_at": utcnow(),
                "level": GreenLevel.NONE,
            },
        )
        _record(session, cert, A.DECIDE, before, {"approved": False, "reasons": cleaned})
        return cert
    if not scoring.admitted(score):
        raise ValidationFailed.one(
            "approve",
            ErrorCode.INVALID,
            f"the score {score} is below the entry threshold {scoring.entry_threshold}",
        )
    renewed: Certification | None = None
    valid_from = on
    if cert.renews_id is not None:
        renewed = await session.get(Certification, cert.renews_id)
        if renewed is not None and renewed.status is S.ISSUED and renewed.valid_until is not None:
            valid_from = max(on, renewed.valid_until + timedelta(days=1))
    valid_until = years_later(valid_from, validity_years) - timedelta(days=1)
    level = scoring.level(score)
    number = await _certificate_number(session, cert.subject_type, valid_from.year)
    if renewed is not None and renewed.status is S.ISSUED:
        renewed_before = renewed.status
        renewed = await _change(
            session, renewed, {"status": S.RENEWED, "ended_on": renewed.valid_until}
        )
        _record(session, renewed, A.RENEW, renewed_before, {"renewed_by": str(cert.id)})
    cert = await _change(
        session,
        cert,
        {
            "status": S.ISSUED,
            "decided_at": utcnow(),
            "level": level,
            "certificate_number": number,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "rejection_reasons": [],
        },
    )
    await _set_level(session, cert, level, valid_until)
    await membership.admit(session, cert, since=valid_from, until=valid_until)
    _record(
        session,
        cert,
        A.DECIDE,
        before,
        {
            "approved": True,
            "level": level.value,
            "certificate_number": number,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return cert


async def renew_certification(session: AsyncSession, *, id: uuid.UUID, on: date) -> Certification:
    """Start the renewal cycle of an issued certificate before it expires: a new DRAFT
    certification whose certificate, once issued, starts the day after this one ends."""
    cert = await _load(session, id, None, A.RENEW)
    workflow.check(A.RENEW, cert.status)
    if cert.valid_until is not None and cert.valid_until < on:
        raise ValidationFailed.one(
            "id",
            ErrorCode.INVALID,
            f"the certificate ended on {cert.valid_until}: start a new certification",
        )
    return await start_certification(
        session,
        subject_type=cert.subject_type,
        enterprise_id=cert.enterprise_id if cert.project_id is None else None,
        project_id=cert.project_id,
        green_category=cert.green_category,
        renews_id=cert.id,
    )


async def _end(
    session: AsyncSession,
    cert: Certification,
    action: CertificationAction,
    status: CertificationStatus,
    *,
    on: date,
    reason: str,
    details: Mapping[str, Any],
) -> Certification:
    before = cert.status
    changes: dict[str, Any] = {"status": status, "ended_on": on}
    if status is S.REVOKED:
        changes["revocation_reason"] = reason
    cert = await _change(session, cert, changes)
    await _set_level(session, cert, GreenLevel.NONE, None)
    await membership.end(session, cert, on=on, reason=reason)
    _record(session, cert, action, before, details)
    return cert


async def revoke_certification(
    session: AsyncSession, *, id: uuid.UUID, version: int, reason: str, on: date
) -> Certification:
    """Revoke an issued certificate with a reason: the level drops to NONE and the library
    membership ends on ``on``."""
    cert = await _load(session, id, version, A.REVOKE)
    workflow.check(A.REVOKE, cert.status)
    cleaned = reason.strip()
    if not cleaned:
        raise ValidationFailed.one(
            "reason", ErrorCode.REQUIRED, "give the reason for the revocation"
        )
    if len(cleaned) > MAX_TEXT:
        raise ValidationFailed.one(
            "reason", ErrorCode.OUT_OF_RANGE, f"at most {MAX_TEXT} characters"
        )
    return await _end(
        session, cert, A.REVOKE, S.REVOKED, on=on, reason=cleaned, details={"reason": cleaned}
    )


async def expire_due(session: AsyncSession, *, on: date) -> list[Certification]:
    """Expire every issued certificate whose last day is before ``on``: the subject's level drops
    to NONE and its library membership ends. Safe to run twice."""
    due = await repository.issued_ending_before(session, on)
    expired: list[Certification] = []
    for cert in due:
        assert cert.valid_until is not None
        _authorize(session, A.EXPIRE, cert.enterprise_id)
        last_day = cert.valid_until
        expired.append(
            await _end(
                session,
                cert,
                A.EXPIRE,
                S.EXPIRED,
                on=last_day,
                reason=f"认定有效期至{last_day.isoformat()}届满",
                details={"valid_until": last_day.isoformat(), "run_on": on.isoformat()},
            )
        )
    return expired
