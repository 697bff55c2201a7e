"""What ``greenrong reindex`` and ``greenrong index verify`` do, without the command line.

Both open their own search client from the settings, and their own database engine unless
given one (the CLI's), and close what they opened when done. In embedded mode (no
``GREENRONG_OPENSEARCH_URL``) that client is an in-memory engine started for this run, which
stops with it: these commands are meant for a configured cluster.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from time import perf_counter

from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.indexers.kit import reference
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.kit.verify import repair, verify
from greenrong.indexers.registry import select_indexes, select_reference_indexes

Report = Callable[[str], None]


@asynccontextmanager
async def connected(
    settings: Settings, engine: AsyncEngine | None = None
) -> AsyncIterator[tuple[SearchEngine, SessionMaker]]:
    """The database (``engine``, borrowed, or one of its own) and the search engine the settings
    name; what it opened is closed on exit."""
    own = engine is None
    engine = engine or create_engine(settings.effective_database_url)
    search = open_search(settings)
    try:
        yield search, create_sessionmaker(engine)
    finally:
        await search.close()
        if own:
            await engine.dispose()


async def reindex(
    settings: Settings,
    names: Sequence[str],
    *,
    report: Report,
    progress: bool,
    engine: AsyncEngine | None = None,
) -> int:
    """Rebuild the named indices (all for none) behind their aliases; reports documents and
    seconds per index. Returns the documents written."""
    specs, total = select_indexes(names), 0
    async with connected(settings, engine) as (search, sessionmaker):
        for spec in specs:
            started = perf_counter()
            written = await rebuild(search, sessionmaker, spec, progress=progress)
            seconds = perf_counter() - started
            rate = written / seconds if seconds else 0.0
            report(
                f"{spec.name:<12} {written:>10,} documents {seconds:>8.2f} s {rate:>10,.0f} docs/s"
            )
            total += written
        for ref in select_reference_indexes(names):  # reference data: from its data file
            started = perf_counter()
            written = await reference.build(search, ref)
            seconds = perf_counter() - started
            report(f"{ref.name:<12} {written:>10,} documents {seconds:>8.2f} s (data file)")
            total += written
    return total


async def verify_indexes(
    settings: Settings,
    names: Sequence[str],
    *,
    report: Report,
    fix: bool,
    engine: AsyncEngine | None = None,
) -> bool:
    """Compare the named indices (all for none) with their tables and report; with ``fix``,
    repair and check again. True when every index matches its table (after the repair)."""
    specs, clean = select_indexes(names), True
    async with connected(settings, engine) as (search, sessionmaker):
        for spec in specs:
            drift = await verify(search, sessionmaker, spec)
            report(("ok     " if drift.clean else "DRIFT  ") + drift.summary())
            for line in drift.details():
                report(line)
            if drift.clean:
                continue
            if not fix:
                clean = False
                continue
            await repair(search, sessionmaker, spec, drift)
            after = await verify(search, sessionmaker, spec)
            report(("fixed  " if after.clean else "DRIFT  ") + after.summary())
            for line in after.details():
                report(line)
            clean = clean and after.clean
        for ref in select_reference_indexes(names):  # compared with its data file
            found = await reference.check(search, ref)
            report(("ok     " if found.clean else "DRIFT  ") + found.summary())
            for line in found.details():
                report(line)
            if found.clean:
                continue
            if not fix:
                clean = False
                continue
            await reference.build(search, ref)
            again = await reference.check(search, ref)
            report(("fixed  " if again.clean else "DRIFT  ") + again.summary())
            clean = clean and again.clean
    return clean
