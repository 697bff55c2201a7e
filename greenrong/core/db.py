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
    url: str, *, pool_size: int = 10, max_overflow: int = 5, echo: bool = False
) -> AsyncEngine:
    """An async engine for PostgreSQL (asyncpg) or SQLite (aiosqlite)."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # no pool_pre_ping: on asyncpg it costs three round trips (BEGIN, ";", ROLLBACK) per checkout
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow)
    event.listen(engine.sync_engine, "checkout", _discard_closed)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
