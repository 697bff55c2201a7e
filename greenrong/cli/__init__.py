"""The one entry point: ``greenrong serve | migrate | seed | export-schema | keys | …``.

One module per command group; every command reads the settings and opens its one engine
through ``cli.kit``.
"""

from __future__ import annotations

import sys

import click

from greenrong.cli import (
    carbon,
    certification,
    keys,
    leads,
    libraries,
    partners,
    pipeline,
    portal,
    search,
    server,
)
from greenrong.cli import seed as seeding
from greenrong.core.config import SettingsError, get_settings, unknown_variables
from greenrong.core.logging import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """greenrong: a GraphQL data platform for green finance.

    Settings come from GREENRONG_* environment variables or a .env file (see
    docs/DEPLOYMENT.md).
    """
    try:
        settings = get_settings()
    except SettingsError as error:
        click.echo(f"greenrong: a setting is not valid:\n{error}", err=True)
        fix = "Fix it in the environment or in .env (docs/DEPLOYMENT.md lists them)."
        click.echo(fix, err=True)
        sys.exit(2)
    for name in unknown_variables():
        warning = f"greenrong: warning: {name} is not a setting (a typo?); it is ignored"
        click.echo(warning, err=True)
    configure_logging(settings.log_level, as_json=settings.log_json)


for command in (
    server.serve,
    server.migrate,
    seeding.seed,
    server.export_schema,
    portal.portal,
    server.worker,
    pipeline.events,
    libraries.libraries,
    leads.leads,
    partners.export,
    search.reindex,
    search.index_group,
    keys.keys,
    carbon.carbon,
    certification.certification,
    carbon.report_group,
):
    main.add_command(command)
