"""``greenrong events``: change events whose indexing, alerts or suggestions failed for good."""

from __future__ import annotations

import asyncio
import uuid

import click

from greenrong.cli import kit


@click.group()
def events() -> None:
    """Change events whose indexing, alerts or suggestions failed for good (dead letters)."""


@events.command("failed")
def events_failed() -> None:
    """List the dead letters, oldest first (a feed consumer's name follows its entity)."""
    from greenrong.domain.outbox.models import INDEXING
    from greenrong.domain.outbox.repository import dead_letters

    async def run() -> list[list[str]]:
        async with kit.session() as session:
            letters = await dead_letters(session)
        return [
            [
                str(letter.id),
                f"{letter.entity_type} {letter.entity_id}"
                + ("" if letter.consumer == INDEXING else f" ({letter.consumer})"),
                str(letter.attempts),
                letter.first_failed_at.isoformat(timespec="seconds"),
                letter.last_failed_at.isoformat(timespec="seconds"),
                " ".join(letter.error.split())[:100],
            ]
            for letter in letters
        ]

    rows = asyncio.run(run())
    if not rows:
        kit.report("no failed events")
        return
    kit.echo_table(["ID", "ENTITY", "ATTEMPTS", "FIRST FAILED", "LAST FAILED", "ERROR"], rows)


@events.command("retry")
@click.option("--all", "retry_all", is_flag=True, help="Retry every dead letter.")
@click.argument("ids", nargs=-1, type=click.UUID)
def events_retry(retry_all: bool, ids: tuple[uuid.UUID, ...]) -> None:
    """Hand the events of dead letters (IDs, or --all) over again.

    Each dead letter is removed once its entity is indexed; a new failure updates it.
    """
    from greenrong.domain.outbox import signal
    from greenrong.domain.outbox.repository import requeue_dead_letters

    if retry_all == bool(ids):
        raise click.UsageError("give dead letter IDs or --all (not both)")

    async def run() -> int:
        async with kit.session() as session, session.begin():
            letters = await requeue_dead_letters(session, None if retry_all else list(ids))
        signal.changes_committed()
        return len(letters)

    count = asyncio.run(run())
    kit.report(f"{count} dead letter(s) handed over again")
