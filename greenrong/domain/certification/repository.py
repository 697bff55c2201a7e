"""The certification context's lists (filters, orders) and every statement its services run."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.certification.models import (
    Certification,
    CertificationEvent,
    CertificationReview,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.workflow import OPEN
from greenrong.domain.kit.listing import Kind, Listing, SortKey

C, R, E = Certification, CertificationReview, CertificationEvent
CERTIFICATIONS = Listing(
    model=C,
    filters={
        "id": (C.id, Kind.ID),
        "subject_type": (C.subject_type, Kind.ENUM),
        "enterprise_id": (C.enterprise_id, Kind.ID),
        "project_id": (C.project_id, Kind.ID),
        "status": (C.status, Kind.ENUM),
        "level": (C.level, Kind.ENUM),
        "green_category": (C.green_category, Kind.ENUM),
        "rubric_version": (C.rubric_version, Kind.TEXT),
        "certificate_number": (C.certificate_number, Kind.TEXT),
        "valid_until": (C.valid_until, Kind.NUMBER),
        "created_at": (C.created_at, Kind.NUMBER),
    },
    orders={"created_at": C.created_at, "updated_at": C.updated_at},
    default_order=(SortKey("created_at"),),
)
REVIEWS = Listing(
    model=R,
    filters={"round": (R.round, Kind.NUMBER), "status": (R.status, Kind.ENUM)},
    orders={"assigned_at": R.assigned_at, "round": R.round},
    default_order=(SortKey("assigned_at"),),
)
HISTORY = Listing(
    model=E,
    filters={"action": (E.action, Kind.ENUM), "at": (E.at, Kind.NUMBER)},
    orders={"at": E.at},
    default_order=(SortKey("at"),),
)


async def issued_for(
    session: AsyncSession,
    *,
    enterprise_ids: Sequence[uuid.UUID] = (),
    project_ids: Sequence[uuid.UUID] = (),
    scope: ColumnElement[bool] | None = None,
) -> dict[uuid.UUID, Certification]:
    """The issued certificate of each enterprise (its own, not its projects') or project, in
    one statement; subjects without one are left out."""
    query = select(C).where(C.status == CertificationStatus.ISSUED)
    if project_ids:
        query = query.where(C.project_id.in_(list(project_ids)))
    else:
        query = query.where(C.enterprise_id.in_(list(enterprise_ids)), C.project_id.is_(None))
    if scope is not None:
        query = query.where(scope)
    found: dict[uuid.UUID, Certification] = {}
    for cert in (await session.scalars(query.order_by(C.valid_until, C.id))).all():
        found[cert.project_id if project_ids and cert.project_id else cert.enterprise_id] = cert
    return found


async def reviewed_by(
    session: AsyncSession, expert_id: uuid.UUID, certification_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``certification_ids`` the expert was assigned to review."""
    rows = await session.scalars(
        select(R.certification_id).where(
            R.expert_id == expert_id, R.certification_id.in_(list(certification_ids))
        )
    )
    return set(rows)


async def submitted_reviews(
    session: AsyncSession, certification_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CertificationReview]]:
    """Submitted reviews of each certification (every round), in assignment order."""
    rows = await session.scalars(
        select(R)
        .where(
            R.certification_id.in_(list(certification_ids)),
            R.status == CertificationReviewStatus.SUBMITTED,
        )
        .order_by(R.assigned_at, R.id)
    )
    found: dict[uuid.UUID, list[CertificationReview]] = {}
    for review in rows:
        found.setdefault(review.certification_id, []).append(review)
    return found


async def open_reviewers(session: AsyncSession, cert: Certification) -> set[uuid.UUID]:
    """The experts whose review of ``cert``'s current round is still open."""
    rows = await session.scalars(
        select(R.expert_id).where(
            R.certification_id == cert.id,
            R.round == cert.review_round,
            R.status == CertificationReviewStatus.OPEN,
        )
    )
    return set(rows)


async def reviews_of(
    session: AsyncSession, cert: Certification, round: int
) -> list[CertificationReview]:
    """Every review of ``cert`` in ``round``, in assignment order."""
    rows = await session.scalars(
        select(R)
        .where(R.certification_id == cert.id, R.round == round)
        .order_by(R.assigned_at, R.id)
    )
    return list(rows)


async def open_cycle(
    session: AsyncSession,
    subject_type: CertificationSubject,
    enterprise_id: uuid.UUID,
    project_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """A certification of the subject still under way, if any."""
    query = select(C.id).where(C.subject_type == subject_type, C.status.in_(sorted(OPEN)))
    if subject_type is CertificationSubject.PROJECT:
        query = query.where(C.project_id == project_id)
    else:
        query = query.where(C.enterprise_id == enterprise_id, C.project_id.is_(None))
    found: uuid.UUID | None = await session.scalar(query.limit(1))
    return found


async def numbers_taken(session: AsyncSession, prefix: str) -> int:
    """How many certificate numbers start with ``prefix``. On PostgreSQL a transaction-level
    advisory lock per prefix is taken first, so that concurrent decisions count in turn."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(prefix))))
    taken = await session.scalar(
        select(func.count()).select_from(C).where(C.certificate_number.like(f"{prefix}%"))
    )
    return int(taken or 0)


async def issued_ending_before(session: AsyncSession, on: date) -> list[Certification]:
    """Issued certificates whose last day is before ``on``, the earliest ending first."""
    rows = await session.scalars(
        select(C)
        .where(C.status == CertificationStatus.ISSUED, C.valid_until < on)
        .order_by(C.valid_until, C.id)
    )
    return list(rows)
