"""Engines and sessionmakers. The edge (a mutation, an actor run) owns the transaction.

Dead pooled connections (docs/PERFORMANCE.md, "Serving"): a PostgreSQL connection is checked
at checkout without a round trip. asyncpg notices a backend that ended (a restart,
``pg_terminate_backend``, an idle timeout) when the server closes the socket, so a connection
it reports closed is discarded and the pool hands out another one (SQLAlchemy's
``DisconnectionError`` protocol). A connection that died without the server closing it (a
network cut) fails the one statement that finds out; SQLAlchemy then invalidates the pool, and
the compiled views retry that read once on a fresh connection.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionMaker = async_sessionmaker[AsyncSession]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _discard_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """At checkout: a connection whose backend is gone is replaced (no round trip)."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the PostgreSQL connection was closed")


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 5,
    echo: bool = False,
    statement_timeout: float = 0,
) -> AsyncEngine:
    """An async engine for PostgreSQL (asyncpg) or SQLite (aiosqlite).

    ``statement_timeout`` (seconds, 0 for none): on PostgreSQL, every connection of the engine
    has ``statement_timeout`` set at connect (a server setting, no round trip per statement);
    the server cancels a statement that runs longer, the connection stays usable and goes back
    to the pool (``is_statement_timeout`` tells the error). The API's engine sets it
    (``Settings.db_statement_timeout_seconds``); workers, the CLI and migrations do not.
    SQLite ignores it."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # no pool_pre_ping: on asyncpg it costs three round trips (BEGIN, ";", ROLLBACK) per checkout
    connect_args: dict[str, Any] = {}
    if statement_timeout > 0:
        milliseconds = max(1, round(statement_timeout * 1000))
        connect_args["server_settings"] = {"statement_timeout": str(milliseconds)}
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine, "checkout", _discard_closed)
    return engine


#: PostgreSQL's SQLSTATE for a statement cancelled by ``statement_timeout`` (query_canceled)
QUERY_CANCELED = "57014"


def is_statement_timeout(error: BaseException | None) -> bool:
    """Whether ``error`` (SQLAlchemy's wrapper or the driver's own, or what caused it) is a
    statement PostgreSQL cancelled."""
    seen = 0
    while error is not None and seen < 8:
        for candidate in (error, getattr(error, "orig", None)):
            if getattr(candidate, "sqlstate", None) == QUERY_CANCELED:
                return True
        error = error.__cause__
        seen += 1
    return False


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


_read_sessionmakers: weakref.WeakKeyDictionary[SessionMaker, SessionMaker] = (
    weakref.WeakKeyDictionary()
)


def read_sessionmaker(sessionmaker: SessionMaker) -> SessionMaker:
    """``sessionmaker`` for reads only (the request's DataLoaders): on PostgreSQL its
    sessions run in AUTOCOMMIT, so a loader's statement is one round trip instead of three
    (BEGIN, the statement, ROLLBACK); each statement reads the data committed when it starts,
    as under READ COMMITTED. On SQLite the same ``sessionmaker`` (a read opens no transaction
    there). Never write through it: nothing would roll back. Made once per ``sessionmaker``;
    anything else (a test's stand-in) is returned as it is."""
    if not isinstance(sessionmaker, async_sessionmaker):
        return sessionmaker
    found = _read_sessionmakers.get(sessionmaker)
    if found is None:
        engine = sessionmaker.kw.get("bind")
        if not isinstance(engine, AsyncEngine) or engine.dialect.name == "sqlite":
            found = sessionmaker
        else:
            kw = {**sessionmaker.kw, "bind": engine.execution_options(isolation_level="AUTOCOMMIT")}
            found = async_sessionmaker(class_=sessionmaker.class_, **kw)
        _read_sessionmakers[sessionmaker] = found
    return found
