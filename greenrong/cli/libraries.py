"""``greenrong libraries``: the green libraries (入库)."""

from __future__ import annotations

import asyncio

import click

from greenrong.cli import kit


@click.group()
def libraries() -> None:
    """The green libraries (入库)."""


@libraries.command("refresh")
def libraries_refresh() -> None:
    """Bring Project.libraries up to today for memberships that lapsed or began by the calendar
    (run it daily; admit and end keep it in sync themselves)."""
    from greenrong.domain.kit.clock import today
    from greenrong.domain.libraries.service import refresh_project_libraries
    from greenrong.domain.outbox import signal

    async def run() -> int:
        async with kit.session() as session, session.begin():
            changed = await refresh_project_libraries(session, on=today())
        signal.changes_committed()
        return changed

    kit.report(f"{asyncio.run(run())} project(s) brought up to date")
