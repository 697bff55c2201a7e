"""The starlette application factory. The lifespan owns what it starts (one ``AsyncExitStack``)."""

from __future__ import annotations

import gc
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenrong.core.config import Settings, get_settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.logging import configure_logging, request_id_var
from greenrong.core.search import SearchEngine, open_search

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


def create_app(settings: Settings | None = None, *, serving: bool = False) -> Starlette:
    """Build the ASGI app. Nothing connects until the lifespan starts. ``serving``: this
    process only serves this app (``greenrong serve``)."""
    settings = settings or get_settings()
    # imported here so that `greenrong migrate` and friends do not build the schema
    from greenrong.resolvers.carbon_page import PATH as CARBON_REPORT_PATH
    from greenrong.resolvers.carbon_page import carbon_report_page
    from greenrong.schema.root import schema
    from greenrong.schema.view import GreenrongGraphQL

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await start_subsystems(app, settings, stack)
            if serving:
                # what start-up built (schema, mappings, caches) lives as long as the process:
                # moved out of the collector's reach, a full collection no longer walks it
                # while serving (docs/PERFORMANCE.md, "Round 3"). Only for the server process:
                # an app built and dropped in-process (tests, benches) would keep its objects.
                gc.collect()
                gc.freeze()
            log.info("greenrong ready on %s", _safe_url(settings.effective_database_url))
            yield

    graphql = GreenrongGraphQL(schema, settings=settings)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        resources: Resources = request.app.state.resources
        try:
            async with resources.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "up"})

    app = Starlette(
        middleware=[Middleware(RequestIdMiddleware)],
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route(CARBON_REPORT_PATH, carbon_report_page, methods=["GET"]),  # docs/CARBON.md
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        lifespan=lifespan,
    )
    #: the GraphQL view: its query limits, prepared operations and token cache (tests, benches)
    app.state.graphql = graphql
    return app


async def start_subsystems(app: Starlette, settings: Settings, stack: AsyncExitStack) -> None:
    """Start what an API process runs, each subsystem entered on ``stack`` as soon as it has
    started, so that the stack closes them in reverse order: at shutdown, and also when a
    later step of start-up fails (nothing started is left running).

    One database pool per process: the request handlers, the outbox relay, the feed
    publisher, the webhook dispatcher and the feed consumers all draw on the app's engine."""
    engine = create_engine(
        settings.effective_database_url,
        pool_size=settings.db_pool_size + BACKGROUND_CONNECTIONS,
        max_overflow=settings.db_max_overflow,
        echo=settings.db_echo,
    )
    stack.push_async_callback(engine.dispose)
    sessionmaker = create_sessionmaker(engine)
    search = open_search(settings)
    stack.push_async_callback(search.close)
    app.state.resources = Resources(settings, engine, sessionmaker, search)
    await prepare_indices(search, sessionmaker, settings)
    from greenrong.workers.broker import FEED_CONSUMERS, start_pipeline
    from greenrong.workers.certification import start_expiry
    from greenrong.workers.consumers import start_consumer_loops
    from greenrong.workers.runtime import open_runtime
    from greenrong.workers.webhooks import start_partners, webhook_sender

    # the workers' runtime borrows the engine and search client; it owns its HTTP client
    runtime = open_runtime(settings, engine=engine, search=search)
    stack.push_async_callback(runtime.close)
    pipeline = start_pipeline(runtime)  # the outbox relay (see workers/broker.py)
    stack.push_async_callback(pipeline.stop)
    # the change feed's publisher, live announcements and webhooks (docs/PARTNERS.md)
    partners = await start_partners(runtime, enqueue=webhook_sender(pipeline, settings))
    stack.push_async_callback(partners.stop)
    app.state.partners = partners
    # saved-search alerts and identification suggestions: feed consumers (workers/consumers.py)
    consumers = start_consumer_loops(runtime, partners.hub, FEED_CONSUMERS, broker=pipeline.broker)
    stack.push_async_callback(consumers.stop)
    # expire certificates whose validity ended (docs/CERTIFICATION.md)
    expiry = start_expiry(settings, sessionmaker)
    stack.push_async_callback(expiry.stop)
    app.state.certification_expiry = expiry


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
