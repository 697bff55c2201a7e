"""Identification requests and the review of suggestions."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, Forbidden, IssueCollector, NotFound, ValidationFailed
from greenrong.domain.access import policy
from greenrong.domain.access.guard import as_party, principal_of
from greenrong.domain.access.predicates import Nothing, to_sql
from greenrong.domain.access.principal import SYSTEM, Principal, Role
from greenrong.domain.identification import figures, repository
from greenrong.domain.identification.catalogue import catalogue
from greenrong.domain.identification.models import (
    GreenIdentification,
    GreenIdentificationCorrection,
    IdentificationStatus,
)
from greenrong.domain.identification.ranking import RANKING_VERSION, Candidate
from greenrong.domain.identification.reading import reading_cues
from greenrong.domain.identification.statistics import statistics_mapping
from greenrong.domain.kit import service as kit_service
from greenrong.domain.kit.types import utcnow
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.catalog import regions

#: the longest description the engine reads
MAX_TEXT = 5000
#: the longest correction reason
MAX_REASON = 2000


@dataclass(frozen=True)
class IdentifyRequest:
    text: str
    amount: Decimal | None = None
    region_code: str | None = None


def validate_request(
    request: IdentifyRequest, *, size: int = 1, max_size: int = 1
) -> IdentifyRequest:
    """Raise ``ValidationFailed`` naming every bad field (``size`` is the number of candidates
    asked for, ``first``); the request with its text trimmed."""
    issues = IssueCollector()
    if not 1 <= size <= max_size:
        issues.add("first", ErrorCode.OUT_OF_RANGE, f"must be 1-{max_size}")
    text = request.text.strip()
    if not text:
        issues.add("text", ErrorCode.REQUIRED, "describe the project")
    elif len(text) > MAX_TEXT:
        issues.add("text", ErrorCode.OUT_OF_RANGE, f"at most {MAX_TEXT} characters")
    if request.amount is not None and request.amount < 0:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "must not be negative")
    if request.region_code is not None and request.region_code not in regions():
        issues.add("region_code", ErrorCode.UNKNOWN_REFERENCE, "not a Sichuan GB/T 2260 code")
    issues.raise_if_any()
    return IdentifyRequest(text=text, amount=request.amount, region_code=request.region_code)


# ------------------------------------------------------------------ suggestions on projects


def description_hash(title: str, description: str) -> str:
    """What a suggestion was made for: SHA-256 of the title and description."""
    return hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()


def project_text(title: str, description: str) -> str:
    return f"{title}。{description}".strip("。 ")


async def needs_suggestion(session: AsyncSession, project: Project, engine_version: str) -> bool:
    """Whether the project's current title and description have no suggestion yet from this
    engine version (so an unrelated change, or a redelivered event, makes none)."""
    latest = await repository.latest_for_project(session, project.id)
    if latest is None:
        return True
    if await repository.made_for_version(session, project.id, project.version) is not None:
        return False
    return not (
        latest.description_hash == description_hash(project.title, project.description)
        and latest.engine_version == engine_version
    )


async def store_suggestion(
    session: AsyncSession,
    *,
    project: Project,
    candidates: Sequence[Candidate],
    engine_version: str,
) -> GreenIdentification | None:
    """Store the engine's suggestion for the project's current version; None when it already
    has one (``needs_suggestion``). Flushes, never commits."""
    if not await needs_suggestion(session, project, engine_version):
        return None
    top = candidates[0] if candidates else None
    values = {
        "project_id": project.id,
        "project_version": project.version,
        "description_hash": description_hash(project.title, project.description),
        "code": None if top is None else top.item.code,
        "confidence": Decimal("0") if top is None else Decimal(str(top.confidence)),
        "candidates": [c.item.code for c in candidates],
        "matched_terms": [] if top is None else list(top.matched_terms),
        "engine_version": engine_version,
        "status": IdentificationStatus.SUGGESTED,
    }
    return await kit_service.create(session, GreenIdentification, values, validate=_no_rules)


async def _no_rules(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Suggestions come from the engine, not from a client: nothing to validate."""


# ------------------------------------------------------------------ review: accept or correct

#: roles that review any project's identification; an EXPERT reviews the projects assigned to it
REVIEWERS = frozenset({Role.ADMIN, Role.REGULATOR})


async def _authorize_review(session: AsyncSession, project_id: uuid.UUID) -> Principal | None:
    """Raise ``Forbidden`` unless the session's caller may review this project's suggestion.
    None for the system principal (CLI, workers, test factories: trusted, recorded as no
    reviewer)."""
    principal = principal_of(session)
    if principal is SYSTEM:
        return None
    if principal.role in REVIEWERS:
        return principal
    if (
        principal.role == Role.EXPERT
        and principal.org_id is not None
        and await repository.is_assigned(session, project_id, principal.org_id)
    ):
        return principal
    raise Forbidden(
        f"{principal.role} may not review this project's green identification: "
        "admins, regulators and the experts assigned to the project may"
    )


async def _current(session: AsyncSession, project_id: uuid.UUID) -> GreenIdentification:
    if await session.get(Project, project_id) is None:
        raise NotFound("Project", project_id)
    row = await repository.latest_for_project(session, project_id)
    if row is None:
        raise ValidationFailed.one(
            "project_id", ErrorCode.INVALID, "the project has no green identification yet"
        )
    return row


async def _review(
    session: AsyncSession,
    row: GreenIdentification,
    changes: dict[str, Any],
    principal: Principal | None,
) -> GreenIdentification:
    changes |= {
        "reviewed_at": utcnow(),
        "reviewer_role": None if principal is None else principal.role,
        "reviewer_subject": None if principal is None else principal.subject,
    }
    with as_party(session):  # the review check above is this write's permission
        return await kit_service.update(
            session,
            GreenIdentification,
            row.id,
            expected_version=row.version,
            changes=changes,
            validate=_no_rules,
        )


async def accept(session: AsyncSession, *, project_id: uuid.UUID) -> GreenIdentification:
    """Accept the project's current suggestion as it is."""
    principal = await _authorize_review(session, project_id)
    row = await _current(session, project_id)
    if row.status is not IdentificationStatus.SUGGESTED:
        raise ValidationFailed.one(
            "status",
            ErrorCode.INVALID_TRANSITION,
            f"only a SUGGESTED identification can be accepted; this one is {row.status.value}",
        )
    if row.code is None:
        raise ValidationFailed.one(
            "code", ErrorCode.INVALID, "the engine suggested nothing: correct it with a code"
        )
    changes: dict[str, Any] = {"status": IdentificationStatus.ACCEPTED, "final_code": row.code}
    return await _review(session, row, changes, principal)


async def correct(
    session: AsyncSession, *, project_id: uuid.UUID, code: str, reason: str
) -> GreenIdentification:
    """Set the project's identification to another level-4 code, keeping the correction (who,
    when, from, to, why). A suggestion can be corrected again later; each correction is kept."""
    principal = await _authorize_review(session, project_id)
    row = await _current(session, project_id)
    issues = IssueCollector()
    item = catalogue().get(code)
    if item is None or item.level != 4:
        issues.add("code", ErrorCode.UNKNOWN_REFERENCE, "not a level-4 code of the 2021 catalogue")
    elif code == (row.final_code or row.code):
        issues.add("code", ErrorCode.INVALID, "the identification already has this code")
    if not reason.strip():
        issues.add("reason", ErrorCode.REQUIRED, "say why the suggestion is wrong")
    elif len(reason) > MAX_REASON:
        issues.add("reason", ErrorCode.OUT_OF_RANGE, f"at most {MAX_REASON} characters")
    issues.raise_if_any()
    previous = row.final_code or row.code
    changes: dict[str, Any] = {"status": IdentificationStatus.CORRECTED, "final_code": code}
    updated = await _review(session, row, changes, principal)
    correction = {
        "identification_id": row.id,
        "project_id": project_id,
        "from_code": previous,
        "to_code": code,
        "reason": reason.strip(),
        "actor_role": Role.ADMIN if principal is None else principal.role,
        "actor_subject": None if principal is None else principal.subject,
        "actor_org_id": None if principal is None else principal.org_id,
    }
    with as_party(session):
        await kit_service.create(
            session, GreenIdentificationCorrection, correction, validate=_no_rules
        )
    return updated


async def identification_counts(
    session: AsyncSession, *, principal: Principal, top: int = 5
) -> repository.Counts:
    """The review figures over the projects ``principal`` may see (``policy.visible_rows``):
    a private project's suggestion or correction moves no figure of a caller who cannot see
    the project, so the figures cannot be differenced to learn one (docs/SECURITY.md).
    ADMIN and REGULATOR read the kept figures (``figures.py``); a caller who sees no project
    gets zeros; the others' own projects are counted."""
    visible = policy.visible_rows(principal, Project.entity_type)
    if isinstance(visible, Nothing):
        return figures.NONE
    kept = await figures.kept_counts(session, principal=principal, top=top)
    if kept is not None:
        return kept
    projects = to_sql(Project, visible, now=utcnow())
    return await repository.counts(session, top=top, projects=projects)


def engine_version() -> str:
    """Names everything a suggestion depends on: a new data file or ranking makes new ones."""
    return (
        f"catalogue {catalogue().version}; mapping {statistics_mapping().version}; "
        f"ranking {RANKING_VERSION}; reading {reading_cues().version}"
    )
