"""Run Alembic programmatically (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade to ``revision``; at head, also build the kept platform figures when they are not
    built for this code's rules (a new database, the first upgrade to 0016, or rules changed)."""
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        asyncio.run(_build_statistics(url))


async def _build_statistics(url: str) -> None:
    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.domain.access.guard import bind_system
    from greenrong.domain.statistics.service import built, rebuild

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            if not await built(session):
                bind_system(session)
                await rebuild(session)
    finally:
        await engine.dispose()


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://")).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head
