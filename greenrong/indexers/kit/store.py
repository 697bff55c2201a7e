"""Writing to indices: bulk upserts with external versions, deletes, and the aliased rebuild."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from opensearchpy.exceptions import NotFoundError
from opensearchpy.helpers import async_bulk
from sqlalchemy import func, select
from tqdm import tqdm

from greenrong.core.db import SessionMaker
from greenrong.core.retry import retryable_status
from greenrong.core.search import SearchEngine
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox.repository import record_dead_letter
from greenrong.indexers.kit.source import row_batches
from greenrong.indexers.kit.spec import IndexSpec

log = logging.getLogger(__name__)
M = TypeVar("M", bound=Entity)

#: a conflict on an external version means the index already holds this version or a newer one
VERSION_CONFLICT = 409


class IndexingError(Exception):
    """Some documents could not be written; ``failures`` holds the engine's item errors."""

    def __init__(self, index: str, failures: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(failures)} document(s) failed in {index}: {failures[:3]}")
        self.failures = failures

    @property
    def retryable(self) -> bool:
        """Whether any item failed for a reason that may pass later (429, 5xx; ``core.retry``)."""
        return any(retryable_status(_status(f)) for f in self.failures)


def refuses_document(failure: dict[str, Any]) -> bool:
    """Whether a bulk item failed for its document (a 4xx such as ``mapper_parsing_exception``:
    it fails again until the row changes), not for the engine's state (429, 5xx)."""
    status = _status(failure)
    return 400 <= status < 500 and status not in (VERSION_CONFLICT, 429)


async def write_rows(
    engine: SearchEngine,
    spec: IndexSpec[M],
    rows: Sequence[M],
    *,
    index: str | None = None,
    refused: list[dict[str, Any]] | None = None,
) -> int:
    """Upsert documents; an older (or the same) version never overwrites a newer one.

    With ``refused``, documents the engine refuses (``refuses_document``) are added to it
    instead of failing the write; any other failure raises ``IndexingError``."""
    target = index or engine.alias(spec.name)
    actions = [
        {
            "_op_type": "index",
            "_index": target,
            "_id": str(row.id),
            "version": spec.version_of(row),
            "version_type": "external",
            "_source": spec.from_row(row),
        }
        for row in rows
    ]
    if not actions:
        return 0
    written, errors = await async_bulk(
        engine.client, actions, raise_on_error=False, raise_on_exception=True
    )
    failures = [e for e in errors if _status(e) != VERSION_CONFLICT]  # type: ignore[union-attr]
    if refused is not None and all(refuses_document(f) for f in failures):
        refused += failures
        return int(written)
    if failures:
        raise IndexingError(target, failures)
    return int(written)


def _status(item: dict[str, Any]) -> int:
    return int(next(iter(item.values())).get("status", 0))


async def delete_ids(engine: SearchEngine, spec: IndexSpec[Any], ids: Sequence[uuid.UUID]) -> None:
    """Delete documents; a document that is already gone is success."""
    for id in ids:
        with contextlib.suppress(NotFoundError):
            await engine.client.delete(index=engine.alias(spec.name), id=str(id))


async def index_ids(
    engine: SearchEngine,
    sessionmaker: SessionMaker,
    spec: IndexSpec[M],
    ids: Sequence[uuid.UUID],
    *,
    refused: list[dict[str, Any]] | None = None,
) -> int:
    """Bring the documents of ``ids`` up to date from the database (deleting vanished rows);
    ``refused`` as for ``write_rows``."""
    written, seen = 0, set[uuid.UUID]()
    async for batch in row_batches(sessionmaker, spec, ids=ids):
        written += await write_rows(engine, spec, batch, refused=refused)
        seen.update(row.id for row in batch)
    await delete_ids(engine, spec, [i for i in ids if i not in seen])
    return written


async def _alias_targets(engine: SearchEngine, alias: str) -> list[str]:
    if not await engine.client.indices.exists_alias(name=alias):
        return []
    return sorted((await engine.client.indices.get_alias(name=alias)).keys())


async def rebuild(
    engine: SearchEngine, sessionmaker: SessionMaker, spec: IndexSpec[M], *, progress: bool = False
) -> int:
    """Build a new physical index from the database, then swap the alias atomically.

    Reads keep hitting the old index until the swap. A failed build deletes the half-built
    index and leaves the old one serving. Rows changed while the build ran are written again
    through the alias after the swap, so no change made during a rebuild is lost.

    A document the engine refuses (a row it cannot take, e.g. text with NUL) does not fail the
    build: it is left out, and recorded as a dead letter with the engine's reason
    (``greenrong events failed``), so one bad row stops neither start-up nor ``reindex``. The
    next change of the row indexes it again and resolves the dead letter.
    """
    alias = engine.alias(spec.name)
    started = utcnow()
    async with sessionmaker() as session:
        total = int(await session.scalar(select(func.count()).select_from(spec.model)) or 0)
    physical = await _create_physical(engine, spec)
    written = 0
    refused: list[dict[str, Any]] = []
    try:
        with tqdm(
            total=total, desc=f"index {spec.name:<12}", unit="doc", disable=not progress
        ) as bar:
            async for batch in row_batches(sessionmaker, spec):
                written += await write_rows(engine, spec, batch, index=physical, refused=refused)
                bar.update(len(batch))
        await engine.client.indices.refresh(index=physical)
        old = await _swap_alias(engine, alias, physical)
    except BaseException:
        await engine.client.indices.delete(index=physical, ignore_unavailable=True)
        raise
    for name in old:
        await engine.client.indices.delete(index=name, ignore_unavailable=True)
    await _settle_alias(engine, alias)
    await _dead_letters(sessionmaker, spec, refused)
    left_out = {uuid.UUID(str(next(iter(f.values()))["_id"])) for f in refused}
    await _catch_up(engine, sessionmaker, spec, since=started - timedelta(seconds=1), skip=left_out)
    log.info("rebuilt %s: %d documents in %s", alias, written, physical)
    return written


#: how often a swap reads the alias again when a target it named vanished meanwhile
_SWAP_ATTEMPTS = 5


async def _swap_alias(
    engine: SearchEngine,
    alias: str,
    physical: str,
    targets: Callable[[SearchEngine, str], Awaitable[list[str]]] = _alias_targets,
) -> list[str]:
    """Point ``alias`` at ``physical`` alone, atomically; returns the indices it left.

    Another process that rebuilds the same index at the same time (API processes starting
    together, a worker) may swap the alias and delete the old index between this process's
    read of the ``targets`` and its swap: the swap then names an index that no longer exists
    and the engine refuses all of it (404). The targets are read again and the swap retried."""
    attempt = 1
    while True:
        old = await targets(engine, alias)
        actions: list[dict[str, Any]] = [{"add": {"index": physical, "alias": alias}}]
        actions += [{"remove": {"index": name, "alias": alias}} for name in old]
        try:
            await engine.client.indices.update_aliases(body={"actions": actions})
            return old
        except NotFoundError:
            if attempt >= _SWAP_ATTEMPTS or not await engine.client.indices.exists(index=physical):
                raise
            log.info("a target of %s vanished during the swap; reading the alias again", alias)
        attempt += 1


#: the longest engine reason kept in a dead letter (as the indexing worker keeps)
_REASON_LIMIT = 2000


async def _dead_letters(
    sessionmaker: SessionMaker, spec: IndexSpec[Any], refused: list[dict[str, Any]]
) -> None:
    """Record each refused document as a dead letter of its entity, with the engine's item
    error as the reason (no change event led to it: a rebuild read the row)."""
    if not refused:
        return
    now = utcnow()
    async with system_sessionmaker(sessionmaker).begin() as session:
        for failure in refused:
            item = next(iter(failure.values()))
            entity_id = uuid.UUID(str(item["_id"]))
            reason = refusal_reason(item)
            log.warning(
                "the search engine refused %s %s; left out of %s and recorded as a dead letter: %s",
                spec.entity_type,
                entity_id,
                spec.name,
                reason,
            )
            await record_dead_letter(
                session,
                entity_type=spec.entity_type,
                entity_id=entity_id,
                event_ids=[],
                error=reason[:_REASON_LIMIT],
                now=now,
            )


def refusal_reason(item: dict[str, Any]) -> str:
    """The engine's reason for refusing one bulk item, the most telling part first:
    ``mapper_parsing_exception: failed to parse; illegal_argument_exception: Illegal input …
    (status 400)``."""
    parts: list[str] = []
    error: Any = item.get("error")
    while isinstance(error, dict):
        parts.append(f"{error.get('type')}: {error.get('reason')}")
        error = error.get("caused_by")
    if error is not None:
        parts.append(str(error))
    return f"{'; '.join(parts) or 'refused'} (status {item.get('status')})"


async def _create_physical(engine: SearchEngine, spec: IndexSpec[Any]) -> str:
    """A new, empty physical index with the spec's settings and mapping; its name."""
    physical = f"{engine.alias(spec.name)}-{utcnow().strftime('%Y%m%d%H%M%S%f')}"
    await engine.client.indices.create(index=physical, body=spec.body())
    return physical


async def create_empty(engine: SearchEngine, spec: IndexSpec[Any]) -> None:
    """Create the index empty behind its alias, so writes land in the real mapping."""
    physical = await _create_physical(engine, spec)
    alias = engine.alias(spec.name)
    await engine.client.indices.update_aliases(
        body={"actions": [{"add": {"index": physical, "alias": alias}}]}
    )
    await _settle_alias(engine, alias)


async def _settle_alias(engine: SearchEngine, alias: str) -> None:
    """Leave the alias on one index: the newest.

    Two processes that start at once (an API and a worker) may both build an index and both
    swap the alias, each removing only the targets it saw, so the alias can end up on two
    indices and every search counts each document twice. Physical names end in their build
    time, so every process agrees on the newest, and the others are dropped.
    """
    targets = await _alias_targets(engine, alias)
    if len(targets) <= 1:
        return
    stale = [name for name in targets if name != max(targets)]
    actions = [{"remove": {"index": name, "alias": alias}} for name in stale]
    with contextlib.suppress(NotFoundError):
        await engine.client.indices.update_aliases(body={"actions": actions})
    for name in stale:
        await engine.client.indices.delete(index=name, ignore_unavailable=True)


async def _catch_up(
    engine: SearchEngine,
    sessionmaker: SessionMaker,
    spec: IndexSpec[M],
    *,
    since: Any,
    skip: set[uuid.UUID],
) -> None:
    """Write the rows changed since ``since`` again, but those of ``skip`` (the build's
    dead letters: the engine refused them a moment ago)."""
    async with sessionmaker() as session:
        changed = await session.scalars(select(spec.model.id).where(spec.model.updated_at >= since))
        ids = [id for id in changed if id not in skip]
    refused: list[dict[str, Any]] = []
    if ids:
        await index_ids(engine, sessionmaker, spec, ids, refused=refused)
    await _dead_letters(sessionmaker, spec, refused)


async def document_count(engine: SearchEngine, spec: IndexSpec[Any]) -> int | None:
    """Documents behind the alias, or None when the alias does not exist (one request: a
    count on a missing alias is a 404; start-up asks this of every index)."""
    try:
        return int((await engine.client.count(index=engine.alias(spec.name)))["count"])
    except NotFoundError:
        return None


async def ensure_ready(
    engine: SearchEngine,
    sessionmaker: SessionMaker,
    specs: Sequence[IndexSpec[Any]],
    *,
    progress: bool = False,
    fill: bool = True,
) -> list[str]:
    """At start-up: rebuild every index that is missing, or empty while the database is not.

    With ``fill=False`` (``search_rebuild_on_start`` off) a missing index is only created
    empty and an empty one is left alone: ``greenrong reindex`` fills them.
    """
    rebuilt: list[str] = []
    for spec in specs:
        documents = await document_count(engine, spec)
        if not fill:
            if documents is None:
                await create_empty(engine, spec)
            continue
        if documents is None:
            await rebuild(engine, sessionmaker, spec, progress=progress)
            rebuilt.append(spec.name)
        elif documents == 0:
            async with sessionmaker() as session:
                rows = await session.scalar(select(func.count()).select_from(spec.model))
            if rows:
                await rebuild(engine, sessionmaker, spec, progress=progress)
                rebuilt.append(spec.name)
    return rebuilt
