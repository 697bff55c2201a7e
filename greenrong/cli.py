"""The one entry point: ``greenrong serve | migrate | seed | export-schema``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from greenrong.core.config import get_settings
from greenrong.core.logging import configure_logging


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


# ---- index commands (reindex, index verify): owned by the search indices ----


if __name__ == "__main__":  # pragma: no cover
    main()
