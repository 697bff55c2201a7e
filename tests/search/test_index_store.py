"""The search base: start-up rebuild, aliased rebuilds, external versions, failed rebuilds."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from greenrong.core.search import SearchEngine
from greenrong.indexers.kit.store import (
    _alias_targets,
    _swap_alias,
    create_empty,
    document_count,
    rebuild,
    write_rows,
)
from greenrong.indexers.listings.document import LISTINGS
from tests.factories.entities import create_listing


def engine_of(app: Any) -> SearchEngine:
    engine: SearchEngine = app.state.resources.search
    return engine


async def physical_indices(engine: SearchEngine) -> list[str]:
    return sorted((await engine.client.indices.get_alias(name=engine.alias("listings"))).keys())


async def test_startup_rebuilds_an_empty_index_from_the_database(settings, sessionmaker) -> None:
    # given listings in the database and no index yet
    async with sessionmaker.begin() as session:
        await create_listing(session, title="太阳能光伏组件回收技术")
        await create_listing(session, title="工业废水膜处理工艺")
    from greenrong.app import create_app

    # when the app starts
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        engine = engine_of(app)
        hits = await engine.client.search(
            index=engine.alias("listings"), body={"query": {"match": {"title": "废水处理"}}}
        )

        # then both rows are indexed, and a Chinese query finds the right one by bigrams
        assert await document_count(engine, LISTINGS) == 2
        assert [h["_source"]["title"] for h in hits["hits"]["hits"]] == ["工业废水膜处理工艺"]
        assert hits["hits"]["hits"][0]["_source"]["region_path"] == ["510104", "510100", "510000"]


async def test_startup_without_rebuild_creates_empty_indices_for_reindex_to_fill(
    settings, sessionmaker
) -> None:
    # given a listing in the database, no index yet, and start-up rebuilds turned off
    async with sessionmaker.begin() as session:
        await create_listing(session, title="林业碳汇计量监测技术")
    from greenrong.app import create_app

    app = create_app(settings.model_copy(update={"search_rebuild_on_start": False}))
    async with app.router.lifespan_context(app):
        engine = engine_of(app)
        # then the index exists behind its alias with the real mapping, and is empty
        assert await document_count(engine, LISTINGS) == 0
        mapping = await engine.client.indices.get_mapping(index=engine.alias("listings"))
        (only,) = mapping.values()
        assert only["mappings"]["dynamic"] == "strict"

        # and when the operator rebuilds it, the row is there
        assert await rebuild(engine, sessionmaker, LISTINGS) == 1
        assert await document_count(engine, LISTINGS) == 1


async def test_concurrent_builds_leave_the_alias_on_exactly_one_index(app, sessionmaker) -> None:
    # given two processes that start at once (an API and a worker) with no listings index
    engine = engine_of(app)
    await engine.client.indices.delete(index=f"{engine.alias('listings')}-*")
    async with sessionmaker.begin() as session:
        await create_listing(session, title="生活垃圾焚烧发电烟气净化技术")

    # when both create the index empty, and then both rebuild it
    await asyncio.gather(create_empty(engine, LISTINGS), create_empty(engine, LISTINGS))
    after_create = await physical_indices(engine)
    await asyncio.gather(
        rebuild(engine, sessionmaker, LISTINGS), rebuild(engine, sessionmaker, LISTINGS)
    )

    # then the alias points at one index each time, no orphan is left, and the row counts once
    assert len(after_create) == 1
    assert len(await physical_indices(engine)) == 1
    every = await engine.client.indices.get(index=f"{engine.alias('listings')}-*")
    assert len(every) == 1
    assert await document_count(engine, LISTINGS) == 1


async def test_rebuild_swaps_the_alias_and_drops_the_old_index(app, sessionmaker) -> None:
    engine = engine_of(app)
    async with sessionmaker.begin() as session:
        await create_listing(session)
    before = await physical_indices(engine)

    written = await rebuild(engine, sessionmaker, LISTINGS)

    after = await physical_indices(engine)
    assert written == 1
    assert len(before) == len(after) == 1
    assert before != after
    assert not await engine.client.indices.exists(index=before[0])


async def test_an_older_version_never_overwrites_a_newer_document(app, sessionmaker) -> None:
    engine = engine_of(app)
    async with sessionmaker.begin() as session:
        row = await create_listing(session, title="新标题")
    await write_rows(engine, LISTINGS, [row])

    row.version, row.title = 1, "旧标题"  # a stale event replayed late
    row_v2 = await _with_version(sessionmaker, row.id, 2, "最新标题")
    await write_rows(engine, LISTINGS, [row_v2])
    await write_rows(engine, LISTINGS, [row])  # version 1 again: ignored, not an error

    stored = await engine.client.get(index=engine.alias("listings"), id=str(row.id))
    assert (stored["_version"], stored["_source"]["title"]) == (2, "最新标题")


async def _with_version(sessionmaker, id, version: int, title: str) -> Any:
    from greenrong.domain.technology.models import TechnologyListing

    async with sessionmaker.begin() as session:
        row = await session.get(TechnologyListing, id)
        row.title = title
    assert row.version == version
    return row


async def test_a_failed_rebuild_leaves_the_old_index_serving(app, sessionmaker) -> None:
    # given a serving index with one document
    engine = engine_of(app)
    async with sessionmaker.begin() as session:
        await create_listing(session, title="原有技术")
    await rebuild(engine, sessionmaker, LISTINGS)
    serving = await physical_indices(engine)

    # when a rebuild fails half-way (a document that cannot be built)
    def broken(row: Any) -> dict[str, Any]:
        raise RuntimeError("cannot build document")

    with pytest.raises(RuntimeError, match="cannot build document"):
        await rebuild(engine, sessionmaker, dataclasses.replace(LISTINGS, build=broken))

    # then the alias still points at the old index, which still answers, and nothing is left over
    assert await physical_indices(engine) == serving
    assert await document_count(engine, LISTINGS) == 1
    names = set((await engine.client.indices.get(index=f"{engine.alias('listings')}-*")).keys())
    assert names == set(serving)


async def test_a_swap_whose_old_index_vanished_meanwhile_reads_the_alias_again(
    app, sessionmaker
) -> None:
    # given the listings alias on one index, and a new index built beside it
    engine = engine_of(app)
    alias = engine.alias("listings")
    (old,) = await physical_indices(engine)
    new = f"{alias}-29991231235959000000"
    await engine.client.indices.create(index=new, body=LISTINGS.body())
    reads: list[list[str]] = []

    async def targets_then_another_process_swaps(engine: SearchEngine, alias: str) -> list[str]:
        """The alias's targets; the first time, another process's rebuild then drops the old
        index (between this process's read and its swap, as when two start at once)."""
        found = await _alias_targets(engine, alias)
        if not reads:
            await engine.client.indices.delete(index=old)
        reads.append(found)
        return found

    # when this process swaps the alias to its new index
    left = await _swap_alias(engine, alias, new, targets_then_another_process_swaps)

    # then the first swap named the vanished index and was refused; the second read the alias
    # again (no target left) and the alias is on the new index alone
    assert reads == [[old], []]
    assert left == []
    assert await physical_indices(engine) == [new]
