"""A compiled view's statement as the driver takes it, and the one read that runs it.

SQLAlchemy builds the statement (``sql.py``); ``DriverStatement.of`` turns it into what the
driver takes, once: the SQL text with ``$n`` placeholders (``IN`` lists expanded) and the
positional arguments, each through its type's bind processor, as SQLAlchemy's own execution
would send them. A cached view then skips the compilation and the per-execution expansion and
processing of its parameters (``exec_driver_sql``), about a fifth of a small view's time in
Python, while the statement still goes through the engine: its events (the tests' statement
counter, ``db_echo``) and its disconnect handling.

The read runs outside a transaction (autocommit: no ``BEGIN``/``ROLLBACK`` round trips; one
statement sees one snapshot anyway) on a pooled connection (the checkout discards connections
asyncpg saw closed, ``core/db.py``). When the statement finds the connection dead anyway,
SQLAlchemy invalidates it (``connection_invalidated``) and the read runs once more on a fresh
one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """SQL text and positional arguments, ready for ``exec_driver_sql``."""

    sql: str
    args: tuple[Any, ...]

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> DriverStatement:
        compiled = statement.compile(dialect=dialect)
        expanded = compiled.construct_expanded_state()  # IN lists as one parameter per item
        processors = dict(expanded.processors)  # those of the expanded items
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.setdefault(name, processor)
        names = expanded.positiontup or ()
        values = expanded.parameters
        args = tuple(
            processors[name](values[name]) if name in processors else values[name] for name in names
        )
        return cls(expanded.statement, args)


async def fetch_text(engine: AsyncEngine, statement: DriverStatement) -> str | None:
    """The statement's one value, read on a pooled connection without a transaction."""
    for attempt in (1, 2):
        try:
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                result = await connection.exec_driver_sql(statement.sql, statement.args)
                value: str | None = result.scalar_one()
                return value
        except DBAPIError as error:
            # SQLAlchemy told a dead connection from other errors and invalidated the pool
            if attempt == 2 or not error.connection_invalidated:
                raise
    raise AssertionError("unreachable")
