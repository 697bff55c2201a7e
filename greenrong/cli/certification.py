"""``greenrong certification``: green certification (绿色认定)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import click

from greenrong.cli import kit


@click.group()
def certification() -> None:
    """Green certification (绿色认定)."""


@certification.command("expire")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to expire for (default: today in China, UTC+8).",
)
@click.option("--dry-run", is_flag=True, help="List what would expire, and change nothing.")
@click.option(
    "--yes", is_flag=True, help="Confirm a day after today (which expires valid certificates)."
)
def certification_expire(on: datetime | None, dry_run: bool, yes: bool) -> None:
    """Expire every issued certificate whose last valid day is before the day: its level drops
    to NONE and its library membership ends. The API processes do the same every
    GREENRONG_CERTIFICATION_EXPIRY_SECONDS; running it again expires nothing new. A day after
    today expires certificates that are still valid: it needs --yes (try --dry-run first)."""
    from greenrong.domain.certification.service import expire_due
    from greenrong.domain.kit.clock import today

    now = today()
    day = on.date() if on is not None else now
    if day > now and not yes and not dry_run:
        raise click.UsageError(
            f"{day} is after today ({now}): certificates still valid would expire. "
            "List them with --dry-run, then confirm with --yes."
        )

    async def run() -> list[str]:
        async with kit.session() as session:
            transaction = await session.begin()
            expired = await expire_due(session, on=day)
            lines = [f"{c.id}\t{c.certificate_number}\t{c.valid_until}" for c in expired]
            await (transaction.rollback() if dry_run else transaction.commit())
            return lines

    lines = asyncio.run(run())
    for line in lines:
        click.echo(line)
    if dry_run:
        click.echo(
            f"greenrong: {len(lines)} certificate(s) would expire as of {day} (dry run: "
            "nothing changed)",
            err=True,
        )
    else:
        click.echo(f"greenrong: {len(lines)} certificate(s) expired as of {day}", err=True)
