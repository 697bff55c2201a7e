"""Compare an index with its table: counts, missing, extra and stale documents; and repair.

Both sides are streamed in id order and merged, so memory holds the drift, never every id:

- the database with one ``SELECT id, version … ORDER BY id`` read ``yield_per`` rows at a time;
- the index with ``search_after`` pages sorted on the ``id`` keyword every document carries (the
  same value as ``_id``; ``write_rows`` sets both from the row). Sorting on ``_id`` itself would
  load field data, which OpenSearch deprecates. No page uses ``from``.

UUIDs order the same way as their canonical strings on PostgreSQL (``uuid``), SQLite (32 hex
characters) and in a keyword sort, so the merge compares strings. Each stream checks that it
really is ascending and raises ``VerifyError`` otherwise, rather than report false drift.

A document is stale when its ``_version`` (the external version) or its ``version`` field
differs from the row's version. Drift seen while writes are in flight can be transient: a change
committed but not yet indexed by the workers shows as stale or missing until they catch up.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opensearchpy.helpers import async_bulk

from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine
from greenrong.domain.kit.models import Entity
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.kit.store import IndexingError, index_ids, rebuild

M = TypeVar("M", bound=Entity)

PAGE_SIZE = 1000
NOT_FOUND = 404


class VerifyError(Exception):
    """The comparison itself failed (a stream out of order): nothing can be concluded."""


@dataclass(frozen=True)
class StaleDocument:
    id: uuid.UUID
    row_version: int
    index_version: int
    #: the ``version`` field of the document's source, None when it has none
    source_version: int | None


@dataclass
class Drift:
    """What differs between one table and its index."""

    index: str
    alias_exists: bool
    database_count: int = 0
    index_count: int = 0
    #: rows with no document
    missing: list[uuid.UUID] = field(default_factory=list)
    #: documents with no row (``_id`` as stored; it need not even be a UUID)
    extra: list[str] = field(default_factory=list)
    stale: list[StaleDocument] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.alias_exists and not (self.missing or self.extra or self.stale)

    def summary(self) -> str:
        if not self.alias_exists:
            return f"{self.index:<12} database {self.database_count:>9,}  index MISSING (no alias)"
        return (
            f"{self.index:<12} database {self.database_count:>9,}  index {self.index_count:>9,}"
            f"  missing {len(self.missing):>6,}  extra {len(self.extra):>6,}"
            f"  stale {len(self.stale):>6,}"
        )

    def details(self, limit: int = 20) -> list[str]:
        """One line per drifting id (at most ``limit`` per kind), for a human report."""
        lines = [f"  missing {id}" for id in self.missing[:limit]]
        lines += [f"  extra   {id}" for id in self.extra[:limit]]
        lines += [
            f"  stale   {s.id} (database v{s.row_version}, index v{s.index_version}, "
            f"source v{s.source_version})"
            for s in self.stale[:limit]
        ]
        for kind, items in (
            ("missing", self.missing),
            ("extra", self.extra),
            ("stale", self.stale),
        ):
            if len(items) > limit:
                lines.append(f"  … and {len(items) - limit:,} more {kind}")
        return lines


async def verify(
    engine: SearchEngine,
    sessionmaker: SessionMaker,
    spec: IndexSpec[M],
    *,
    page_size: int = PAGE_SIZE,
) -> Drift:
    """Stream ids and versions from both sides and report every difference."""
    alias = engine.alias(spec.name)
    drift = Drift(
        index=spec.name, alias_exists=await engine.client.indices.exists_alias(name=alias)
    )
    rows = _ascending(_database_versions(sessionmaker, spec, page_size), "database")
    documents = _ascending(
        _index_versions(engine, alias, page_size) if drift.alias_exists else _nothing(), "index"
    )
    row = await anext(rows, None)
    document = await anext(documents, None)
    while row is not None or document is not None:
        if row is not None and (document is None or row[0] < document[0]):
            drift.database_count += 1
            drift.missing.append(uuid.UUID(row[0]))
            row = await anext(rows, None)
        elif document is not None and (row is None or document[0] < row[0]):
            drift.index_count += 1
            drift.extra.append(document[0])
            document = await anext(documents, None)
        elif row is not None and document is not None:  # the same id on both sides
            drift.database_count += 1
            drift.index_count += 1
            (id, row_version), (_, index_version, source_version) = row, document
            if index_version != row_version or source_version != row_version:
                drift.stale.append(
                    StaleDocument(uuid.UUID(id), row_version, index_version, source_version)
                )
            row = await anext(rows, None)
            document = await anext(documents, None)
    return drift


async def repair(
    engine: SearchEngine, sessionmaker: SessionMaker, spec: IndexSpec[M], drift: Drift
) -> None:
    """Fix ``drift``: re-index missing and stale rows, delete extra documents.

    External versions only move forward, so a document whose version is ahead of (or equal to
    but different from) its row cannot be overwritten in place. Then, and when the alias is
    missing, the whole index is rebuilt instead (behind the alias, without downtime).
    """
    if not drift.alias_exists or any(s.index_version >= s.row_version for s in drift.stale):
        await rebuild(engine, sessionmaker, spec)
    else:
        ids = [*drift.missing, *(s.id for s in drift.stale)]
        for start in range(0, len(ids), PAGE_SIZE):
            await index_ids(engine, sessionmaker, spec, ids[start : start + PAGE_SIZE])
        await _delete(engine, engine.alias(spec.name), drift.extra)
    await engine.client.indices.refresh(index=engine.alias(spec.name))


async def _database_versions(
    sessionmaker: SessionMaker, spec: IndexSpec[M], page_size: int
) -> AsyncIterator[tuple[str, int]]:
    statement = spec.version_query().order_by(spec.model.id)
    async with sessionmaker() as session:
        result = await session.stream(statement.execution_options(yield_per=page_size))
        async for id, version in result:
            yield str(id), int(version)


async def _index_versions(
    engine: SearchEngine, alias: str, page_size: int
) -> AsyncIterator[tuple[str, int, int | None]]:
    body: dict[str, Any] = {
        "size": page_size,
        "query": {"match_all": {}},
        "sort": [{"id": "asc"}],
        "_source": ["version"],
        "version": True,
        "track_total_hits": False,
    }
    while True:
        hits = (await engine.client.search(index=alias, body=body))["hits"]["hits"]
        for hit in hits:
            source_version = hit.get("_source", {}).get("version")
            yield hit["_id"], int(hit["_version"]), source_version
        if len(hits) < page_size:
            return
        body["search_after"] = hits[-1]["sort"]


async def _nothing() -> AsyncIterator[tuple[str, int, int | None]]:
    return
    yield  # an empty async generator


T = TypeVar("T", bound=tuple[Any, ...])


async def _ascending(stream: AsyncIterator[T], side: str) -> AsyncIterator[T]:
    previous: str | None = None
    async for item in stream:
        if previous is not None and item[0] <= previous:
            raise VerifyError(f"{side} ids are not in ascending order: {item[0]} after {previous}")
        previous = item[0]
        yield item


async def _delete(engine: SearchEngine, alias: str, ids: Sequence[str]) -> None:
    """Delete documents by ``_id``; one that is already gone is success."""
    actions = [{"_op_type": "delete", "_index": alias, "_id": id} for id in ids]
    if not actions:
        return
    _, errors = await async_bulk(
        engine.client, actions, raise_on_error=False, raise_on_exception=True
    )
    failures = [e for e in errors if _status(e) != NOT_FOUND] if isinstance(errors, list) else []
    if failures:
        raise IndexingError(alias, failures)


def _status(item: dict[str, Any]) -> int:
    return int(next(iter(item.values())).get("status", 0))
