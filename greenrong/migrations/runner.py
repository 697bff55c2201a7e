"""Run Alembic programmatically (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).parent
log = logging.getLogger(__name__)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade to ``revision``; at head, also build what is kept beside the rows when it is not
    built: the platform figures for this code's rules (a new database, the first upgrade to
    0016, or rules changed), and the technology buyer leads (the first upgrade to 0017)."""
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        asyncio.run(_build_kept(url))


async def _build_kept(url: str) -> None:
    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.domain.access.guard import bind_system
    from greenrong.domain.matching import leads
    from greenrong.domain.statistics.service import built, rebuild

    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            bind_system(session)
            if not await built(session):
                await rebuild(session)
            if await leads.missing(session):
                log.info("building the technology buyer leads (none are kept yet)")
                written = await leads.rebuild_leads(session)
                log.info("built %d technology buyer lead(s)", written)
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
