"""Shared givens of the libraries tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from greenrong.domain.libraries import service
from greenrong.domain.libraries.models import (
    CultivationRecommendation,
    Library,
    LibraryMembership,
    MembershipSource,
)
from greenrong.domain.outbox.models import ChangeEvent


async def counts(sessionmaker: Any) -> tuple[int, int, int]:
    """Memberships, recommendations, change events."""
    async with sessionmaker() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(LibraryMembership)) or 0),
            int(
                await session.scalar(select(func.count()).select_from(CultivationRecommendation))
                or 0
            ),
            int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
        )


async def screened(
    session: Any, library: Library, project_id: Any, since: date = date(2022, 1, 1), **extra: Any
) -> LibraryMembership:
    return await service.admit(
        session,
        library=library,
        subject_type="Project",
        subject_id=project_id,
        source=MembershipSource.SCREENING,
        reason="筛选入库",
        since=since,
        **extra,
    )


async def certified(
    session: Any, library: Library, subject_type: str, subject_id: Any, since: date
) -> LibraryMembership:
    return await service.admit(
        session,
        library=library,
        subject_type=subject_type,
        subject_id=subject_id,
        source=MembershipSource.CERTIFICATION,
        reason="入库认定评分 70 分",
        since=since,
    )
