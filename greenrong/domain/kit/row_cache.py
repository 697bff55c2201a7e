"""Rows kept between requests, used again while the database says nothing changed.

The API reads the same few rows by id over and over: the product catalogue under every
``productMatches``, a demand with its enterprise and project under every look at its matches.
An API process keeps the rows of ``CACHED`` by id, with the ``rows`` revision
(``revision_repository``) read *before* they were read, and answers a later read by id from
them while that revision is unchanged:

- the revision moves in the database, by triggers, in the transaction of every committed write
  to those tables, whoever writes (migration 0020): any process, the CLI, a worker, ``psql``.
  A read that finds it unchanged therefore finds every kept row as committed now; a row read
  after the revision can only be newer than it, so it is never kept past a write;
- one revision for all four tables (migration 0020 says why), so any write to any of them
  makes the next read of each row go to the database again;
- the rows are kept whole, whoever asked: the caller's row rule is applied to each kept row
  in Python (``predicates.row_test``, the same rule as the SQL), and a caller whose rule is not
  decidable from the row (a subquery, a consent: an institution's demands and projects) is
  read from the database every time, as before;
- reading the revision is one primary-key read: microseconds on SQLite (its own read-only
  connection), one prepared statement on PostgreSQL (``RevisionReader``).

The kept rows are detached ORM objects shared by the requests of the process: read them,
never change them (the request loaders' rows already are, ``resolvers/loaders.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core import metrics
from greenrong.core.db import SessionMaker
from greenrong.core.lru import LRU
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialProduct, FinancingDemand
from greenrong.domain.kit import listing, revision_repository
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.revision_repository import RevisionReader
from greenrong.domain.projects.models import Project

#: the revision the triggers of migration 0020 move
REVISION = "rows"
#: the models whose rows are kept; each table needs migration 0020's triggers
CACHED: frozenset[type[Entity]] = frozenset(
    {Enterprise, Project, FinancialProduct, FinancingDemand}
)

#: a caller's row rule as a test of a row (``predicates.row_test``)
RowTest = Callable[[Any], bool]


async def tracked(engine: AsyncEngine) -> bool:
    """Whether every kept table has the triggers that move ``REVISION`` (migration 0020): rows
    are kept only then. Without them (a database not migrated yet) nothing would tell a
    process that a kept row changed."""
    suffixes = ("insert", "update", "delete") if engine.dialect.name == "sqlite" else ("revision",)
    names = {f"{model.__tablename__}_rows_{suffix}" for model in CACHED for suffix in suffixes}
    return names <= await revision_repository.trigger_names(engine)


class RowCache:
    """One API process's kept rows of one database (``revisions`` reads its revision)."""

    def __init__(self, revisions: RevisionReader, size: int) -> None:
        self.revisions = revisions
        self._rows: LRU[tuple[type[Entity], uuid.UUID], tuple[int, Any]] = LRU(size)
        #: reads answered from kept rows and reads that went to the database (per id)
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    @staticmethod
    def covers(model: type[Entity]) -> bool:
        return model in CACHED

    async def revision(self) -> int:
        """The committed revision now: read it before the rows it is to validate."""
        (value,) = await self.revisions.read((REVISION,))
        return value

    def get(
        self, model: type[Entity], ids: Sequence[uuid.UUID], revision: int
    ) -> dict[uuid.UUID, Any]:
        """The kept rows of ``ids`` still valid at ``revision`` (read just now,
        ``revision()``), by id; the ids not there are to be read."""
        found: dict[uuid.UUID, Any] = {}
        for i in ids:
            kept = self._rows.get((model, i))
            if kept is not None and kept[0] == revision:
                found[i] = kept[1]
        self.hits += len(found)
        self.misses += len(ids) - len(found)
        metrics.KEPT_ROWS.labels("hit").inc(len(found))
        metrics.KEPT_ROWS.labels("miss").inc(len(ids) - len(found))
        return found

    def put(self, model: type[Entity], rows: Iterable[Any], revision: int) -> None:
        """Keep whole rows (read under no caller's rule) read after ``revision`` was read."""
        for row in rows:
            self._rows.put((model, row.id), (revision, row))

    async def read(
        self,
        sessionmaker: SessionMaker,
        model: type[Entity],
        ids: Sequence[uuid.UUID],
        visible: RowTest,
        revision: int,
    ) -> list[Any]:
        """Rows of ``model`` by id, None for a missing id or one ``visible`` refuses: the kept
        rows still valid at ``revision``, the others read whole in one statement through
        ``sessionmaker`` and kept."""
        found = self.get(model, ids, revision)
        missing = [i for i in ids if i not in found]
        if missing:
            async with sessionmaker() as session:
                read = await listing.fetch_by_ids(session, model, missing)
            self.put(model, read.values(), revision)
            found.update(read)
        return [r if (r := found.get(i)) is not None and visible(r) else None for i in ids]
