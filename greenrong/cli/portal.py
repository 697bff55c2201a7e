"""``greenrong portal``: the web portal served at /."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from greenrong.cli import kit


@click.group()
def portal() -> None:
    """The web portal served at / (its GraphQL documents: greenrong/static/portal/queries)."""


@portal.command("allowlist")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def portal_allowlist(output: Path | None) -> None:
    """Print an allow-list (GREENRONG_PERSISTED_QUERY_ALLOWLIST) of the portal's documents,
    every role listing every one of them; add other clients' hashes to it as they need."""
    from greenrong.schema import portal as portal_documents

    text = json.dumps(portal_documents.allowlist(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        kit.report(f"portal allow-list written to {output}")
