"""The schedule: every periodic pass of greenrong, and the loop that runs each once per period
for the whole deployment.

Each API process runs the loop. Every ``GREENRONG_SCHEDULE_POLL_SECONDS`` it tries to claim
each pass that is due through its lease row (``domain/periodic/repository.py``): one
conditional ``UPDATE`` that moves the row's ``lease_until`` one period forward. The process
whose update changed the row runs the pass; the others changed nothing and wait for the next
period. So N processes (on any number of hosts sharing the database) run a pass once per
period, not N times.

A lease row, not a PostgreSQL advisory lock: a lock only keeps two passes from running at the
same time; it does not remember that one already ran this period (a process that starts
right after another's pass would run it again), and it does not exist on SQLite. The row works
on both databases and records when, and by whom, each pass last started.

A new pass's row is created due one period after the first process starts (a process that
starts does not race its own start-up, or a test, with a burst of writes). A failing pass is
logged; its next try is the next period (each pass is idempotent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.guard import bind_system
from greenrong.domain.kit.types import utcnow
from greenrong.domain.periodic import repository

log = logging.getLogger("greenrong.schedule")


async def expire_certificates(sessionmaker: SessionMaker) -> int:
    """Expire the certificates whose validity ended by the platform's day (China, UTC+8), as
    ``greenrong certification expire`` does (docs/CERTIFICATION.md)."""
    from greenrong.workers.certification import expire_once

    return await expire_once(sessionmaker)


async def refresh_libraries(sessionmaker: SessionMaker) -> int:
    """Bring ``Project.libraries`` up to the calendar, as ``greenrong libraries refresh``."""
    from greenrong.domain.kit.clock import today
    from greenrong.domain.libraries.service import refresh_project_libraries
    from greenrong.domain.outbox import signal

    async with sessionmaker.begin() as session:
        changed = await refresh_project_libraries(bind_system(session), on=today())
    signal.changes_committed()
    return changed


@dataclass(frozen=True)
class Periodic:
    """One periodic pass: its lease row's name, its period, and what it does (returns how
    many things it changed, for the log)."""

    name: str
    period: Callable[[Settings], float]
    run: Callable[[SessionMaker], Awaitable[int]]


#: every periodic pass; add one here and it runs once per period for the whole deployment
SCHEDULE: tuple[Periodic, ...] = (
    Periodic("certification.expire", lambda s: s.certification_expiry_seconds, expire_certificates),
    Periodic("libraries.refresh", lambda s: s.libraries_refresh_seconds, refresh_libraries),
)


def holder_name() -> str:
    """Who holds a lease: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_due(
    settings: Settings,
    sessionmaker: SessionMaker,
    schedule: tuple[Periodic, ...] = SCHEDULE,
    *,
    holder: str | None = None,
) -> list[str]:
    """One tick: claim and run every pass that is due; returns the names this process ran."""
    holder = holder or holder_name()
    ran: list[str] = []
    for periodic in schedule:
        period = periodic.period(settings)
        now = utcnow()
        # the claim commits on its own: the lease holds even when the pass fails
        async with sessionmaker.begin() as session:
            bind_system(session)
            await repository.ensure(
                session, periodic.name, first_due=now + timedelta(seconds=period)
            )
            claimed = await repository.claim(
                session, periodic.name, now=now, period=period, holder=holder
            )
        if not claimed:
            continue
        ran.append(periodic.name)
        try:
            changed = await periodic.run(sessionmaker)
        except Exception:
            log.exception("periodic pass %s failed; it runs again next period", periodic.name)
            continue
        log.info("periodic pass %s ran (%d changed)", periodic.name, changed)
    return ran


@dataclass
class ScheduleLoop:
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def start_schedule(settings: Settings, sessionmaker: SessionMaker) -> ScheduleLoop:
    """Run ``run_due`` every ``schedule_poll_seconds`` until stopped."""

    async def loop() -> None:
        while True:
            # the first tick waits one poll interval too: a starting process writes nothing
            await asyncio.sleep(settings.schedule_poll_seconds)
            try:
                await run_due(settings, sessionmaker)
            except Exception:
                log.exception("the schedule could not claim its passes; trying again")

    return ScheduleLoop(asyncio.create_task(loop(), name="greenrong-schedule"))
