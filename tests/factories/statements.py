"""Counting the SQL statements (and search round trips) that one piece of test code runs, and
only those.

The app's background loops (the outbox relay, the feed publisher, the webhook dispatcher) share
its engine, so an engine-wide listener would also count their polls, at random. A ContextVar set
around the counted code is copied into every task that code starts (the DataLoaders' batches)
and never into the loops, which started before it was set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_counting: ContextVar[bool] = ContextVar("counting_statements", default=False)


@contextlib.contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements run inside the block (by this task and the tasks it starts)."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        if _counting.get():
            statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    token = _counting.set(True)
    try:
        yield statements
    finally:
        _counting.reset(token)
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@contextlib.contextmanager
def count_msearches(client: Any) -> Iterator[list[int]]:
    """The ``_msearch`` calls made on the search ``client`` inside the block (by this task and
    the tasks it starts), each as its number of searches. The call itself goes through."""
    calls: list[int] = []
    real = client.msearch

    async def msearch(*args: Any, **kwargs: Any) -> Any:
        if _counting.get():
            calls.append(len(kwargs.get("body", args[0] if args else [])) // 2)
        return await real(*args, **kwargs)

    client.msearch = msearch
    token = _counting.set(True)
    try:
        yield calls
    finally:
        _counting.reset(token)
        del client.msearch
