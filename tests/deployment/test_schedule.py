"""Periodic passes run once per period for the whole deployment: processes compete for one
lease row per pass (``workers/schedule.py``), and only the one whose claim changed the row runs
the pass."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.certification.models import Certification, CertificationStatus
from greenrong.domain.kit.types import utcnow
from greenrong.domain.periodic.models import PeriodicRun
from greenrong.domain.periodic.repository import runs
from greenrong.workers.schedule import SCHEDULE, Periodic, run_due
from tests.factories.certification import issued
from tests.factories.entities import create_enterprise, create_expert


async def make_due(sessionmaker: SessionMaker, name: str) -> None:
    """As if the pass's period had passed: its lease ends now."""
    async with sessionmaker.begin() as session:
        await session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.name == name)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[tuple[SessionMaker, SessionMaker]]:
    """Two sessionmakers with their own connection pools, as two processes have."""
    engines = [create_engine(database_url, pool_size=2) for _ in range(2)]
    yield (
        system_sessionmaker(create_sessionmaker(engines[0])),
        system_sessionmaker(create_sessionmaker(engines[1])),
    )
    for engine in engines:
        await engine.dispose()


async def test_two_processes_claiming_at_once_run_a_pass_once_per_period(
    two_processes: tuple[SessionMaker, SessionMaker], settings: Settings
) -> None:
    # given a pass of an hour that both processes try to run, ten periods in a row
    started: list[str] = []

    async def count(_: SessionMaker) -> int:
        started.append("盘点")
        return 0

    schedule = (Periodic("test.count", lambda _: 3600.0, count),)
    first, second = two_processes
    assert await run_due(settings, first, schedule, holder="甲:1") == []  # not due yet
    ran: list[tuple[list[str], list[str]]] = []

    # when both claim at the same moment, once each period
    for _ in range(10):
        await make_due(first, "test.count")
        ran.append(
            await asyncio.gather(
                run_due(settings, first, schedule, holder="甲:1"),
                run_due(settings, second, schedule, holder="乙:2"),
            )
        )
        # and again within the same period
        ran.append(
            await asyncio.gather(
                run_due(settings, first, schedule, holder="甲:1"),
                run_due(settings, second, schedule, holder="乙:2"),
            )
        )

    # then exactly one of them ran it in each period, and nobody again in that period
    assert [sorted(a + b) for a, b in ran] == [["test.count"], []] * 10
    assert started == ["盘点"] * 10
    async with first() as session:
        (row,) = await runs(session)
    assert row.runs == 10
    assert row.holder in {"甲:1", "乙:2"}
    assert row.lease_until - row.last_started_at == timedelta(hours=1)


async def test_a_pass_due_with_no_row_yet_is_first_due_one_period_later(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    # when the first process of a new deployment looks at the schedule
    before = utcnow()
    ran = await run_due(settings, sessionmaker, holder="甲:1")

    # then nothing runs yet: each pass is due one period after that first look
    assert ran == []
    async with sessionmaker() as session:
        rows = await runs(session)
    assert [(r.name, r.runs, r.holder, r.last_started_at) for r in rows] == [
        ("certification.expire", 0, None, None),
        ("libraries.refresh", 0, None, None),
    ]
    due = {r.name: r.lease_until - before for r in rows}
    assert timedelta(hours=1) <= due["certification.expire"] < timedelta(hours=1, seconds=5)
    assert timedelta(days=1) <= due["libraries.refresh"] < timedelta(days=1, seconds=5)
    assert [p.name for p in SCHEDULE] == ["certification.expire", "libraries.refresh"]


async def test_two_apps_expire_a_certificate_once(
    sessionmaker: SessionMaker, settings: Settings
) -> None:
    # given a certificate issued on 2023-06-01, valid three years, so past its last day today
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="攀枝花钒钛新材料有限公司")
        experts = [(await create_expert(session, name=n)).id for n in ("王磊", "陈静")]
        cert = await issued(session, enterprise_id=firm.id, experts=experts, on=date(2023, 6, 1))
    version = cert.version
    # and an expiry pass that is due now (an hour has passed since the last one)
    await run_due(settings, sessionmaker, holder="迁移:0")
    await make_due(sessionmaker, "certification.expire")
    fast = settings.model_copy(update={"schedule_poll_seconds": 0.05})

    # when two API processes run their schedules for a while
    apps: list[Starlette] = [create_app(fast), create_app(fast)]
    async with (
        apps[0].router.lifespan_context(apps[0]),
        apps[1].router.lifespan_context(apps[1]),
    ):
        for _ in range(100):
            async with sessionmaker() as session:
                rows = {r.name: r for r in await runs(session)}
            if rows["certification.expire"].runs:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # ten more polls of each process

    # then the pass ran once: the certificate expired once, the libraries pass not at all
    async with sessionmaker() as session:
        rows = {r.name: r for r in await runs(session)}
        stored = await session.scalar(select(Certification).where(Certification.id == cert.id))
    assert rows["certification.expire"].runs == 1
    assert rows["libraries.refresh"].runs == 0
    assert stored is not None
    assert stored.status == CertificationStatus.EXPIRED
    assert stored.version == version + 1
