"""`index verify`: every kind of drift is found with its exact ids, and repair removes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.enterprises.models import Enterprise
from greenrong.indexers.enterprises.document import ENTERPRISES
from greenrong.indexers.kit.source import row_batches
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.kit.verify import StaleDocument, repair, verify
from greenrong.indexers.products.document import PRODUCTS
from tests.factories.entities import create_enterprise, create_institution, create_product


@pytest.fixture
async def search(settings: Settings) -> AsyncIterator[SearchEngine]:
    engine = open_search(settings)
    yield engine
    await engine.close()


async def index_matches_database(
    search: SearchEngine, sessionmaker: SessionMaker, spec: IndexSpec[Any]
) -> bool:
    """Every document equals from_row() of its row, at its document version, and nothing else."""
    expected = {}
    async for batch in row_batches(sessionmaker, spec):
        expected.update({str(row.id): (spec.version_of(row), spec.from_row(row)) for row in batch})
    response = await search.client.search(
        index=search.alias(spec.name), body={"size": 1000, "version": True}
    )
    actual = {h["_id"]: (h["_version"], h["_source"]) for h in response["hits"]["hits"]}
    return actual == expected


async def test_verify_finds_missing_extra_and_stale_documents_and_repair_fixes_them(
    search, sessionmaker
) -> None:
    # given an index built from four enterprises
    async with sessionmaker.begin() as session:
        for _ in range(2):
            await create_enterprise(session)
        changed = await create_enterprise(session)
        removed = await create_enterprise(session)
    await rebuild(search, sessionmaker, ENTERPRISES)

    # and then, with no indexing: one row added, one changed, one deleted
    async with sessionmaker.begin() as session:
        added = await create_enterprise(session)
        (await session.get_one(Enterprise, changed.id)).name = "改名后的企业"  # version 2
        await session.execute(delete(Enterprise).where(Enterprise.id == removed.id))

    # when verifying (two documents per page, so search_after pages through the index)
    drift = await verify(search, sessionmaker, ENTERPRISES, page_size=2)

    # then each drift is reported with its id
    assert drift.alias_exists
    assert (drift.database_count, drift.index_count) == (4, 4)
    assert drift.missing == [added.id]
    assert drift.extra == [str(removed.id)]
    assert drift.stale == [
        StaleDocument(changed.id, row_version=2, index_version=1, source_version=1)
    ]
    assert not drift.clean
    assert not await index_matches_database(search, sessionmaker, ENTERPRISES)

    # when repairing
    await repair(search, sessionmaker, ENTERPRISES, drift)

    # then the index equals the database, and a second check finds nothing
    assert await index_matches_database(search, sessionmaker, ENTERPRISES)
    again = await verify(search, sessionmaker, ENTERPRISES, page_size=2)
    assert again.clean
    assert (again.database_count, again.index_count) == (4, 4)


async def test_a_clean_index_has_no_drift(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        for _ in range(5):
            await create_enterprise(session)
    await rebuild(search, sessionmaker, ENTERPRISES)

    drift = await verify(search, sessionmaker, ENTERPRISES, page_size=2)

    assert drift.clean
    assert (drift.database_count, drift.index_count) == (5, 5)
    assert (drift.missing, drift.extra, drift.stale) == ([], [], [])


async def test_a_document_ahead_of_its_row_is_stale_and_repair_rebuilds(
    search, sessionmaker
) -> None:
    # given a document whose version is ahead of its row (say, a database restored from backup)
    async with sessionmaker.begin() as session:
        row = await create_enterprise(session, name="成都示例企业")
    await rebuild(search, sessionmaker, ENTERPRISES)
    alias = search.alias("enterprises")
    source = (await search.client.get(index=alias, id=str(row.id)))["_source"]
    await search.client.index(
        index=alias,
        id=str(row.id),
        body={**source, "name": "来自未来的名称", "version": 7},
        params={"version": 7, "version_type": "external", "refresh": "true"},
    )

    drift = await verify(search, sessionmaker, ENTERPRISES)
    assert drift.stale == [StaleDocument(row.id, row_version=1, index_version=7, source_version=7)]

    # when repairing: external versions cannot go back in place, so the index is rebuilt
    await repair(search, sessionmaker, ENTERPRISES, drift)

    assert await index_matches_database(search, sessionmaker, ENTERPRISES)
    assert (await verify(search, sessionmaker, ENTERPRISES)).clean


async def test_a_missing_index_is_drift_and_repair_builds_it(search, sessionmaker) -> None:
    # given no products index (the test engine starts with every index built, empty)
    await search.client.indices.delete(index=f"{search.alias('products')}-*")
    async with sessionmaker.begin() as session:
        bank = await create_institution(session)
        product = await create_product(session, institution_id=bank.id)

    drift = await verify(search, sessionmaker, PRODUCTS)

    assert not drift.alias_exists
    assert (drift.database_count, drift.index_count, drift.missing) == (1, 0, [product.id])
    await repair(search, sessionmaker, PRODUCTS, drift)
    assert (await verify(search, sessionmaker, PRODUCTS)).clean
    assert await index_matches_database(search, sessionmaker, PRODUCTS)


async def test_repair_reindexes_a_product_with_its_institution(search, sessionmaker) -> None:
    # given a product indexed while the database lacked it (it was added afterwards)
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="乐山商业银行")
    await rebuild(search, sessionmaker, PRODUCTS)
    async with sessionmaker.begin() as session:
        product = await create_product(session, institution_id=bank.id)

    drift = await verify(search, sessionmaker, PRODUCTS)
    assert drift.missing == [product.id]

    # when repairing, the single-document path loads the institution through the same source
    await repair(search, sessionmaker, PRODUCTS, drift)

    stored = await search.client.get(index=search.alias("products"), id=str(product.id))
    assert stored["_source"]["institution_name"] == "乐山商业银行"
