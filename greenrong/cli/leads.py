"""``greenrong leads``: the precomputed technology buyer leads."""

from __future__ import annotations

import asyncio

import click

from greenrong.cli import kit


@click.group()
def leads() -> None:
    """The precomputed technology buyer leads (``technology_lead``)."""


@leads.command("rebuild")
def leads_rebuild() -> None:
    """Recompute every technology buyer lead: after the upgrade that adds them, and after
    technology_buyers.json or the technology weights change (writes keep them current)."""
    from greenrong.domain.matching.leads import rebuild_leads

    async def run() -> int:
        async with kit.session() as session, session.begin():
            return await rebuild_leads(session)

    kit.report(f"{asyncio.run(run()):,} technology lead(s) rebuilt")
