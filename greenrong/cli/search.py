"""Search index maintenance: ``reindex`` and ``index verify``."""

from __future__ import annotations

import asyncio

import click

from greenrong.cli import kit

CLUSTER_NOTE = (
    "Meant for a configured cluster (GREENRONG_OPENSEARCH_URL). Without it, the command starts "
    "its own embedded in-memory engine, which stops when the command exits; the embedded "
    "engine of `greenrong serve` rebuilds its indices from the database at start-up instead."
)


def _check_index_names(entities: tuple[str, ...]) -> None:
    from greenrong.indexers.registry import UnknownIndex, select_indexes

    try:
        select_indexes(entities)
    except UnknownIndex as exc:
        raise click.BadParameter(str(exc), param_hint="ENTITY") from exc


def _warn_if_embedded() -> None:
    if not kit.settings().opensearch_url:
        click.echo(
            "greenrong: GREENRONG_OPENSEARCH_URL is not set; using an embedded engine that "
            "stops when this command exits",
            err=True,
        )


@click.command(epilog=CLUSTER_NOTE)
@click.argument("entities", nargs=-1, metavar="[ENTITY]...")
def reindex(entities: tuple[str, ...]) -> None:
    """Rebuild search indices from the database, with zero downtime.

    ENTITY is an index: listings, needs, products, experts, disclosures, enterprises,
    projects, or catalogue (the green bond catalogue, from its packaged data file; default:
    all). Each is built as a new versioned
    index, bulk-loaded, then swapped in behind its alias atomically, and the old one is
    dropped. A failed build leaves the old index serving.
    """
    from greenrong.indexers.maintenance import reindex as run_reindex

    _check_index_names(entities)
    _warn_if_embedded()

    async def run() -> None:
        async with kit.engine() as engine:
            await run_reindex(
                kit.settings(), entities, report=kit.report, progress=True, engine=engine
            )

    asyncio.run(run())


@click.group("index")
def index_group() -> None:
    """Search index maintenance."""


@index_group.command("verify", epilog=CLUSTER_NOTE)
@click.argument("entities", nargs=-1, metavar="[ENTITY]...")
@click.option(
    "--repair",
    is_flag=True,
    help="Re-index missing and stale documents, delete extra ones, then check again.",
)
def verify_index(entities: tuple[str, ...], repair: bool) -> None:
    """Compare search indices with the database; exit 1 on drift.

    ENTITY is an index: listings, needs, products, experts, disclosures, enterprises,
    projects, or catalogue (compared with its data file; default: all). For each, it reports
    the row and
    document counts and the ids of missing documents (rows not indexed), extra documents (no
    row) and stale documents (index version differs from the row version). With --repair it
    fixes them and exits 0 when a second check finds the index clean.
    """
    from greenrong.indexers.maintenance import verify_indexes

    _check_index_names(entities)
    settings = kit.settings()
    if not settings.opensearch_url:
        raise click.UsageError(
            "GREENRONG_OPENSEARCH_URL is not set, so there is no search engine to verify: in "
            "embedded mode each process (`greenrong serve`, and this command) starts its own "
            "engine and builds it from the database, so it cannot differ. Set "
            "GREENRONG_OPENSEARCH_URL to the engine the API uses to check that one."
        )

    async def run() -> bool:
        async with kit.engine() as engine:
            return await verify_indexes(
                settings, entities, report=kit.report, fix=repair, engine=engine
            )

    if not asyncio.run(run()):
        click.echo("greenrong: search indices differ from the database", err=True)
        raise click.exceptions.Exit(1)
