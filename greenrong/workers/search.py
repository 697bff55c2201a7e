"""The indexing handler: change event ids in, documents brought up to date out.

It takes ids, re-reads the rows, and is safe to run twice: documents carry the entity version
with external versioning, so a replayed or late event never overwrites a newer document.
Failures are sorted by ``core.retry`` into retryable ones (the engine or database is
unreachable, 429, 5xx, timeouts), which are raised so the caller retries, and terminal ones,
which become dead letters. Indexing is all it does: saved-search alerts and identification
suggestions are feed consumers of their own (``workers/consumers.py``).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greenrong.core.retry import is_retryable
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import repository
from greenrong.indexers.kit import reference
from greenrong.indexers.kit.source import dependent_ids
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.kit.store import IndexingError, ensure_ready, index_ids, refusal_reason
from greenrong.indexers.registry import INDEXES, REFERENCE_INDEXES
from greenrong.workers.runtime import Runtime

log = logging.getLogger(__name__)

#: the longest error text kept in a dead letter
ERROR_LIMIT = 2000


@dataclass(frozen=True)
class Failure:
    """A terminal failure of one entity's document."""

    entity_type: str
    entity_id: uuid.UUID
    error: str


def _item(failure: dict[str, Any]) -> dict[str, Any]:
    """The body of one bulk item error: ``{"index": {...}}`` -> ``{...}``."""
    body: dict[str, Any] = next(iter(failure.values()), {})
    return body


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


async def ensure_indices(runtime: Runtime) -> None:
    """Create (and fill) missing indices once per runtime, so that a write never lands in an
    index the engine made up on the fly (for example after it was unreachable at start-up)."""
    if not runtime.indices_ready:
        await ensure_ready(
            runtime.search,
            runtime.sessionmaker,
            list(INDEXES.values()),
            fill=runtime.settings.search_rebuild_on_start,
        )
        await reference.ensure_ready(runtime.search, list(REFERENCE_INDEXES.values()))
        runtime.indices_ready = True


async def sync_entities(
    runtime: Runtime, spec: IndexSpec[Any], ids: Sequence[uuid.UUID]
) -> list[Failure]:
    """Bring the documents of ``ids`` up to date; the terminal failures, per entity.

    Raises retryable errors. A terminal error of the whole request is narrowed down by
    writing the entities one at a time, so one bad row does not take the batch with it.
    """
    try:
        await index_ids(runtime.search, runtime.sessionmaker, spec, ids)
    except Exception as exc:
        if is_retryable(exc):
            raise
        if isinstance(exc, IndexingError):
            return [
                Failure(
                    spec.entity_type,
                    uuid.UUID(str(_item(f)["_id"])),
                    refusal_reason(_item(f))[:ERROR_LIMIT],
                )
                for f in exc.failures
            ]
        if len(ids) > 1:
            failures: list[Failure] = []
            for id in ids:
                failures += await sync_entities(runtime, spec, [id])
            return failures
        log.warning("indexing %s %s failed for good: %s", spec.entity_type, ids[0], exc)
        return [Failure(spec.entity_type, ids[0], _describe(exc))]
    return []


async def index_changes(runtime: Runtime, event_ids: Sequence[uuid.UUID]) -> list[Failure]:
    """Handle a batch of change events: one bulk write per index, then finish the events.

    Terminal failures are recorded as dead letters (and their events finished too: the dead
    letter now holds them); an entity that succeeds resolves its dead letter, if it had one.
    Retryable failures are raised and leave every event unfinished.
    """
    async with runtime.sessionmaker() as session:
        events = await repository.events_by_ids(session, event_ids)
    if not events:
        return []
    await ensure_indices(runtime)
    targets: dict[str, set[uuid.UUID]] = defaultdict(set)
    events_of: dict[tuple[str, uuid.UUID], list[uuid.UUID]] = defaultdict(list)
    for event in events:
        targets[event.entity_type].add(event.entity_id)
        events_of[(event.entity_type, event.entity_id)].append(event.id)
    for dependent in INDEXES.values():  # documents that copy fields of a changed parent
        if dependent.depends_on is not None:
            parents = targets.get(dependent.depends_on.parent.entity_type)
            if parents:
                children = await dependent_ids(runtime.sessionmaker, dependent, sorted(parents))
                targets[dependent.entity_type].update(children)
    failures: list[Failure] = []
    for entity_type, ids in sorted(targets.items()):
        spec = INDEXES.get(entity_type)
        if spec is not None:  # entities without an index need nothing
            failures += await sync_entities(runtime, spec, sorted(ids))
    failed = {(f.entity_type, f.entity_id) for f in failures}
    now = utcnow()
    async with runtime.sessionmaker.begin() as session:
        for entity_type, ids in sorted(targets.items()):
            # a replayed dead letter that went through now: it is resolved
            synced = [i for i in ids if (entity_type, i) not in failed]
            await repository.resolve_dead_letters(session, entity_type, synced)
        for failure in failures:
            await repository.record_dead_letter(
                session,
                entity_type=failure.entity_type,
                entity_id=failure.entity_id,
                event_ids=events_of.get((failure.entity_type, failure.entity_id), []),
                error=failure.error,
                now=now,
            )
        await repository.mark_done(session, [event.id for event in events], now=now)
    return failures
