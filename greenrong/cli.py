"""The one entry point: ``greenrong serve | migrate | seed | export-schema``."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from greenrong.core.config import get_settings
from greenrong.core.logging import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """greenrong: a GraphQL data platform for green finance.

    Settings come from GREENRONG_* environment variables (see docs/ARCHITECTURE.md).
    """
    settings = get_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)


@main.command()
@click.option(
    "--host", default=None, help="Address to bind (default: GREENRONG_HOST or 127.0.0.1)."
)
@click.option("--port", default=None, type=int, help="Port (default: GREENRONG_PORT or 8000).")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="API processes (default: GREENRONG_WORKERS or 1). Use one per core in production.",
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve GraphQL on http://HOST:PORT/graphql."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    click.echo(
        f"greenrong: serving GraphQL on http://{host}:{port}/graphql ({workers} process(es))"
    )
    uvicorn.run(
        "greenrong.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        ws="websockets-sansio",
    )


@main.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def migrate(revision: str) -> None:
    """Apply database migrations (creates the SQLite file in embedded mode)."""
    from greenrong.migrations.runner import upgrade

    settings = get_settings()
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, revision)
    click.echo(f"greenrong: database migrated to {revision}")


@main.command()
@click.option("--demo", is_flag=True, required=True, help="Load the Sichuan demo dataset.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, 1000),
    help="Dataset size; 1 is the seed report's size (2,918 enterprises).",
)
@click.option("--seed", "random_seed", default=2022, show_default=True, help="Random seed.")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when data already exists.")
def seed(demo: bool, scale: float, random_seed: int, if_empty: bool) -> None:
    """Load deterministic demo data into an empty database."""
    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.domain.seed.demo import DatabaseNotEmpty, seed_demo

    settings = get_settings()

    async def run() -> None:
        engine = create_engine(settings.effective_database_url)
        try:
            report = await seed_demo(
                create_sessionmaker(engine), scale=scale, seed=random_seed, progress=True
            )
        finally:
            await engine.dispose()
        click.echo(f"greenrong: demo data loaded: {report.summary()}")

    try:
        asyncio.run(run())
    except DatabaseNotEmpty as exc:
        if if_empty:
            click.echo(f"greenrong: demo data skipped: {exc}")
            return
        raise click.ClickException(str(exc)) from exc


@main.command("export-schema")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def export_schema(output: Path | None) -> None:
    """Print the GraphQL schema (SDL); schema.graphql in the repository is this output."""
    from greenrong.schema.root import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
        click.echo(f"greenrong: schema written to {output}")


# ---- pipeline commands (worker, events): owned by the search pipeline ----


@main.command()
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker threads (default: GREENRONG_WORKER_THREADS or 4).",
)
def worker(threads: int | None) -> None:
    """Index committed changes: consume GREENRONG_BROKER_URL and relay the outbox."""
    from greenrong.workers.broker import run_worker

    settings = get_settings()
    if not settings.broker_url or not settings.opensearch_url:
        raise click.UsageError(
            "greenrong worker needs GREENRONG_BROKER_URL and GREENRONG_OPENSEARCH_URL; "
            "without a broker, `greenrong serve` indexes in-process (embedded mode)"
        )
    threads = threads or settings.worker_threads
    click.echo(f"greenrong: worker consuming the search queue ({threads} threads)")
    run_worker(settings, threads=threads)


@main.group()
def events() -> None:
    """Change events whose indexing failed for good (dead letters)."""


@events.command("failed")
def events_failed() -> None:
    """List the dead letters, oldest first."""
    from greenrong.domain.outbox.repository import dead_letters

    async def run() -> list[list[str]]:
        async with _session() as session:
            letters = await dead_letters(session)
        return [
            [
                str(letter.id),
                f"{letter.entity_type} {letter.entity_id}",
                str(letter.attempts),
                letter.first_failed_at.isoformat(timespec="seconds"),
                letter.last_failed_at.isoformat(timespec="seconds"),
                " ".join(letter.error.split())[:100],
            ]
            for letter in letters
        ]

    rows = asyncio.run(run())
    if not rows:
        click.echo("greenrong: no failed events")
        return
    header = ["ID", "ENTITY", "ATTEMPTS", "FIRST FAILED", "LAST FAILED", "ERROR"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]))


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
        async with _session() as session, session.begin():
            letters = await requeue_dead_letters(session, None if retry_all else list(ids))
        signal.changes_committed()
        return len(letters)

    count = asyncio.run(run())
    click.echo(f"greenrong: {count} dead letter(s) handed over again")


@contextlib.asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    from greenrong.core.db import create_engine, create_sessionmaker

    engine = create_engine(get_settings().effective_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


# ---- index commands (reindex, index verify): owned by the search indices ----

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
    if not get_settings().opensearch_url:
        click.echo(
            "greenrong: GREENRONG_OPENSEARCH_URL is not set; using an embedded engine that "
            "stops when this command exits",
            err=True,
        )


@main.command(epilog=CLUSTER_NOTE)
@click.argument("entities", nargs=-1, metavar="[ENTITY]...")
def reindex(entities: tuple[str, ...]) -> None:
    """Rebuild search indices from the database, with zero downtime.

    ENTITY is an index: listings, needs, products, experts, disclosures, enterprises or
    projects (default: all). Each is built as a new versioned
    index, bulk-loaded, then swapped in behind its alias atomically, and the old one is
    dropped. A failed build leaves the old index serving.
    """
    from greenrong.indexers.maintenance import reindex as run_reindex

    _check_index_names(entities)
    _warn_if_embedded()
    asyncio.run(run_reindex(get_settings(), entities, report=_report, progress=True))


@main.group("index")
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

    ENTITY is an index: listings, needs, products, experts, disclosures, enterprises or
    projects (default: all). For each, it reports the row and
    document counts and the ids of missing documents (rows not indexed), extra documents (no
    row) and stale documents (index version differs from the row version). With --repair it
    fixes them and exits 0 when a second check finds the index clean.
    """
    from greenrong.indexers.maintenance import verify_indexes

    _check_index_names(entities)
    _warn_if_embedded()
    if not asyncio.run(verify_indexes(get_settings(), entities, report=_report, fix=repair)):
        click.echo("greenrong: search indices differ from the database", err=True)
        raise click.exceptions.Exit(1)


def _report(line: str) -> None:
    click.echo(f"greenrong: {line}")


if __name__ == "__main__":  # pragma: no cover
    main()
