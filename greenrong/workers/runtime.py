"""What a handler needs: settings, a sessionmaker and the search engine, opened once per process
(or per event loop) and closed with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.access.guard import system_sessionmaker

#: the pipeline's own small pool, apart from the API's request pool
PIPELINE_POOL_SIZE = 2


@dataclass
class Runtime:
    settings: Settings
    sessionmaker: SessionMaker
    search: SearchEngine
    engine: AsyncEngine
    #: whether this runtime has checked that every index exists (see ``search.ensure_indices``)
    indices_ready: bool = field(default=False)
    #: whether ``close()`` also closes ``search`` (not when the app lent us its engine)
    owns_search: bool = field(default=True)

    async def close(self) -> None:
        if self.owns_search:
            await self.search.close()
        await self.engine.dispose()


def open_runtime(settings: Settings, *, search: SearchEngine | None = None) -> Runtime:
    """A runtime with its own database pool; ``search`` is shared when given."""
    engine = create_engine(
        settings.effective_database_url,
        pool_size=PIPELINE_POOL_SIZE,
        max_overflow=PIPELINE_POOL_SIZE,
        echo=settings.db_echo,
    )
    return Runtime(
        settings=settings,
        # workers are trusted code: they write as the system principal (access.guard)
        sessionmaker=system_sessionmaker(create_sessionmaker(engine)),
        search=search or open_search(settings),
        engine=engine,
        owns_search=search is None,
    )
