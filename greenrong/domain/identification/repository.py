"""The identification context's SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.identification.models import (
    GreenIdentification as Suggestion,
)
from greenrong.domain.identification.models import (
    GreenIdentificationCorrection as Correction,
)
from greenrong.domain.identification.models import IdentificationStatus
from greenrong.domain.matching.tracked import ReviewAssignment
from greenrong.domain.projects.models import Project


async def latest_for_projects(
    session: AsyncSession, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Suggestion]:
    """The newest suggestion of each project (by the project version it was made for), in one
    statement; projects without one are absent."""
    if not project_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=Suggestion.project_id,
            order_by=(Suggestion.project_version.desc(), Suggestion.id.desc()),
        )
        .label("rank")
    )
    inner = (
        select(Suggestion.id, rank).where(Suggestion.project_id.in_(list(project_ids))).subquery()
    )
    statement = select(Suggestion).join(inner, inner.c.id == Suggestion.id).where(inner.c.rank == 1)
    rows = (await session.scalars(statement)).all()
    return {row.project_id: row for row in rows}


async def latest_for_project(session: AsyncSession, project_id: uuid.UUID) -> Suggestion | None:
    statement = (
        select(Suggestion)
        .where(Suggestion.project_id == project_id)
        .order_by(Suggestion.project_version.desc(), Suggestion.id.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def made_for_version(
    session: AsyncSession, project_id: uuid.UUID, project_version: int
) -> Suggestion | None:
    statement = select(Suggestion).where(
        Suggestion.project_id == project_id, Suggestion.project_version == project_version
    )
    return (await session.scalars(statement)).first()


async def is_assigned(session: AsyncSession, project_id: uuid.UUID, expert_id: uuid.UUID) -> bool:
    statement = select(ReviewAssignment.id).where(
        ReviewAssignment.project_id == project_id, ReviewAssignment.expert_id == expert_id
    )
    return (await session.scalar(statement)) is not None


async def corrections_for(
    session: AsyncSession, identification_ids: Sequence[uuid.UUID]
) -> list[Correction]:
    """The corrections of these identifications, oldest first, in one statement."""
    statement = (
        select(Correction)
        .where(Correction.identification_id.in_(list(identification_ids)))
        .order_by(Correction.created_at, Correction.id)
    )
    return list((await session.scalars(statement)).all())


@dataclass(frozen=True)
class CorrectionCount:
    from_code: str | None
    to_code: str
    count: int


@dataclass(frozen=True)
class Counts:
    suggested: int
    accepted: int
    corrected: int
    corrections: int
    top_corrections: list[CorrectionCount]


async def counts(
    session: AsyncSession, *, top: int, projects: ColumnElement[bool] | None = None
) -> Counts:
    """Suggestions by status, corrections, and the most frequent (from, to) corrections, over
    the projects ``projects`` selects (a condition on ``Project``; None: every project)."""
    visible = None if projects is None else select(Project.id).where(projects)

    def scoped(statement: Select[Any], column: Any) -> Select[Any]:
        return statement if visible is None else statement.where(column.in_(visible))

    by_status = dict(
        (
            await session.execute(
                scoped(
                    select(Suggestion.status, func.count()).group_by(Suggestion.status),
                    Suggestion.project_id,
                )
            )
        )
        .tuples()
        .all()
    )
    total = int(
        await session.scalar(
            scoped(select(func.count()).select_from(Correction), Correction.project_id)
        )
        or 0
    )
    pairs = (
        await session.execute(
            scoped(
                select(Correction.from_code, Correction.to_code, func.count().label("n"))
                .group_by(Correction.from_code, Correction.to_code)
                .order_by(func.count().desc(), Correction.from_code, Correction.to_code)
                .limit(top),
                Correction.project_id,
            )
        )
    ).all()
    return Counts(
        suggested=sum(int(v) for v in by_status.values()),
        accepted=int(by_status.get(IdentificationStatus.ACCEPTED, 0)),
        corrected=int(by_status.get(IdentificationStatus.CORRECTED, 0)),
        corrections=total,
        top_corrections=[CorrectionCount(f, t, int(n)) for f, t, n in pairs],
    )
