"""Saved-search alerts, in the indexing handler right after a batch of listings was written.

osmem-server has no ``percolate`` query, so the saved searches are not indexed as queries.
Instead, for each batch of changed listings, every active saved search runs once against just
those listings: its own query (built by ``indexers.kit.query.build``, the builder of
``searchTechnologyListings``, with the owner's access scope) AND an ``ids`` filter of the
batch's listing ids. They go in one ``msearch`` request per ``chunk`` saved searches (200 by
default, so one request stays well inside the search timeout: on osmem-server each saved
search costs time in proportion to the size of the index, whatever the ids filter; 10,000
saved searches are 50 requests; see
``bench/partners/alerts.py`` and docs/PARTNERS.md). The hits are each search's current
matches among the batch; ``saved_searches.record_matches`` turns the new ones into alerts.

A failure of the engine (unreachable, 429, 5xx) is raised, so the whole batch is retried,
indexing included; the retry finds the match sets already updated for anything that was
committed, so it raises no alert twice.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from opensearchpy.exceptions import TransportError

from greenrong.domain.access import policy
from greenrong.domain.access.predicates import Consented, consenting_enterprises
from greenrong.domain.kit.types import utcnow
from greenrong.domain.partners import feed, saved_searches
from greenrong.domain.partners.live import nudge_local_hubs, open_transport
from greenrong.domain.partners.models import ListingAlert, SavedSearch
from greenrong.indexers.kit import access as search_access
from greenrong.indexers.kit import query as search_query
from greenrong.indexers.kit.query import TIEBREAKER, Bounds, QuerySpec, Range, SearchRequest
from greenrong.indexers.listings.queries import LISTING_QUERIES
from greenrong.workers.runtime import Runtime

log = logging.getLogger(__name__)

#: saved searches per msearch request
MSEARCH_CHUNK = 200


def stored_filters(spec: QuerySpec, stored: dict[str, Any]) -> dict[str, Any]:
    """A saved search's filter values back as ``build`` takes them (ranges as ``Bounds``)."""
    return {
        name: Bounds(**value) if isinstance(spec.filters.get(name), Range) else value
        for name, value in stored.items()
    }


def matching_body(
    row: SavedSearch, listing_ids: Sequence[uuid.UUID], access: dict[str, Any] | None
) -> dict[str, Any]:
    """One saved search as a search of just ``listing_ids``: the request body that
    ``searchTechnologyListings`` sends for the same query and filter, limited to those ids,
    without what does not decide the hits (facets, highlights, scores, totals)."""
    ids = {"ids": {"values": [str(i) for i in listing_ids]}}
    request = SearchRequest(
        text=row.query,
        filters=stored_filters(LISTING_QUERIES, row.filters),
        size=len(listing_ids),
        scope=(ids,) if access is None else (access, ids),
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


async def current_matches(
    runtime: Runtime, listing_ids: Sequence[uuid.UUID], *, chunk: int = MSEARCH_CHUNK
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Per active saved search, which of ``listing_ids`` it matches now (one msearch per
    ``chunk`` saved searches). A saved search whose own search failed for good (a bad stored
    query, or one that can no longer be built) is left out and logged, so its match set stays
    as it was."""
    alias = runtime.search.alias(LISTING_QUERIES.index)
    scopes = _Scopes(runtime)
    matched: dict[uuid.UUID, set[uuid.UUID]] = {}
    after: uuid.UUID | None = None
    refreshed = False
    while True:
        async with runtime.sessionmaker() as session:
            rows = await saved_searches.active_chunk(session, after_id=after, limit=chunk)
        if not rows:
            break
        if not refreshed:  # the batch's documents were just written: make them searchable
            await runtime.search.client.indices.refresh(index=alias)
            refreshed = True
        runnable: list[SavedSearch] = []
        bodies: list[dict[str, Any]] = []
        for row in rows:
            try:
                bodies.append(matching_body(row, listing_ids, await scopes.of(row)))
            except (ValueError, TypeError, KeyError) as exc:  # a stored search we cannot build
                log.warning("saved search %s cannot be built, skipped: %s", row.id, exc)
                continue
            runnable.append(row)
        answer = (
            await runtime.search.client.msearch(body=msearch_lines(alias, bodies))
            if bodies
            else {"responses": []}
        )
        for row, result in zip(runnable, answer["responses"], strict=True):
            if "error" in result:
                status = result.get("status")
                if isinstance(status, int) and (status == 429 or status >= 500):
                    raise TransportError(status, "msearch item failed", result)
                log.warning("saved search %s cannot run: %s", row.id, result["error"])
                continue
            matched[row.id] = {uuid.UUID(str(hit["_id"])) for hit in result["hits"]["hits"]}
        after = rows[-1].id
        if len(rows) < chunk:
            break
    return matched


async def alert_on_listings(
    runtime: Runtime, listing_ids: Sequence[uuid.UUID]
) -> list[ListingAlert]:
    """Match the changed listings against every active saved search and store the alerts
    (with their webhook deliveries) in one transaction; then wake subscriptions and webhook
    dispatchers in every process."""
    ids = sorted(set(listing_ids))
    if not ids:
        return []
    matched = await current_matches(runtime, ids)
    if not matched:
        return []
    async with runtime.sessionmaker.begin() as session:
        alerts = await saved_searches.record_matches(
            session, listing_ids=ids, matched=matched, now=utcnow()
        )
    if alerts:
        await announce(runtime)
    return alerts


async def announce(runtime: Runtime) -> None:
    """Wake listingAlerts subscriptions and webhook dispatchers: those of this process at once
    (embedded mode), and those of other processes over the live transport (Redis pub/sub or
    PostgreSQL NOTIFY). A hint only: they also poll."""
    nudge_local_hubs()
    settings = runtime.settings
    transport = open_transport(
        settings.effective_database_url,
        settings.broker_url,
        timeout=settings.broker_timeout_seconds,
    )
    try:
        async with runtime.sessionmaker() as session:
            head = await feed.head(session)
        await transport.send(head)
    except Exception:
        log.warning("could not announce new alerts to other processes", exc_info=True)
    finally:
        await transport.close()
