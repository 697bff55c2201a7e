"""Database fixtures for both backends.

The backend comes from the environment (``make test`` runs the suite once per backend):
- ``GREENRONG_TEST_PG_URL=postgresql+asyncpg://…/postgres``: PostgreSQL. A template database is
  migrated once per run with ``alembic upgrade head``; every test gets its own copy
  (``CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY``, about 20 ms) and it is dropped after.
- otherwise SQLite: one migrated template file, copied for every test.

The platform's clock (``domain/kit/clock.py``) is the ``platform_clock`` fixture, set for every
test: ``--clock-years-ahead N`` runs the suite N years ahead, and a test marked ``dated`` (one
whose outcome depends on the day it runs: validity, expiry, memberships, consents) runs twice,
today and ``DATED_YEARS_AHEAD`` years ahead.
"""

from __future__ import annotations

import asyncio
import os
import queue
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from osmem_server import OsmemServer
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.search import open_search, stop_embedded
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.clock import CLOCK, Clock
from greenrong.migrations.runner import upgrade
from tests.factories.access import TEST_JWT_SECRET, auth_headers
from tests.factories.prebuilt import WORLD, Builder, Registration, registration_for

PG_ADMIN_URL = os.environ.get("GREENRONG_TEST_PG_URL", "")
BACKEND = "postgresql" if PG_ADMIN_URL else "sqlite"
TEMPLATE_DB = f"greenrong_tmpl_{os.getpid()}"


#: how far ahead a ``dated`` test runs the second time
DATED_YEARS_AHEAD = 2


def pytest_report_header() -> str:
    return f"greenrong database backend: {BACKEND}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-years-ahead",
        type=int,
        default=0,
        help="run every test with the platform's clock this many years ahead",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("dated") is not None:
        metafunc.parametrize(
            "platform_clock",
            [0, DATED_YEARS_AHEAD],
            ids=["today", f"{DATED_YEARS_AHEAD}y-ahead"],
            indirect=True,
        )


def years_after(day: date, years: int) -> timedelta:
    """From ``day`` to the same day ``years`` later (29 February to 28 February)."""
    try:
        later = day.replace(year=day.year + years)
    except ValueError:
        later = day.replace(year=day.year + years, day=28)
    return later - day


@pytest.fixture(autouse=True)
def platform_clock(request: pytest.FixtureRequest) -> Iterator[Clock]:
    """The process clock, moved ``--clock-years-ahead`` (plus a ``dated`` run's years) ahead
    for the test, and back after it."""
    years = request.config.getoption("--clock-years-ahead") + getattr(request, "param", 0)
    with CLOCK.shifted(years_after(CLOCK.today(), years)) as clock:
        yield clock


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated template: a PostgreSQL database name, or a SQLite file path."""
    if BACKEND == "postgresql":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{TEMPLATE_DB}"'))
        upgrade(make_url(PG_ADMIN_URL).set(database=TEMPLATE_DB).render_as_string(False))
        yield TEMPLATE_DB
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(f"sqlite+aiosqlite:///{path}")
        yield str(path)


@pytest.fixture(scope="session")
def osmem_server(template_db: str) -> Iterator[Any]:
    """One embedded search engine per run (each test gets a copy-on-write clone of it).

    Its base holds every index an app builds at start-up, empty, and the reference indices, as
    start-up leaves them on the empty template database: each test's app then finds them in
    its clone instead of building them (about 0.45 s of every test's set-up). An index that is
    empty while the test's database is not is still rebuilt at start-up, as in production.
    Overrides the osmem plugin's fixture so the process and its pipes are closed cleanly.
    """
    server = OsmemServer.start(japanese=False)
    asyncio.run(_build_indices(server.url, _template_url(template_db)))
    yield server
    stop_embedded(server)


def _template_url(template_db: str) -> str:
    if BACKEND == "postgresql":
        return make_url(PG_ADMIN_URL).set(database=template_db).render_as_string(False)
    return f"sqlite+aiosqlite:///{template_db}"


async def _build_indices(search_url: str, database_url: str) -> None:
    """What an app's start-up builds in an empty engine (``app.prepare_indices``); the
    template's connections are closed after, so that databases can still copy it."""
    from greenrong.app import prepare_indices

    settings = Settings(
        database_url=database_url, opensearch_url=search_url, search_rebuild_progress=False
    )
    engine = create_engine(database_url, pool_size=1)
    search = open_search(settings)
    try:
        await prepare_indices(search, create_sessionmaker(engine), settings)
    finally:
        await search.close()
        await engine.dispose()


class PgDatabases:
    """Copies of the PostgreSQL template, made ahead and dropped behind the tests.

    ``CREATE DATABASE … TEMPLATE`` takes 0.2–0.5 s here (it waits for a checkpoint) and ``DROP``
    another 0.05 s: a sixth of the suite when each test waited for both. A thread of its own,
    with one admin connection, keeps ``AHEAD`` copies ready and drops used ones while tests
    run; a test still gets a database no other test has touched. Whatever the thread fails to
    do is raised in the test that needed it (a copy) or at the end of the run (a drop).
    """

    AHEAD = 2

    def __init__(self, template: str) -> None:
        self.template = template
        self._commands: queue.SimpleQueue[tuple[str, str, str] | None] = queue.SimpleQueue()
        #: the copies ready, per template: the migrated one, or a world's (tests/factories/prebuilt.py)
        self._ready: dict[str, queue.SimpleQueue[str | BaseException]] = {}
        self._failures: list[BaseException] = []
        self._unused: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="pg-databases", daemon=True)
        self._thread.start()
        self._start(template)

    def _start(self, template: str) -> queue.SimpleQueue[str | BaseException]:
        if template not in self._ready:
            self._ready[template] = queue.SimpleQueue()
            for _ in range(self.AHEAD):
                self._create(template)
        return self._ready[template]

    def take(self, template: str | None = None) -> str:
        """A fresh copy's name, of the migrated template or of ``template`` (a world's, which
        nobody may be connected to); waits while none is ready."""
        template = template or self.template
        ready = self._start(template).get(timeout=300)
        if isinstance(ready, BaseException):
            raise ready
        self._unused.discard(ready)
        self._create(template)
        return ready

    def release(self, name: str) -> None:
        self._commands.put(("drop", name, ""))

    def close(self) -> None:
        """Drop what is left (the copies made ahead), then stop; raises what failed."""
        self._commands.put(None)
        self._thread.join(timeout=300)
        if self._failures:
            raise self._failures[0]

    def _create(self, template: str) -> None:
        self._commands.put(("create", f"t_{uuid.uuid4().hex[:16]}", template))

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            connection = loop.run_until_complete(asyncpg.connect(_asyncpg_dsn(PG_ADMIN_URL)))
        except (OSError, asyncpg.PostgresError) as error:
            self._ready[self.template].put(error)
            self._failures.append(error)
            loop.close()
            return
        try:
            while (command := self._commands.get()) is not None:
                self._execute(loop, connection, *command)
            for name in sorted(self._unused):
                self._execute(loop, connection, "drop", name, "")
        finally:
            loop.run_until_complete(connection.close())
            loop.close()

    def _execute(
        self,
        loop: asyncio.AbstractEventLoop,
        connection: Any,
        verb: str,
        name: str,
        template: str,
    ) -> None:
        if verb == "create":
            sql = f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY'
        else:
            sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        try:
            loop.run_until_complete(connection.execute(sql))
        except (OSError, asyncpg.PostgresError) as error:
            (self._ready[template].put if verb == "create" else self._failures.append)(error)
            return
        if verb == "create":
            self._unused.add(name)
            self._ready[template].put(name)


@pytest.fixture(scope="session")
def pg_databases(template_db: str, osmem_server: Any) -> Iterator[PgDatabases | None]:
    """The PostgreSQL copies (None on SQLite). After the search engine's set-up, which reads
    the template: a database cannot be copied while anyone is connected to its template."""
    if BACKEND != "postgresql":
        yield None
        return
    databases = PgDatabases(template_db)
    yield databases
    databases.close()


@dataclass
class BuiltWorld:
    """A registered world, built: the database to copy, the builder's value, and the search
    engine whose base holds the world's indices (each test searches a clone of it)."""

    source: str  # a PostgreSQL database name, or a SQLite file
    value: Any
    search: OsmemServer | None  # None: not settled (the run's base serves the test)


class Worlds:
    """The worlds of ``tests/factories/prebuilt.py``, each built once per run and platform day.

    A world is built as a test would build it with its app running: the builder writes, then
    an app on the world's database and search engine starts (building the indices from the
    rows), and runs until the outbox is settled (``tests.pipeline.conftest.settled``). A test's
    app then starts on a copy of both with nothing left to do, as it would find them had the
    test written the world itself: the same rows, indices, feed and consumer positions. A
    world registered with ``settle=False`` is only written: no app, no engine of its own.
    """

    def __init__(self, template_db: str, pg_databases: PgDatabases | None, directory: Path) -> None:
        self.template_db = template_db
        self.pg_databases = pg_databases
        self.directory = directory
        self._built: dict[tuple[Builder, bool, date], BuiltWorld] = {}

    def get(self, registration: Registration, clock: Clock) -> BuiltWorld:
        # one build, wherever it is registered
        key = (registration.builder, registration.settle, clock.today())
        if key not in self._built:
            self._built[key] = self._build(registration, clock)
        return self._built[key]

    def _build(self, registration: Registration, clock: Clock) -> BuiltWorld:
        n = len(self._built)
        if self.pg_databases is not None:
            source = self.pg_databases.take()
            url = make_url(PG_ADMIN_URL).set(database=source).render_as_string(False)
        else:
            source = str(self.directory / f"world-{n}.db")
            shutil.copyfile(self.template_db, source)
            url = f"sqlite+aiosqlite:///{source}"
        if not registration.settle:
            return BuiltWorld(
                source, asyncio.run(self._write(registration, url, None, clock)), None
            )
        search = OsmemServer.start(japanese=False)
        settings = Settings(
            database_url=url,
            data_dir=self.directory / f"var-{n}",
            opensearch_url=search.url,
            search_rebuild_progress=False,
            jwt_secret=TEST_JWT_SECRET,
        )
        try:
            value = asyncio.run(self._write(registration, url, settings, clock))
        except BaseException:
            stop_embedded(search)
            raise
        return BuiltWorld(source, value, search)

    @staticmethod
    async def _write(
        registration: Registration, url: str, settle: Settings | None, clock: Clock
    ) -> Any:
        """Run the builder on ``url``; with ``settle``, then an app on those settings until
        the outbox is settled. Returns the builder's value."""
        from tests.pipeline.conftest import eventually, settled

        engine = create_engine(url, pool_size=1)
        sessionmaker = system_sessionmaker(create_sessionmaker(engine))
        try:
            value = await registration.builder(sessionmaker)
            if settle is not None:
                application = create_app(settle, clock=clock)
                async with application.router.lifespan_context(application):
                    await eventually(
                        lambda: settled(sessionmaker),
                        seconds=60,
                        what="the world's outbox to settle",
                    )
        finally:
            await engine.dispose()  # a template must have nobody connected
        return value

    def close(self) -> None:
        for built in self._built.values():
            if built.search is not None:
                stop_embedded(built.search)
            if self.pg_databases is not None:
                self.pg_databases.release(built.source)


@pytest.fixture(scope="session")
def worlds(
    template_db: str, pg_databases: PgDatabases | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worlds]:
    built = Worlds(template_db, pg_databases, tmp_path_factory.mktemp("worlds"))
    yield built
    built.close()


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest,
    template_db: str,
    pg_databases: PgDatabases | None,
    worlds: Worlds,
    platform_clock: Clock,
    tmp_path: Path,
) -> Iterator[str]:
    """A fresh, migrated database for one test: empty, or a copy of the world the test asks
    for (``tests/factories/prebuilt.py``)."""
    registration = registration_for(request)
    source = None
    if registration is not None:
        built = request.node.stash[WORLD] = worlds.get(registration, platform_clock)
        source = built.source
    if pg_databases is not None:
        name = pg_databases.take(source)
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)
        pg_databases.release(name)
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(source or template_db, path)
        yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> SessionMaker:
    """Sessions for the test's own set-up and checks: trusted code, so each has the system
    principal bound (``access.guard.system_sessionmaker``), as the CLI and workers do."""
    return system_sessionmaker(create_sessionmaker(engine))


@pytest.fixture
def osmem_clone(
    request: pytest.FixtureRequest, osmem_server: OsmemServer, database_url: str
) -> Iterator[Any]:
    """A copy-on-write clone of the test search engine's base, or of the world's the test
    starts from (``Worlds``); overrides the osmem plugin's."""
    built = request.node.stash.get(WORLD, None)
    clone = (built.search if built and built.search else osmem_server).clone()
    yield clone
    clone.close()


@pytest.fixture
def settings(database_url: str, osmem_url: str, tmp_path: Path) -> Settings:
    """A fresh database and a fresh copy-on-write clone of the test search engine."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        opensearch_url=osmem_url,
        search_rebuild_progress=False,
        jwt_secret=TEST_JWT_SECRET,
    )


@pytest.fixture
async def app(settings: Settings, platform_clock: Clock) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=platform_clock)
    async with application.router.lifespan_context(application):
        yield application


def admin_client(app: Starlette, settings: Settings) -> httpx.AsyncClient:
    """httpx on ``app``, calling as an admin (a signed bearer token)."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=auth_headers(settings)
    )


@pytest.fixture
async def client(app: Starlette, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """httpx on the app, calling as an admin (a signed bearer token); see ``client_as``."""
    async with admin_client(app, settings) as http:
        yield http


@pytest.fixture
async def anonymous_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """httpx on the app without credentials: the public role."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


GqlAs = Callable[..., Awaitable["GraphQLResult"]]


@pytest.fixture
def gql_as(client: httpx.AsyncClient, settings: Settings) -> GqlAs:
    """POST one operation as ``role`` (bound to ``org_id``); ``role=None`` is anonymous.

    ``gql_as(Role.ENTERPRISE, org_id=e.id)(query, variables)`` returns the JSON body.
    """

    def caller(role: Role | None, *, org_id: uuid.UUID | None = None) -> Any:
        headers = {} if role is None else auth_headers(settings, role, org_id=org_id)

        async def run(query: str, variables: dict[str, Any] | None = None) -> GraphQLResult:
            request = client.build_request(
                "POST", "/graphql", json={"query": query, "variables": variables or {}}
            )
            request.headers.pop("authorization", None)
            request.headers.update(headers)
            response = await client.send(request)
            assert response.status_code == 200, response.text
            body: GraphQLResult = response.json()
            return body

        return run

    return caller


GraphQLResult = dict[str, Any]


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Callable[..., Awaitable[GraphQLResult]]:
    """POST one GraphQL operation; returns the JSON body (status must be 200)."""

    async def run(query: str, variables: dict[str, Any] | None = None) -> GraphQLResult:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        assert response.status_code == 200, response.text
        body: GraphQLResult = response.json()
        return body

    return run
