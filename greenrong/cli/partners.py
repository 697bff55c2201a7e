"""``greenrong export``: a partner's bulk snapshot of one entity type (docs/PARTNERS.md)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from greenrong.cli import kit


@click.command("export")
@click.option(
    "--entity",
    required=True,
    help="Entity type to export, as in the change feed: Enterprise, TechnologyListing, …",
)
@click.option(
    "--format", "fmt", type=click.Choice(["ndjson", "csv"]), default="ndjson", show_default=True
)
@click.option("--since", default=None, help="A change feed cursor: only rows changed after it.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output).",
)
def export(entity: str, fmt: str, since: str | None, output: Path | None) -> None:
    """Stream a snapshot of one entity type (constant memory, a progress bar on stderr), then
    print the change feed cursor to follow changes from (docs/PARTNERS.md, "Bulk export")."""
    from tqdm import tqdm

    from greenrong.core.errors import DomainError
    from greenrong.domain.kit.registry import ENTITIES
    from greenrong.domain.partners import export as exporting

    model = ENTITIES.get(entity)
    if model is None:
        raise click.BadParameter(f"one of {', '.join(sorted(ENTITIES))}", param_hint="--entity")
    fields = exporting.columns(model)

    async def run(out: Any) -> tuple[int, str]:
        async with kit.session() as session:
            try:
                snapshot = await exporting.plan(session, model, since=since)
            except DomainError as error:
                raise click.BadParameter(error.message, param_hint="--since") from error
            if fmt == "csv":
                out.write(exporting.csv_header(fields))
            written = 0
            with tqdm(total=snapshot.total, unit="row", file=sys.stderr, disable=None) as bar:
                async for record in exporting.rows(session, snapshot):
                    out.write(exporting.encode(fmt, record, fields))
                    written += 1
                    bar.update()
        return written, snapshot.resume_cursor

    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(output.open("w", encoding="utf-8", newline=""))
            if output
            else sys.stdout
        )
        written, cursor = asyncio.run(run(out))
    click.echo(f"greenrong: exported {written} {entity} row(s)", err=True)
    click.echo(f"greenrong: follow the change feed with after: {cursor}", err=True)
