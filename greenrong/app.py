"""The starlette application factory. The lifespan owns what it starts (one ``AsyncExitStack``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenrong.core import tracing
from greenrong.core.config import Settings, get_settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.logging import configure_logging, request_id_var
from greenrong.core.search import SearchEngine, open_search, stop_embedded
from greenrong.domain.kit import row_cache
from greenrong.domain.kit.clock import CLOCK, Clock

log = logging.getLogger(__name__)
#: connections the process's background loops (relay, publisher, webhooks, feed consumers)
#: add to the request pool they share
BACKGROUND_CONNECTIONS = 4
STATIC_DIR = Path(__file__).parent / "static"


@dataclass
class Resources:
    """What the lifespan opens and closes; request handlers read it from ``app.state``."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: SessionMaker
    search: SearchEngine
    #: whether the database moves the kept rows' revision (``row_cache.tracked``)
    rows_tracked: bool = False


def create_app(
    settings: Settings | None = None,
    *,
    serving: bool = False,
    span_exporter: Any = None,
    background_rebuild: bool | None = None,
    clock: Clock = CLOCK,
) -> Starlette:
    """Build the ASGI app. Nothing connects until the lifespan starts. ``serving``: this
    process only serves this app (``greenrong serve``). ``span_exporter``: trace into it
    (tests), whatever ``tracing_endpoint`` says. ``clock``: the platform's clock its requests
    read (``domain/kit/clock.py``)."""
    settings = settings or get_settings()
    provider = tracing.provider_for(settings, span_exporter)
    # a serving process with its own embedded engine answers while it rebuilds the indices;
    # on a shared cluster other processes (workers, other API hosts) may rebuild the same
    # indices, so it rebuilds before serving, as do tests and benches
    if background_rebuild is None:
        background_rebuild = serving and not settings.opensearch_url
    # imported here so that `greenrong migrate` and friends do not build the schema
    from greenrong.resolvers.carbon_page import PATH as CARBON_REPORT_PATH
    from greenrong.resolvers.carbon_page import carbon_report_page
    from greenrong.resolvers.metrics_page import PATH as METRICS_PATH
    from greenrong.resolvers.metrics_page import metrics_page
    from greenrong.resolvers.portal_page import routes as portal_routes
    from greenrong.schema.kit.body import BodyLimits
    from greenrong.schema.root import schema
    from greenrong.schema.view import GreenrongGraphQL

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await start_subsystems(
                app, settings, stack, provider, background_rebuild=background_rebuild
            )
            stack.callback(graphql.close)  # its revision reader's own connection, first
            if serving:
                # what start-up built (schema, mappings, caches) lives as long as the process:
                # moved out of the collector's reach, a full collection no longer walks it
                # while serving (docs/PERFORMANCE.md, "Round 3"). Only for the server process:
                # an app built and dropped in-process (tests, benches) would keep its objects.
                gc.collect()
                gc.freeze()
            log.info("greenrong ready on %s", _safe_url(settings.effective_database_url))
            if serving:  # said once it serves, not before the indices are built
                url = f"http://{settings.host}:{settings.port}/graphql"
                print(f"greenrong: serving GraphQL on {url} (process {os.getpid()})", flush=True)
            yield

    graphql = GreenrongGraphQL(schema, settings=settings, clock=clock)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        """Ready when the database answers and the search indices are built; else 503, with
        what it waits for."""
        resources: Resources = request.app.state.resources
        try:
            async with resources.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        if not request.app.state.search_ready.is_set():
            return JSONResponse(
                {"status": "starting", "database": "up", "search": "building indices"},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "up", "search": "ready"})

    app = Starlette(
        middleware=[
            *(Middleware(cls, **options) for cls, options in tracing.asgi_middleware(provider)),
            *_cors(settings),
            Middleware(RequestIdMiddleware),
            Middleware(
                BodyLimits,
                max_bytes=settings.max_body_bytes,
                timeout_seconds=settings.body_timeout_seconds,
            ),
        ],
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route(CARBON_REPORT_PATH, carbon_report_page, methods=["GET"]),  # docs/CARBON.md
            *([Route(METRICS_PATH, metrics_page)] if settings.metrics else []),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            *portal_routes(),  # the web portal at / (docs/ARCHITECTURE.md)
        ],
        lifespan=lifespan,
    )
    #: the GraphQL view: its query limits, prepared operations and token cache (tests, benches)
    app.state.graphql = graphql
    return app


def count_connections(engine: AsyncEngine) -> None:
    """Keep ``greenrong_db_connections_in_use`` with the pool's checkouts and checkins."""
    from sqlalchemy import event

    from greenrong.core import metrics

    pool = engine.sync_engine.pool
    event.listen(pool, "checkout", lambda *_: metrics.DB_CONNECTIONS.inc())
    event.listen(pool, "checkin", lambda *_: metrics.DB_CONNECTIONS.dec())


def _cors(settings: Settings) -> list[Middleware]:
    """starlette's CORSMiddleware for the allow-listed origins (none by default): a portal on
    another origin may send GET and POST with the Authorization header. No cookies are used,
    so credentials stay off; a preflight is cached for ten minutes."""
    if not settings.allowed_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "accept"],
            expose_headers=["x-request-id"],
            max_age=600,
        )
    ]


async def start_subsystems(
    app: Starlette,
    settings: Settings,
    stack: AsyncExitStack,
    provider: Any = None,
    *,
    background_rebuild: bool = False,
) -> None:
    """Start what an API process runs, each subsystem entered on ``stack`` as soon as it has
    started, so that the stack closes them in reverse order: at shutdown, and also when a
    later step of start-up fails (nothing started is left running).

    One database pool per process: the request handlers, the outbox relay, the feed
    publisher, the webhook dispatcher and the feed consumers all draw on the app's engine.

    ``background_rebuild`` (a serving process): the index rebuild runs after start-up instead
    of before it, so the process answers at once: ``/healthz`` and every non-search query
    work, search answers ``SearchUnavailable`` (its alias appears only once its index is
    complete), ``/readyz`` says it waits for the indices, and the relay and the feed consumers,
    which write to the indices, start when they are built."""
    stack.callback(tracing.stop, provider)  # last: after every span has ended
    stack.push_async_callback(app.state.graphql.limits.close)  # shared budgets' Redis client
    stack.callback(app.state.graphql.close)  # its revision reader (schema/kit/answers.py)
    engine = create_engine(
        settings.effective_database_url,
        pool_size=settings.db_pool_size + BACKGROUND_CONNECTIONS,
        max_overflow=settings.db_max_overflow,
        echo=settings.db_echo,
        statement_timeout=settings.db_statement_timeout_seconds,
    )
    stack.push_async_callback(engine.dispose)
    sessionmaker = create_sessionmaker(engine)
    count_connections(engine)
    tracing.start(provider, engine)
    search = open_search(settings)
    stack.push_async_callback(search.close)
    rows_tracked = await row_cache.tracked(engine)
    if not rows_tracked:
        log.warning("kept rows are off: the database lacks migration 0020 (run greenrong migrate)")
    app.state.resources = Resources(settings, engine, sessionmaker, search, rows_tracked)
    ready = asyncio.Event()
    app.state.search_ready = ready
    if background_rebuild:
        rebuild = asyncio.create_task(
            _rebuild(search, sessionmaker, settings, ready), name="greenrong-index-rebuild"
        )
        stack.push_async_callback(_cancel, rebuild)
    else:
        await _rebuild(search, sessionmaker, settings, ready)
    from greenrong.workers.broker import FEED_CONSUMERS, start_pipeline
    from greenrong.workers.consumers import start_consumer_loops
    from greenrong.workers.runtime import open_runtime
    from greenrong.workers.webhooks import start_partners, webhook_sender

    # the workers' runtime borrows the engine and search client; it owns its HTTP client
    runtime = open_runtime(settings, engine=engine, search=search)
    stack.push_async_callback(runtime.close)
    pipeline = start_pipeline(runtime, ready=ready)  # the outbox relay (see workers/broker.py)
    stack.push_async_callback(pipeline.stop)
    # the change feed's publisher, live announcements and webhooks (docs/PARTNERS.md)
    partners = await start_partners(runtime, enqueue=webhook_sender(pipeline, settings))
    stack.push_async_callback(partners.stop)
    app.state.partners = partners
    # saved-search alerts and identification suggestions: feed consumers (workers/consumers.py)
    consumers = start_consumer_loops(
        runtime, partners.hub, FEED_CONSUMERS, broker=pipeline.broker, ready=ready
    )
    stack.push_async_callback(consumers.stop)
    from greenrong.workers.schedule import start_schedule

    # periodic passes (certificate expiry, libraries refresh), once per deployment
    schedule = start_schedule(settings, sessionmaker)
    stack.push_async_callback(schedule.stop)
    app.state.schedule = schedule


async def _rebuild(
    search: SearchEngine, sessionmaker: SessionMaker, settings: Settings, ready: asyncio.Event
) -> None:
    try:
        await prepare_indices(search, sessionmaker, settings)
    finally:
        ready.set()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def prepare_indices(
    search: SearchEngine, sessionmaker: SessionMaker, settings: Settings
) -> None:
    """Rebuild missing or empty indices from the database (``search_rebuild_on_start``). An
    unreachable engine does not stop the API: writes keep working and the outbox catches the
    index up later."""
    from greenrong.indexers.kit import reference
    from greenrong.indexers.kit.store import ensure_ready
    from greenrong.indexers.registry import INDEXES, REFERENCE_INDEXES

    try:
        rebuilt = await ensure_ready(
            search,
            sessionmaker,
            list(INDEXES.values()),
            progress=settings.search_rebuild_progress,
            fill=settings.search_rebuild_on_start,
        )
        rebuilt += await reference.ensure_ready(search, list(REFERENCE_INDEXES.values()))
    except (ConnectionError, OpenSearchConnectionError):
        log.warning("search engine at %s is unreachable; search is unavailable for now", search.url)
        return
    if rebuilt:
        log.info("rebuilt search indices: %s", ", ".join(rebuilt))


def start_shared_search(settings: Settings) -> Any:
    """Embedded mode with several API processes (``greenrong serve --workers N``): start one
    osmem-server here, in the parent, fill its indices from the database once, and point the
    processes uvicorn starts at it through their environment, so that every process searches
    the same engine and none rebuilds it. Returns the server (``core.search.stop_embedded``)."""
    import asyncio
    import os

    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    log.info("embedded search engine (osmem-server %s) on %s", server.version, server.url)
    shared = settings.model_copy(update={"opensearch_url": server.url})

    async def build() -> None:
        engine = create_engine(shared.effective_database_url, pool_size=1)
        search = open_search(shared)
        try:
            await prepare_indices(search, create_sessionmaker(engine), shared)
        finally:
            await search.close()
            await engine.dispose()

    try:
        asyncio.run(build())
    except BaseException:
        stop_embedded(server)
        raise
    # the API processes are new interpreters (spawned): they read these at start-up
    os.environ["GREENRONG_OPENSEARCH_URL"] = server.url
    os.environ["GREENRONG_SEARCH_REBUILD_ON_START"] = "false"
    return server


class RequestIdMiddleware:
    """Gives every HTTP request and WebSocket an id: the client's ``X-Request-ID`` when it
    sent a sane one, else a new one. It is in every log record and in the response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def create_app_from_env() -> Starlette:
    """Factory for uvicorn ``--factory`` (used by ``greenrong serve --workers N``)."""
    settings = get_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    return create_app(settings, serving=True)
