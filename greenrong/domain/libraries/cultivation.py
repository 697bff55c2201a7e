"""The cultivation library's workflow (绿色培育库): 由主管部门推荐，“绿蓉融”平台审核认定.

A department (a REGULATOR principal, naming its department) recommends a project; the platform
(an ADMIN) reviews the recommendation: ACCEPTED opens a CULTIVATION membership with source
RECOMMENDATION (the department copied onto it), REJECTED records the reasons. Both are final:
``RECOMMENDATION_FLOW`` is the whole state machine, and any other move is ``INVALID_TRANSITION``
on ``status``, changing nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import (
    ErrorCode,
    IssueCollector,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from greenrong.domain.access import policy
from greenrong.domain.access.guard import principal_of
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.clock import today
from greenrong.domain.kit.types import utcnow
from greenrong.domain.libraries import repository, service
from greenrong.domain.libraries.models import (
    CultivationRecommendation,
    Library,
    MembershipSource,
    RecommendationStatus,
)
from greenrong.domain.outbox.models import Operation
from greenrong.domain.outbox.service import record_change
from greenrong.domain.projects.models import Project

R = RecommendationStatus
RECOMMENDATION_FLOW: Mapping[RecommendationStatus, frozenset[RecommendationStatus]] = {
    R.RECOMMENDED: frozenset({R.ACCEPTED, R.REJECTED}),
    R.ACCEPTED: frozenset(),
    R.REJECTED: frozenset(),
}


def _caller(session: AsyncSession, role: Role, what: str) -> str:
    """The caller's subject (``system`` for trusted code), after the policy allowed it."""
    principal = principal_of(session)
    policy.authorize_cultivation(principal, role, what)
    return principal.subject or principal.role.value


async def recommend(
    session: AsyncSession, *, project_id: uuid.UUID, department: str, reason: str
) -> CultivationRecommendation:
    """A department recommends a project for the cultivation library."""
    who = _caller(session, Role.REGULATOR, "recommend projects for cultivation")
    issues = IssueCollector()
    service.check_text(issues, "department", department, required=True, max_length=100)
    service.check_text(issues, "reason", reason, required=True)
    project = await session.get(Project, project_id)
    if project is None:
        issues.add(
            "project_id", ErrorCode.UNKNOWN_REFERENCE, f"Project {project_id} does not exist"
        )
    else:
        pending = await repository.pending_recommendation(session, project_id)
        if pending is not None:
            issues.add(
                "project_id",
                ErrorCode.DUPLICATE,
                f"already recommended, awaiting review ({pending})",
            )
        elif Library.CULTIVATION.value in (
            await service.open_libraries(session, project_id, today())
        ):
            issues.add("project_id", ErrorCode.DUPLICATE, "already in the cultivation library")
    issues.raise_if_any()
    row = CultivationRecommendation(
        id=uuid.uuid4(),
        project_id=project_id,
        department=department.strip(),
        recommended_by=who,
        reason=reason.strip(),
        status=RecommendationStatus.RECOMMENDED,
    )
    session.add(row)
    await record_change(session, row, Operation.CREATE)
    return row


async def review(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    status: RecommendationStatus,
    reason: str | None = None,
    since: date | None = None,
) -> CultivationRecommendation:
    """The platform accepts (membership from ``since``, default today) or rejects (with reasons)."""
    who = _caller(session, Role.ADMIN, "review cultivation recommendations")
    row = await session.get(CultivationRecommendation, id)
    if row is None:
        raise NotFound(CultivationRecommendation.entity_type, id)
    if row.version != version:
        raise StaleVersion(CultivationRecommendation.entity_type, id, version, row.version)
    if status not in RECOMMENDATION_FLOW[row.status]:
        allowed = ", ".join(sorted(RECOMMENDATION_FLOW[row.status])) or "none (final)"
        raise ValidationFailed.one(
            "status",
            ErrorCode.INVALID_TRANSITION,
            f"cannot move from {row.status.value} to {status.value}; allowed next: {allowed}",
        )
    issues = IssueCollector()
    service.check_text(issues, "reason", reason, required=status is RecommendationStatus.REJECTED)
    if status is RecommendationStatus.REJECTED and since is not None:
        issues.add("since", ErrorCode.INVALID, "a rejection opens no membership")
    issues.raise_if_any()
    if status is RecommendationStatus.ACCEPTED:
        membership = await service.admit(
            session,
            library=Library.CULTIVATION,
            subject_type="Project",
            subject_id=row.project_id,
            source=MembershipSource.RECOMMENDATION,
            reason=row.reason if not reason or not reason.strip() else reason,
            since=since or today(),
            department=row.department,
        )
        row.membership_id = membership.id
    row.status = status
    row.reviewed_by = who
    row.reviewed_at = utcnow()
    row.review_reason = reason.strip() if reason and reason.strip() else None
    await record_change(session, row, Operation.UPDATE)
    return row
