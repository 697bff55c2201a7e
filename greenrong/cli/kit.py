"""What every command shares: the settings, one engine per run (disposed when the command
ends), the system principal's sessions, and the ``greenrong: …`` lines and tables.

The CLI is trusted code: it reads and writes as the system principal (``access.guard``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import click
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from greenrong.core.config import Settings, get_settings
from greenrong.core.db import SessionMaker


def settings() -> Settings:
    """The settings, read and checked once per process (``main`` explains a bad one)."""
    return get_settings()


@contextlib.asynccontextmanager
async def engine() -> AsyncIterator[AsyncEngine]:
    """The command's one database engine, disposed on exit."""
    from greenrong.core.db import create_engine

    opened = create_engine(settings().effective_database_url)
    try:
        yield opened
    finally:
        await opened.dispose()


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[SessionMaker]:
    """The system principal's sessionmaker on the command's engine."""
    from greenrong.core.db import create_sessionmaker
    from greenrong.domain.access.guard import system_sessionmaker

    async with engine() as opened:
        yield system_sessionmaker(create_sessionmaker(opened))


@contextlib.asynccontextmanager
async def session() -> AsyncIterator[AsyncSession]:
    """One system session on its own engine (a command that needs only one)."""
    async with database() as sessionmaker, sessionmaker() as opened:
        yield opened


def report(line: str) -> None:
    click.echo(f"greenrong: {line}")


def echo_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns two spaces apart, each as wide as its widest cell; the last one is not padded."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]))
