"""Run the platform: ``serve``, ``worker``, ``migrate`` and ``export-schema``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from greenrong.cli import kit
from greenrong.core.config import Settings, get_settings


@click.command()
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

    settings = kit.settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    problem = port_problem(host, port)
    if problem is not None:  # before minutes of index building, not after
        click.echo(f"greenrong: cannot serve on {host}:{port}: {problem}", err=True)
        sys.exit(2)
    with contextlib.ExitStack() as stack:
        if workers > 1:  # each process writes its metrics there; /metrics adds them up
            from greenrong.core.metrics import multiprocess_dir

            stack.enter_context(multiprocess_dir())
        _serve(settings, host, port, workers)


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served on now (in use, or no such address), or None."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return f"{host} is not an address of this machine ({error.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"port {port} is in use (another greenrong?); stop it, or choose another "
                    "port with --port or GREENRONG_PORT"
                )
            return f"{error.strerror} (choose another --host or --port)"
    return None


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    shared = None
    if workers > 1 and not settings.opensearch_url:
        # embedded mode with several processes: one engine for all of them, started and
        # filled here, before uvicorn starts them (docs/DEPLOYMENT.md, "One machine")
        from greenrong.app import start_shared_search

        shared = start_shared_search(settings)
        click.echo(f"greenrong: one embedded search engine for the {workers} processes")
    click.echo(
        f"greenrong: starting {workers} process(es) for http://{host}:{port}/graphql; each says "
        "when it serves"
    )
    # the processes' own settings name the address they serve on (their ready line)
    os.environ["GREENRONG_HOST"], os.environ["GREENRONG_PORT"] = host, str(port)
    get_settings.cache_clear()  # a single process builds its app here, from these settings
    try:
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
    finally:
        if shared is not None:
            from greenrong.core.search import stop_embedded

            stop_embedded(shared)


@click.command()
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker threads (default: GREENRONG_WORKER_THREADS or 4).",
)
def worker(threads: int | None) -> None:
    """Index committed changes: consume GREENRONG_BROKER_URL and relay the outbox."""
    from greenrong.workers.broker import run_worker

    settings = kit.settings()
    if not settings.broker_url or not settings.opensearch_url:
        raise click.UsageError(
            "greenrong worker needs GREENRONG_BROKER_URL and GREENRONG_OPENSEARCH_URL; "
            "without a broker, `greenrong serve` indexes in-process (embedded mode)"
        )
    threads = threads or settings.worker_threads
    click.echo(f"greenrong: worker consuming the search queue ({threads} threads)")
    run_worker(settings, threads=threads)


@click.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def migrate(revision: str) -> None:
    """Apply database migrations (creates the SQLite file in embedded mode)."""
    from greenrong.migrations.runner import upgrade

    settings = kit.settings()
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, revision)
    kit.report(f"database migrated to {revision}")


@click.command("export-schema")
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
        kit.report(f"schema written to {output}")
