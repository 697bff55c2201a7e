"""The libraries' SQL: the membership and recommendation listings, and the statistics counts.

The subject's region and green category are filters on the membership list through correlated
scalar subqueries (the subject is an enterprise or a project, never both: ``ck_…_one_subject``).
``open`` depends on the day, so the membership listing is built per day (``memberships(on)``).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.listing import Kind, Listing, SortKey
from greenrong.domain.libraries.models import (
    CultivationRecommendation,
    Library,
    LibraryMembership,
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
