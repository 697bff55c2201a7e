"""Saved-search alerts: the ``alerts.match`` feed consumer (``workers/consumers.py``).

It takes the ids of listings that changed (its own position in the change feed, apart from
indexing) and finds which active saved searches each now matches, at a cost that follows the
batch, not the index: the batch's listings are written, from the database and by the same
document builder as the listings index, into a small **scratch index** with the listings
index's settings and mapping, and every active saved search runs against just those documents:
its own query (built by ``indexers.kit.query.build``, the builder of
``searchTechnologyListings``, with the owner's access scope) AND an ``ids`` filter of this
run's scratch documents. They go in one ``msearch`` request per ``chunk`` saved searches. The
scratch documents are deleted afterwards. Works alike on osmem-server (which has no
``percolate`` query) and on OpenSearch.

The hits are each search's current matches among the batch; ``saved_searches.record_matches``
turns the new ones into alerts, so a batch handled twice raises nothing twice. A listing whose
scratch document cannot be written for good becomes a dead letter of this consumer. Figures:
``bench/partners/alerts.py``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy.exceptions import TransportError
from opensearchpy.helpers import async_bulk

from greenrong.core.retry import retryable_status
from greenrong.domain.access import policy
from greenrong.domain.access.predicates import Consented, consenting_enterprises
from greenrong.domain.kit.types import utcnow
from greenrong.domain.partners import feed, saved_searches
from greenrong.domain.partners.live import nudge_local_hubs
from greenrong.domain.partners.models import SavedSearch
from greenrong.domain.technology.models import TechnologyListing
from greenrong.indexers.kit import access as search_access
from greenrong.indexers.kit import query as search_query
from greenrong.indexers.kit.query import TIEBREAKER, Bounds, QuerySpec, Range, SearchRequest
from greenrong.indexers.kit.source import row_batches
from greenrong.indexers.kit.store import IndexingError
from greenrong.indexers.listings.document import LISTINGS
from greenrong.indexers.listings.queries import LISTING_QUERIES
from greenrong.workers.consumers import Consumer
from greenrong.workers.runtime import Runtime
from greenrong.workers.search import ERROR_LIMIT, Failure

log = logging.getLogger(__name__)

LISTING = TechnologyListing.entity_type

#: saved searches per msearch request
MSEARCH_CHUNK = 200


def stored_filters(spec: QuerySpec, stored: dict[str, Any]) -> dict[str, Any]:
    """A saved search's filter values back as ``build`` takes them (ranges as ``Bounds``)."""
    return {
        name: Bounds(**value) if isinstance(spec.filters.get(name), Range) else value
        for name, value in stored.items()
    }


def matching_body(
    row: SavedSearch,
    access: dict[str, Any] | None,
    *,
    size: int,
    document_ids: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One saved search as the request body that ``searchTechnologyListings`` sends for the
    same query and filter, for up to ``size`` hits (limited to ``document_ids`` when given),
    without what does not decide the hits (facets, highlights, scores, totals)."""
    scope: list[dict[str, Any]] = [] if access is None else [access]
    if document_ids is not None:
        scope.append({"ids": {"values": list(document_ids)}})
    request = SearchRequest(
        text=row.query,
        filters=stored_filters(LISTING_QUERIES, row.filters),
        size=size,
        scope=tuple(scope),
    )
    body = search_query.build(LISTING_QUERIES, request)
    for key in ("aggs", "highlight", "track_scores"):
        body.pop(key, None)
    body["track_total_hits"] = False
    body["sort"] = [TIEBREAKER]
    return body


class _Scopes:
    """Owners' access scopes as filter clauses, each consent lookup done once per batch."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._consented: dict[Consented, list[uuid.UUID]] = {}

    async def of(self, row: SavedSearch) -> dict[str, Any] | None:
        visible = policy.visible_rows(saved_searches.owner_principal(row), row.entity_type)
        for need in search_access.consent_needs(visible):
            if need not in self._consented:
                async with self.runtime.sessionmaker() as session:
                    query = consenting_enterprises(need.institution_id, need.scope, utcnow())
                    self._consented[need] = list((await session.scalars(query)).all())
        return search_access.to_filter(visible, self._consented)


def msearch_lines(alias: str, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``msearch`` body: a header line and a search line per saved search."""
    lines: list[dict[str, Any]] = []
    for body in bodies:
        lines += [{"index": alias}, body]
    return lines


def msearch_bytes(lines: Sequence[dict[str, Any]]) -> int:
    """The size of an msearch request as NDJSON (what goes over the wire)."""
    return sum(len(json.dumps(line, ensure_ascii=False).encode()) + 1 for line in lines)


#: the scratch indices' name prefix (after the deployment's index prefix)
SCRATCH = "alerts-scratch"


#: a scratch index older than this was left by a run that died before dropping it (a run
#: lasts seconds; our own assumption, with a wide margin)
SCRATCH_STALE = timedelta(hours=1)


async def sweep_scratch(runtime: Runtime, *, now: datetime | None = None) -> list[str]:
    """Drop the scratch indices created more than ``SCRATCH_STALE`` ago: a process that died
    mid-run (killed, out of memory) never reached its ``finally``. Runs on a runtime's first
    scratch index; returns the names dropped. Judged by the engine's own ``creation_date``,
    so indices of every process and version are swept alike, and a live run's never."""
    now = now or utcnow()
    found: dict[str, Any] = await runtime.search.client.indices.get(
        index=f"{runtime.search.prefix}-{SCRATCH}-*",
        allow_no_indices=True,
        ignore_unavailable=True,
    )
    stale = [name for name, index in found.items() if now - _created(index) > SCRATCH_STALE]
    for name in stale:
        await drop_scratch(runtime, name)
    if stale:
        log.warning("dropped %d stale alerts scratch index(es): %s", len(stale), ", ".join(stale))
    return stale


def _created(index: dict[str, Any]) -> datetime:
    millis = int(index["settings"]["index"]["creation_date"])
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


async def open_scratch(runtime: Runtime) -> str:
    """A new, empty scratch index of this run, with the settings and mapping of the listings
    index it stands in for; its name. A runtime's first one sweeps stale ones first."""
    if not runtime.scratch_swept:
        await sweep_scratch(runtime)
        runtime.scratch_swept = True
    name = f"{runtime.search.prefix}-{SCRATCH}-{uuid.uuid4().hex}"
    await runtime.search.client.indices.create(index=name, body=LISTINGS.body())
    return name


async def drop_scratch(runtime: Runtime, name: str) -> None:
    await runtime.search.client.indices.delete(index=name, ignore_unavailable=True)


@dataclass(frozen=True)
class Written:
    """The batch's documents in the scratch index: scratch id -> listing id, and the listings
    whose document could not be written for good."""

    ids: dict[str, uuid.UUID]
    failures: list[Failure]


async def _write_scratch(runtime: Runtime, name: str, listing_ids: Sequence[uuid.UUID]) -> Written:
    """Write the listings' current documents (the indexer's own source and builder) and make
    them searchable."""
    actions: list[dict[str, Any]] = []
    ids: dict[str, uuid.UUID] = {}
    async for rows in row_batches(runtime.sessionmaker, LISTINGS, ids=listing_ids):
        for row in rows:
            scratch_id = str(row.id)
            ids[scratch_id] = row.id
            actions.append(
                {
                    "_op_type": "index",
                    "_index": name,
                    "_id": scratch_id,
                    "_source": LISTINGS.from_row(row),
                }
            )
    failures: list[Failure] = []
    if actions:
        _, errors = await async_bulk(
            runtime.search.client, actions, raise_on_error=False, raise_on_exception=True
        )
        items: list[dict[str, Any]] = list(errors)  # type: ignore[arg-type]
        if items:
            error = IndexingError(name, items)
            if error.retryable:
                raise error
            for item in items:
                body: dict[str, Any] = next(iter(item.values()))
                listing = ids.pop(str(body["_id"]))
                failures.append(Failure(LISTING, listing, str(item)[:ERROR_LIMIT]))
        await runtime.search.client.indices.refresh(index=name)
    return Written(ids, failures)


async def current_matches(
    runtime: Runtime, listing_ids: Sequence[uuid.UUID], *, chunk: int = MSEARCH_CHUNK
) -> tuple[dict[uuid.UUID, set[uuid.UUID]], list[Failure]]:
    """Per active saved search, which of ``listing_ids`` it matches now (one msearch per
    ``chunk`` saved searches against the batch in the scratch index), and the listings whose
    document could not be written for good (left out). A saved search whose own search failed
    for good (a bad stored query, or one that can no longer be built) is left out and logged,
    so its match set stays as it was."""
    name = await open_scratch(runtime)
    try:
        written = await _write_scratch(runtime, name, listing_ids)
        matched = await _search_scratch(runtime, name, written.ids, chunk=chunk)
    finally:
        await drop_scratch(runtime, name)
    return matched, written.failures


def conditions(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The conditions a document must meet to be a hit of ``body`` (a ``matching_body``):
    its text query, each filter clause (scope and narrowing filters) and its post filter. A
    ``bool`` query with ``must`` and ``filter`` clauses, and a post filter after it, matches
    exactly the documents that match every one of them."""
    query = body["query"]["bool"]
    found = [*query.get("must", []), *query.get("filter", [])]
    if "post_filter" in body:
        found.append(body["post_filter"])
    return found


def _key(condition: dict[str, Any]) -> str:
    return json.dumps(condition, sort_keys=True, ensure_ascii=False, default=str)


async def _search_scratch(
    runtime: Runtime, name: str, documents: dict[str, uuid.UUID], *, chunk: int
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Every active saved search's hits among ``documents``.

    Saved searches share most of their conditions (the same words, domains, regions, access
    scopes), so each distinct condition is searched once, in filter context, and each saved
    search's hits are the documents that meet all of its conditions. ``chunk`` distinct
    conditions go in one msearch request.
    """
    scopes = _Scopes(runtime)
    needs: dict[uuid.UUID, list[str]] = {}
    distinct: dict[str, dict[str, Any]] = {}
    after: uuid.UUID | None = None
    while True:
        async with runtime.sessionmaker() as session:
            rows = await saved_searches.active_chunk(session, after_id=after, limit=chunk)
        for row in rows:
            try:
                body = matching_body(row, await scopes.of(row), size=len(documents))
            except (ValueError, TypeError, KeyError) as exc:  # a stored search we cannot build
                log.warning("saved search %s cannot be built, skipped: %s", row.id, exc)
                continue
            keys = []
            for condition in conditions(body):
                key = _key(condition)
                distinct.setdefault(key, condition)
                keys.append(key)
            needs[row.id] = keys
        if len(rows) < chunk:
            break
        after = rows[-1].id
    if not documents:  # nothing to match: every search matches nothing
        return {search: set() for search in needs}
    met = await _meet(runtime, name, distinct, size=len(documents), chunk=chunk)
    matched: dict[uuid.UUID, set[uuid.UUID]] = {}
    for search, keys in needs.items():
        if any(key not in met for key in keys):
            continue  # one of its conditions cannot run (logged): its match set stays
        found = set(documents) if not keys else set.intersection(*(met[key] for key in keys))
        matched[search] = {documents[i] for i in found}
    return matched


async def _meet(
    runtime: Runtime, name: str, distinct: dict[str, dict[str, Any]], *, size: int, chunk: int
) -> dict[str, set[str]]:
    """The scratch documents (ids) that meet each condition; a condition whose search failed
    for good is left out and logged; a retryable failure is raised."""
    keys = list(distinct)
    met: dict[str, set[str]] = {}
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        bodies = [
            {
                "query": {"bool": {"filter": [distinct[key]]}},
                "size": size,
                "_source": False,
                "track_total_hits": False,
            }
            for key in part
        ]
        answer = await runtime.search.client.msearch(body=msearch_lines(name, bodies))
        for key, result in zip(part, answer["responses"], strict=True):
            if "error" in result:
                status = result.get("status")
                if retryable_status(status):
                    raise TransportError(status, "msearch item failed", result)
                log.warning("a saved-search condition cannot run: %s", result["error"])
                continue
            met[key] = {str(hit["_id"]) for hit in result["hits"]["hits"]}
    return met


async def match_listings(runtime: Runtime, listing_ids: Sequence[uuid.UUID]) -> list[Failure]:
    """The ``alerts.match`` handler: match the changed listings against every active saved
    search and store the alerts (with their webhook deliveries) in one transaction; then wake
    subscriptions and webhook dispatchers in every process. The listings it failed on for good
    (they become dead letters of this consumer)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return []
    matched, failures = await current_matches(runtime, ids)
    failed = {f.entity_id for f in failures}
    checked = [i for i in ids if i not in failed]
    if not matched or not checked:
        return failures
    async with runtime.sessionmaker.begin() as session:
        alerts = await saved_searches.record_matches(
            session, listing_ids=checked, matched=matched, now=utcnow()
        )
    if alerts:
        await announce(runtime)
    return failures


async def announce(runtime: Runtime) -> None:
    """Wake listingAlerts subscriptions and webhook dispatchers: those of this process at once
    (embedded mode), and those of other processes over the runtime's live transport (Redis
    pub/sub or PostgreSQL NOTIFY). A hint only: they also poll."""
    nudge_local_hubs()
    try:
        async with runtime.sessionmaker() as session:
            head = await feed.head(session)
        await runtime.transport().send(head)
    except Exception:
        log.warning("could not announce new alerts to other processes", exc_info=True)


#: the consumer: its feed position, dead letters and actor (``workers/consumers.py``)
ALERTS = Consumer(
    name="alerts",
    entity_type=LISTING,
    handle=match_listings,
    actor_name="alerts.match",
    queue_name="alerts",
)
