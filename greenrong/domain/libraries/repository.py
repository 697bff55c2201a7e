"""The libraries' SQL: the membership and recommendation listings, the statistics counts, and
the statements of admitting and ending memberships.

The subject's region and green category are filters on the membership list through correlated
scalar subqueries (the subject is an enterprise or a project, never both: ``ck_…_one_subject``).
``open`` depends on the day, so the membership listing is built per day (``memberships(on)``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.listing import Kind, Listing, SortKey
from greenrong.domain.libraries.models import (
    CultivationRecommendation,
    Library,
    LibraryMembership,
    RecommendationStatus,
    SubjectType,
)
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory

M = LibraryMembership


def _of_subject(enterprise_column: Any, project_column: Any) -> Any:
    """The subject's column, whichever kind of subject the membership names."""
    return func.coalesce(
        select(enterprise_column).where(Enterprise.id == M.enterprise_id).scalar_subquery(),
        select(project_column).where(Project.id == M.project_id).scalar_subquery(),
    )


def open_on(on: date) -> Any:
    """The memberships that hold on day ``on`` (``since`` and ``until`` inclusive)."""
    return and_(M.since <= on, or_(M.until.is_(None), M.until >= on))


@lru_cache(maxsize=4)
def memberships(on: date) -> Listing[LibraryMembership]:
    """The membership listing, with ``open`` meaning "holds on ``on``"."""
    return Listing(
        model=M,
        filters={
            "id": (M.id, Kind.ID),
            "library": (M.library, Kind.ENUM),
            "source": (M.source, Kind.ENUM),
            "since": (M.since, Kind.NUMBER),
            "until": (M.until, Kind.NUMBER),
            "open": (case((open_on(on), True), else_=False), Kind.BOOL),  # type: ignore[dict-item]
            "subject_region_code": (
                _of_subject(Enterprise.region_code, Project.region_code),
                Kind.TEXT,
            ),
            "subject_green_category": (
                _of_subject(Enterprise.green_category, Project.green_category),
                Kind.ENUM,
            ),
            "climate_type": (M.climate_type, Kind.ENUM),
            "pboc_area": (M.pboc_area, Kind.ENUM),
            "created_at": (M.created_at, Kind.NUMBER),
        },
        orders={"since": M.since, "created_at": M.created_at},
        default_order=(SortKey("since"),),
    )


RECOMMENDATIONS = Listing(
    model=CultivationRecommendation,
    filters={
        "id": (CultivationRecommendation.id, Kind.ID),
        "project_id": (CultivationRecommendation.project_id, Kind.ID),
        "status": (CultivationRecommendation.status, Kind.ENUM),
        "department": (CultivationRecommendation.department, Kind.TEXT),
        "created_at": (CultivationRecommendation.created_at, Kind.NUMBER),
    },
    orders={"created_at": CultivationRecommendation.created_at},
    default_order=(SortKey("created_at"),),
)


async def open_counts(
    session: AsyncSession, on: date, *, seen: ColumnElement[bool] | None
) -> dict[Library, dict[GreenCategory, int]]:
    """Open memberships on ``on`` per library and the subject's green category (one statement),
    counting only the memberships the caller sees (``seen``; None for every membership)."""
    category = _of_subject(Enterprise.green_category, Project.green_category).label("category")
    statement = select(M.library, category, func.count()).where(open_on(on))
    if seen is not None:
        statement = statement.where(seen)
    rows = await session.execute(statement.group_by(M.library, category))
    counts: dict[Library, dict[GreenCategory, int]] = {lib: {} for lib in Library}
    for library, green_category, n in rows:
        counts[Library(library)][GreenCategory(green_category)] = int(n)
    return counts


#: what the kept library figures read of a membership (``libraries/figures.py``)
MemberRow = tuple[str, str, date, date | None, str]  # library, subject type, since, until, category


def _member_rows(condition: ColumnElement[bool] | None) -> Any:
    category = _of_subject(Enterprise.green_category, Project.green_category)
    statement = select(M.library, M.subject_type, M.since, M.until, category)
    return statement if condition is None else statement.where(condition)


def _member(row: Any) -> MemberRow:
    library, subject_type, since, until, category = row
    return (str(library), subject_type, since, until, str(category))


def member_rows_sync(
    session: Session,
    *,
    ids: Collection[uuid.UUID] | None = None,
    enterprise_ids: Collection[uuid.UUID] = (),
    project_ids: Collection[uuid.UUID] = (),
) -> list[MemberRow]:
    """The memberships named by id or by subject, as the kept figures read them (one
    statement, by indexed columns); every membership when ``ids`` is None."""
    if ids is None:
        return [_member(row) for row in session.execute(_member_rows(None))]
    named = [
        column.in_(list(values))
        for column, values in ((M.id, ids), (M.enterprise_id, enterprise_ids),
                               (M.project_id, project_ids))
        if values
    ]  # fmt: skip
    if not named:
        return []
    return [_member(row) for row in session.execute(_member_rows(or_(*named)))]


def _subject_column(subject_type: SubjectType) -> InstrumentedAttribute[uuid.UUID | None]:
    return M.enterprise_id if subject_type is SubjectType.ENTERPRISE else M.project_id


async def locked_subject(
    session: AsyncSession, subject_type: SubjectType, subject_id: uuid.UUID
) -> Enterprise | Project | None:
    """The subject, locked on PostgreSQL so that two admits of one subject cannot both pass
    the overlap check (SQLite has one writer anyway)."""
    if subject_type is SubjectType.ENTERPRISE:
        query = select(Enterprise).where(Enterprise.id == subject_id).with_for_update()
        return (await session.scalars(query)).first()
    rows = await session.scalars(select(Project).where(Project.id == subject_id).with_for_update())
    return rows.first()


async def overlapping(
    session: AsyncSession,
    library: Library,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    since: date,
    until: date | None,
) -> LibraryMembership | None:
    """The subject's earliest membership of ``library`` that overlaps ``since``–``until``."""
    query = select(M).where(
        M.library == library,
        _subject_column(subject_type) == subject_id,
        or_(M.until.is_(None), M.until >= since),
    )
    if until is not None:
        query = query.where(M.since <= until)
    rows = await session.scalars(query.order_by(M.since).limit(1))
    return rows.first()


async def unended_membership(
    session: AsyncSession,
    library: Library,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    *,
    on: date,
) -> LibraryMembership | None:
    """The subject's latest membership of ``library`` that holds on ``on`` and was not ended."""
    rows = await session.scalars(
        select(M)
        .where(
            M.library == library,
            _subject_column(subject_type) == subject_id,
            M.ended_reason.is_(None),
            M.since <= on,
            or_(M.until.is_(None), M.until >= on),
        )
        .order_by(M.since.desc(), M.id)
        .limit(1)
    )
    return rows.first()


async def libraries_holding(session: AsyncSession, project_id: uuid.UUID, on: date) -> set[Library]:
    """The libraries whose membership of the project holds on ``on``."""
    rows = await session.scalars(
        select(M.library).where(
            M.project_id == project_id, M.since <= on, or_(M.until.is_(None), M.until >= on)
        )
    )
    return set(rows)


async def projects_with_changed_memberships(session: AsyncSession, on: date) -> list[uuid.UUID]:
    """Projects with a membership that lapsed before ``on`` or started since the day before."""
    rows = await session.scalars(
        select(M.project_id)
        .where(
            M.project_id.is_not(None),
            or_(M.until < on, M.since >= on - timedelta(days=1)),
        )
        .distinct()
    )
    return [project_id for project_id in rows if project_id is not None]


async def pending_recommendation(session: AsyncSession, project_id: uuid.UUID) -> uuid.UUID | None:
    """The project's recommendation awaiting review, if any."""
    found: uuid.UUID | None = await session.scalar(
        select(CultivationRecommendation.id).where(
            CultivationRecommendation.project_id == project_id,
            CultivationRecommendation.status == RecommendationStatus.RECOMMENDED,
        )
    )
    return found
