"""admit / end: the interface certification calls, and Project.libraries kept in sync."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.kit.clock import today
from greenrong.domain.libraries import service
from greenrong.domain.libraries.models import Library, LibraryMembership, MembershipSource, PbocArea
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.projects.models import Project
from tests.factories.entities import create_enterprise, create_project


def _issues(error: ValidationFailed) -> set[tuple[str, ErrorCode]]:
    return {(i.field, i.code) for i in error.issues}


async def test_certification_admits_an_enterprise_and_ends_it(sessionmaker: SessionMaker) -> None:
    cert = uuid.uuid4()
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        # when
        membership = await service.admit(
            session,
            library=Library.GREEN_ENTERPRISE,
            subject_type="Enterprise",
            subject_id=enterprise.id,
            source=MembershipSource.CERTIFICATION,
            reason="绿色企业入库认定评分 72 分",
            since=date(2025, 6, 1),
            until=date(2028, 5, 31),
            certification_id=cert,
        )
    # then
    async with sessionmaker() as session:
        row = await session.get(LibraryMembership, membership.id)
        assert row is not None
        assert (row.library, row.subject_type, row.enterprise_id, row.project_id) == (
            Library.GREEN_ENTERPRISE,
            "Enterprise",
            enterprise.id,
            None,
        )
        assert (row.source, row.since, row.until, row.certification_id, row.ended_reason) == (
            MembershipSource.CERTIFICATION,
            date(2025, 6, 1),
            date(2028, 5, 31),
            cert,
            None,
        )
        events = (await session.scalars(select(ChangeEvent.entity_type))).all()
        assert events == ["LibraryMembership"]

    async with sessionmaker.begin() as session:
        ended = await service.end(
            session,
            library=Library.GREEN_ENTERPRISE,
            subject_id=enterprise.id,
            on=date(2026, 3, 1),
            reason="证书撤销",
        )
        assert ended is not None
        assert ended.id == membership.id
        again = await service.end(
            session,
            library=Library.GREEN_ENTERPRISE,
            subject_id=enterprise.id,
            on=date(2026, 3, 2),
            reason="证书撤销",
        )
        assert again is None
        # an ended membership is not ended again, even on an earlier day
        earlier = await service.end(
            session,
            library=Library.GREEN_ENTERPRISE,
            subject_id=enterprise.id,
            on=date(2026, 2, 1),
            reason="重复撤销",
        )
        assert earlier is None
    async with sessionmaker() as session:
        row = await session.get(LibraryMembership, membership.id)
        assert row is not None
        assert (row.until, row.ended_reason, row.version) == (date(2026, 3, 1), "证书撤销", 2)


@pytest.mark.dated
async def test_project_libraries_follow_open_memberships(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        project = await create_project(session, enterprise_id=enterprise.id)
        await service.admit(
            session,
            library=Library.GREEN_PROJECT,
            subject_type="Project",
            subject_id=project.id,
            source=MembershipSource.CERTIFICATION,
            reason="绿色项目入库认定评分 65 分",
            since=today() - timedelta(days=30),
            until=today() + timedelta(days=1000),
        )
        await service.admit(
            session,
            library=Library.CLIMATE_FRIENDLY,
            subject_type="Project",
            subject_id=project.id,
            source=MembershipSource.SCREENING,
            reason="气候友好型项目筛选",
            since=today(),
        )
    async with sessionmaker() as session:
        row = await session.get(Project, project.id)
        assert row is not None
        assert row.libraries == ["GREEN_PROJECT", "CLIMATE_FRIENDLY"]
        assert row.version == 3

    async with sessionmaker.begin() as session:
        await service.end(
            session,
            library=Library.GREEN_PROJECT,
            subject_id=project.id,
            on=today() - timedelta(days=1),
            reason="证书到期",
        )
    async with sessionmaker() as session:
        row = await session.get(Project, project.id)
        assert row is not None
        assert row.libraries == ["CLIMATE_FRIENDLY"]
        updates = await session.scalar(
            select(func.count()).where(
                ChangeEvent.entity_type == "Project", ChangeEvent.entity_id == project.id
            )
        )
        assert updates == 3


async def test_overlapping_membership_is_a_duplicate(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)

        async def admit(since: date, until: date | None = None) -> LibraryMembership:
            return await service.admit(
                session,
                library=Library.GREEN_ENTERPRISE,
                subject_type="Enterprise",
                subject_id=enterprise.id,
                source=MembershipSource.CERTIFICATION,
                reason="首次入库",
                since=since,
                until=until,
            )

        await admit(date(2024, 1, 1), date(2026, 12, 31))
        with pytest.raises(ValidationFailed) as caught:
            await admit(date(2026, 12, 31))
        assert _issues(caught.value) == {("subject_id", ErrorCode.DUPLICATE)}
        with pytest.raises(ValidationFailed) as caught:
            await admit(date(2023, 1, 1), date(2024, 1, 1))
        assert _issues(caught.value) == {("subject_id", ErrorCode.DUPLICATE)}
        # the day after the last day does not overlap
        later = await admit(date(2027, 1, 1))
        assert later.until is None
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(LibraryMembership)) == 2


async def test_subject_must_fit_the_library(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        with pytest.raises(ValidationFailed) as caught:
            await service.admit(
                session,
                library=Library.CULTIVATION,
                subject_type="Enterprise",
                subject_id=enterprise.id,
                source=MembershipSource.CERTIFICATION,
                reason=" ",
                since=date(2026, 1, 2),
                until=date(2026, 1, 1),
            )
        assert _issues(caught.value) == {
            ("subject_type", ErrorCode.INVALID),
            ("source", ErrorCode.INVALID),
            ("reason", ErrorCode.REQUIRED),
            ("until", ErrorCode.OUT_OF_RANGE),
            ("department", ErrorCode.REQUIRED),
        }
        with pytest.raises(ValidationFailed) as caught:
            await service.admit(
                session,
                library=Library.GREEN_PROJECT,
                subject_type="Project",
                subject_id=uuid.uuid4(),
                source=MembershipSource.CERTIFICATION,
                reason="绿色项目",
                since=date(2026, 1, 1),
            )
        assert _issues(caught.value) == {("subject_id", ErrorCode.UNKNOWN_REFERENCE)}
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(LibraryMembership)) == 0


@pytest.mark.dated
async def test_refresh_follows_the_calendar(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        project = await create_project(session, enterprise_id=enterprise.id)
        await service.admit(
            session,
            library=Library.CLIMATE_FRIENDLY,
            subject_type="Project",
            subject_id=project.id,
            source=MembershipSource.SCREENING,
            reason="气候友好型项目筛选",
            since=today() - timedelta(days=10),
            until=today() + timedelta(days=5),
        )
        await service.admit(
            session,
            library=Library.PBOC_CARBON_REDUCTION,
            subject_type="Project",
            subject_id=project.id,
            source=MembershipSource.SCREENING,
            reason="碳减排支持工具",
            since=today() + timedelta(days=3),
            pboc_area=PbocArea.CLEAN_ENERGY,
        )
    async with sessionmaker() as session:
        row = await session.get(Project, project.id)
        assert row is not None
        assert row.libraries == ["CLIMATE_FRIENDLY"]

    # when: the day the PBoC membership starts, then the day after the climate one's last day
    async with sessionmaker.begin() as session:
        started = await service.refresh_project_libraries(session, on=today() + timedelta(days=3))
    async with sessionmaker() as session:
        row = await session.get(Project, project.id)
        assert row is not None
        assert (started, row.libraries) == (1, ["CLIMATE_FRIENDLY", "PBOC_CARBON_REDUCTION"])
    async with sessionmaker.begin() as session:
        lapsed = await service.refresh_project_libraries(session, on=today() + timedelta(days=6))
        again = await service.refresh_project_libraries(session, on=today() + timedelta(days=6))
    async with sessionmaker() as session:
        row = await session.get(Project, project.id)
        assert row is not None
        assert (lapsed, again, row.libraries) == (1, 0, ["PBOC_CARBON_REDUCTION"])
