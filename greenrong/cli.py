"""The one entry point: ``greenrong serve | migrate | seed | export-schema | keys | …``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from greenrong.core.config import Settings, SettingsError, get_settings, unknown_variables
from greenrong.core.logging import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


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

    settings = get_settings()
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
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="YYYY-MM-DD, from 2022-05-31 on: the day the certification history runs to "
    "(renewals, expiries). Default: today in China (UTC+8), the day the expiry pass uses.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when data already exists.")
def seed(
    demo: bool, scale: float, random_seed: int, as_of: datetime | None, if_empty: bool
) -> None:
    """Load deterministic demo data into an empty database."""
    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.domain.access.guard import system_sessionmaker
    from greenrong.domain.kit.clock import today
    from greenrong.domain.seed.demo import DatabaseNotEmpty, seed_demo
    from greenrong.domain.seed.timeline import CUTOFF_DAY

    day = today() if as_of is None else as_of.date()
    if day < CUTOFF_DAY:
        raise click.BadParameter(f"must be {CUTOFF_DAY} or later", param_hint="--as-of")
    settings = get_settings()

    async def run() -> None:
        engine = create_engine(settings.effective_database_url)
        try:
            report = await seed_demo(
                system_sessionmaker(create_sessionmaker(engine)),
                scale=scale,
                seed=random_seed,
                as_of=day,
                progress=True,
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


@main.group()
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
        click.echo(f"greenrong: portal allow-list written to {output}")


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
    """Change events whose indexing, alerts or suggestions failed for good (dead letters)."""


@events.command("failed")
def events_failed() -> None:
    """List the dead letters, oldest first (a feed consumer's name follows its entity)."""
    from greenrong.domain.outbox.models import INDEXING
    from greenrong.domain.outbox.repository import dead_letters

    async def run() -> list[list[str]]:
        async with _session() as session:
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


@main.group()
def libraries() -> None:
    """The green libraries (入库)."""


@libraries.command("refresh")
def libraries_refresh() -> None:
    """Bring Project.libraries up to today for memberships that lapsed or began by the calendar
    (run it daily; admit and end keep it in sync themselves)."""
    from greenrong.domain.kit.clock import today
    from greenrong.domain.libraries.service import refresh_project_libraries
    from greenrong.domain.outbox import signal

    async def run() -> int:
        async with _session() as session, session.begin():
            changed = await refresh_project_libraries(session, on=today())
        signal.changes_committed()
        return changed

    click.echo(f"greenrong: {asyncio.run(run())} project(s) brought up to date")


@main.group()
def leads() -> None:
    """The precomputed technology buyer leads (``technology_lead``)."""


@leads.command("rebuild")
def leads_rebuild() -> None:
    """Recompute every technology buyer lead: after the upgrade that adds them, and after
    technology_buyers.json or the technology weights change (writes keep them current)."""
    from greenrong.domain.matching.leads import rebuild_leads

    async def run() -> int:
        async with _session() as session, session.begin():
            return await rebuild_leads(session)

    click.echo(f"greenrong: {asyncio.run(run()):,} technology lead(s) rebuilt")


@main.command("export")
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
        async with _session() as session:
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


@contextlib.asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.domain.access.guard import bind_system

    engine = create_engine(get_settings().effective_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield bind_system(session)  # the CLI is trusted: it writes as the system principal
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

    ENTITY is an index: listings, needs, products, experts, disclosures, enterprises,
    projects, or catalogue (the green bond catalogue, from its packaged data file; default:
    all). Each is built as a new versioned
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

    ENTITY is an index: listings, needs, products, experts, disclosures, enterprises,
    projects, or catalogue (compared with its data file; default: all). For each, it reports
    the row and
    document counts and the ids of missing documents (rows not indexed), extra documents (no
    row) and stale documents (index version differs from the row version). With --repair it
    fixes them and exits 0 when a second check finds the index clean.
    """
    from greenrong.indexers.maintenance import verify_indexes

    _check_index_names(entities)
    if not get_settings().opensearch_url:
        raise click.UsageError(
            "GREENRONG_OPENSEARCH_URL is not set, so there is no search engine to verify: in "
            "embedded mode each process (`greenrong serve`, and this command) starts its own "
            "engine and builds it from the database, so it cannot differ. Set "
            "GREENRONG_OPENSEARCH_URL to the engine the API uses to check that one."
        )
    if not asyncio.run(verify_indexes(get_settings(), entities, report=_report, fix=repair)):
        click.echo("greenrong: search indices differ from the database", err=True)
        raise click.exceptions.Exit(1)


def _report(line: str) -> None:
    click.echo(f"greenrong: {line}")


# ---- keys: API keys for systems (domain/access/keys.py) ----

_ROLES = click.Choice(
    ["ENTERPRISE", "INSTITUTION", "EXPERT", "REGULATOR", "PARTNER", "ADMIN"], case_sensitive=False
)


@main.group()
def keys() -> None:
    """API keys: create (the key is shown once), list, revoke."""


@keys.command("create")
@click.option("--role", required=True, type=_ROLES, help="The key's role.")
@click.option(
    "--org",
    "org_id",
    default=None,
    help="The enterprise, institution or expert the key acts for (those roles need it): its "
    "UUID, or its global id as GraphQL shows it.",
)
@click.option("--name", default="", help="A name to recognise the key by.")
@click.option(
    "--expires-in",
    "expires_in_days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days until the key expires (default: never).",
)
def keys_create(role: str, org_id: str | None, name: str, expires_in_days: int | None) -> None:
    """Create a key and print it. Only its hash is stored: copy it now."""
    from datetime import timedelta

    from greenrong.core.errors import ValidationFailed
    from greenrong.domain.access.keys import create_key
    from greenrong.domain.access.principal import Role

    org = None if org_id is None else _org_id(org_id, Role(role.upper()))

    async def run() -> tuple[str, str]:
        async with _session() as session, session.begin():
            new = await create_key(
                session,
                role=Role(role.upper()),
                org_id=org,
                name=name,
                expires_in=None if expires_in_days is None else timedelta(days=expires_in_days),
            )
        return str(new.row.id), new.secret

    try:
        key_id, secret = asyncio.run(run())
    except ValidationFailed as error:
        raise click.UsageError(error.message) from error
    click.echo(f"greenrong: created key {key_id} ({role.upper()}); it is shown only this once:")
    click.echo(secret)


def _org_id(text: str, role: Any) -> uuid.UUID:
    """``--org``: a bare UUID, or the global id of the role's kind of organisation."""
    from greenrong.core.errors import ValidationFailed
    from greenrong.domain.access.principal import Role
    from greenrong.schema.kit.ids import parse_either

    kind = {
        Role.ENTERPRISE: "Enterprise",
        Role.INSTITUTION: "FinancialInstitution",
        Role.EXPERT: "Expert",
    }.get(role, "Enterprise")
    try:
        return parse_either(text.strip(), kind)
    except ValidationFailed as error:
        raise click.BadParameter(error.issues[0].message, param_hint="--org") from error


@keys.command("list")
def keys_list() -> None:
    """List keys (never the secrets): id, prefix, role, org, name, expiry, last use, state."""
    from greenrong.domain.access.keys import list_keys
    from greenrong.domain.kit.types import utcnow

    def when(value: object) -> str:
        return "-" if value is None else value.isoformat(timespec="seconds")  # type: ignore[attr-defined]

    async def run() -> list[list[str]]:
        async with _session() as session:
            rows = await list_keys(session)
        now = utcnow()
        return [
            [
                str(k.id),
                k.prefix + "…",
                k.role.value,
                "-" if k.org_id is None else str(k.org_id),
                k.name,
                when(k.expires_at),
                when(k.last_used_at),
                "revoked"
                if k.revoked_at is not None
                else "expired"
                if k.expires_at is not None and k.expires_at <= now
                else "active",
            ]
            for k in rows
        ]

    rows = asyncio.run(run())
    if not rows:
        click.echo("greenrong: no API keys")
        return
    header = ["ID", "KEY", "ROLE", "ORG", "NAME", "EXPIRES", "LAST USED", "STATE"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=click.UUID)
def keys_revoke(key_id: uuid.UUID) -> None:
    """Revoke a key: requests with it fail (401) from now on."""
    from greenrong.core.errors import NotFound
    from greenrong.domain.access.keys import revoke_key

    async def run() -> None:
        async with _session() as session, session.begin():
            await revoke_key(session, id=key_id)

    try:
        asyncio.run(run())
    except NotFound as error:
        raise click.UsageError(error.message) from error
    click.echo(f"greenrong: revoked key {key_id}")


@keys.command("ensure-demo-admin")
def keys_ensure_demo_admin() -> None:
    """Create an admin key and print it, unless an admin key exists (for `make run`)."""
    from greenrong.domain.access.keys import ensure_demo_admin

    async def run() -> str | None:
        async with _session() as session, session.begin():
            new = await ensure_demo_admin(session)
        return None if new is None else new.secret

    secret = asyncio.run(run())
    if secret is not None:
        click.echo(
            "greenrong: demo admin API key (shown once; `greenrong keys list` manages keys):"
        )
        click.echo(f"  curl -H 'Authorization: Bearer {secret}' …")
        click.echo(secret)


# ---- carbon commands: owned by the carbon context (docs/CARBON.md) ----


@main.group()
def carbon() -> None:
    """Carbon accounting: stored calculations."""


@carbon.command("recalc")
@click.option(
    "--factors", "factor_version", required=True, help="Factor set version, e.g. CN-2025.1."
)
@click.option(
    "--chunk",
    "chunk_size",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Calculations per carbon.recalculate job.",
)
@click.option(
    "--wait",
    "wait_seconds",
    default=600.0,
    show_default=True,
    type=click.FloatRange(1, 86_400),
    help="With a broker: how long to wait for the worker before giving up (exit 1).",
)
def carbon_recalc(factor_version: str, chunk_size: int, wait_seconds: float) -> None:
    """Re-run every stored calculation against a factor set and list the results that change.

    With GREENRONG_BROKER_URL the chunks go to `greenrong worker` as carbon.recalculate jobs and
    this command follows their progress; without it, it runs the same handler itself. The
    results are kept per run (carbon_recalc_result); stored calculations are append-only and
    never change (docs/CARBON.md, "Recalculation")."""
    import time

    from tqdm import tqdm

    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.core.errors import DomainError
    from greenrong.domain.access.guard import system_sessionmaker
    from greenrong.domain.carbon import recalc
    from greenrong.workers import carbon as carbon_worker

    settings = get_settings()

    async def run() -> tuple[uuid.UUID, int, list[Any], bool]:
        engine = create_engine(settings.effective_database_url)
        sessionmaker = system_sessionmaker(create_sessionmaker(engine))
        try:
            async with sessionmaker.begin() as session:
                run_row, ids = await recalc.start_run(session, factor_version=factor_version)
            chunks = recalc.chunks(ids, chunk_size)
            bar = tqdm(total=len(ids), unit="calc", file=sys.stderr, disable=None)
            finished = True
            if settings.broker_url:
                await asyncio.to_thread(_enqueue_recalc, settings, run_row.id, chunks)
                deadline = time.monotonic() + wait_seconds
                done = 0
                while done < len(ids):
                    if time.monotonic() > deadline:
                        finished = False
                        break
                    await asyncio.sleep(0.5)
                    async with sessionmaker() as session:
                        now = await recalc.progress(session, run_row.id)
                    bar.update(now - done)
                    done = now
            else:
                for chunk in chunks:
                    bar.update(await carbon_worker.recalculate(sessionmaker, run_row.id, chunk))
            bar.close()
            async with sessionmaker() as session:
                return run_row.id, len(ids), await recalc.changed(session, run_row.id), finished
        finally:
            await engine.dispose()

    try:
        run_id, total, changed, finished = asyncio.run(run())
    except DomainError as error:
        raise click.BadParameter(error.message, param_hint="--factors") from error
    for r in changed:
        new = r.error if r.new_total is None else f"{r.new_total} tCO2e"
        click.echo(
            f"{r.calculation_id}\t{r.model}\t{r.year}\t"
            f"{r.old_version} {r.old_total} tCO2e -> {factor_version} {new}"
        )
    where = "by the worker" if settings.broker_url else "in this process"
    if not finished:
        raise click.ClickException(
            f"run {run_id}: the worker has not finished within {wait_seconds:g} s "
            f"(is `greenrong worker` running?); {len(changed)} changed so far"
        )
    click.echo(
        f"greenrong: {total} calculation(s) re-run with {factor_version}, "
        f"{len(changed)} changed (run {run_id}, {where})",
        err=True,
    )


@main.group()
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
def certification_expire(on: Any, dry_run: bool, yes: bool) -> None:
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
        async with _session() as session:
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


def _enqueue_recalc(settings: Settings, run_id: uuid.UUID, chunks: list[list[uuid.UUID]]) -> None:
    from greenrong.workers.broker import close_broker, create_broker
    from greenrong.workers.carbon import declare_recalc_actor, send_chunks

    broker = create_broker(settings)
    try:

        def no_runtime() -> Any:
            raise RuntimeError("the CLI only sends carbon.recalculate jobs")

        send_chunks(declare_recalc_actor(broker, settings, no_runtime), run_id, chunks)
    finally:
        close_broker(broker)


@main.group("report")
def report_group() -> None:
    """Reports rendered from stored data."""


@report_group.command("carbon")
@click.option("--enterprise", "enterprise_id", required=True, type=click.UUID, help="Its id.")
@click.option("--year", required=True, type=click.IntRange(1990, 2100), help="Reporting year.")
@click.option(
    "--pdf",
    "pdf_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
def report_carbon(enterprise_id: uuid.UUID, year: int, pdf_path: Path) -> None:
    """Write an enterprise-year's carbon report (the page's content) as a PDF, its Chinese
    text in an embedded font subset (docs/CARBON.md, "Report")."""
    from greenrong.core.errors import NotFound
    from greenrong.domain.carbon.report import carbon_report
    from greenrong.domain.carbon.report_pdf import FontMissing, find_font, render_pdf

    configured = get_settings().report_font
    try:
        font = find_font(Path(configured) if configured else None)
    except FontMissing as error:
        raise click.ClickException(error.message) from error

    async def run() -> Any:
        async with _session() as session:
            return await carbon_report(session, enterprise_id=enterprise_id, year=year)

    try:
        report = asyncio.run(run())
    except NotFound as error:
        raise click.BadParameter(error.message, param_hint="--enterprise") from error
    pdf_path.write_bytes(render_pdf(report, font=font))
    click.echo(
        f"greenrong: wrote {pdf_path} ({report.enterprise_name} {year}: "
        f"{len(report.lines)} line(s), {len(report.entries)} ledger entr(ies))"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
