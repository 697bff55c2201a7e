"""Saved searches and their alerts: the rules (their SQL is in ``repository.py``).

- ``create`` stores a search for its owner (``Principal.identity``), with the owner's role and
  organisation, so alerts are limited to the listings that owner may see.
- ``record_matches`` is the alerting step the worker runs after a batch of listings was
  indexed and searched (``workers/alerts.py``): a listing that matches a saved search and was
  not in that search's match set enters it and raises one alert; one that stays matching
  raises none; one that stops matching leaves the set (so matching again later alerts
  again). The saved search's row is locked while its alerts are numbered, so ``seq`` is
  gap-free and commits in order, and running the same batch twice finds the set already
  updated and raises nothing (at-least-once upstream, idempotent here).
- Each alert becomes a webhook delivery to each of its owner's enabled endpoints that take
  technology listings, in the same transaction, sent by the ordinary webhook machinery.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector, NotFound, ValidationFailed
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.kit.jsonable import pack_cursor, unpack_cursor
from greenrong.domain.partners import feed, repository
from greenrong.domain.partners.models import (
    DeliveryStatus,
    ListingAlert,
    SavedSearch,
    SavedSearchMatch,
    SavedSearchStatus,
    WebhookDelivery,
)
from greenrong.domain.technology.models import TechnologyListing

LISTING = TechnologyListing.entity_type
#: saved searches one owner may keep (each costs one msearch body per changed batch)
MAX_PER_OWNER = 100
NAME_LIMIT = 200
QUERY_LIMIT = 500
_PAGE_TAG = "saved"
_ALERT_TAG = "alert"


# --- saving and managing --------------------------------------------------------------------


def validate(*, name: str, query: str | None, filters: Mapping[str, Any]) -> None:
    """Typed problems with a search to save (the filter itself was checked by the same code
    that checks ``searchTechnologyListings``' filter)."""
    issues = IssueCollector()
    if len(name) > NAME_LIMIT:
        issues.add("name", ErrorCode.OUT_OF_RANGE, f"at most {NAME_LIMIT} characters")
    if query is not None and len(query) > QUERY_LIMIT:
        issues.add("query", ErrorCode.OUT_OF_RANGE, f"at most {QUERY_LIMIT} characters")
    elif not (query and query.strip()) and not filters:
        issues.add(
            "query",
            ErrorCode.REQUIRED,
            "give a query or a filter: an empty search matches every listing",
        )
    issues.raise_if_any()


async def create(
    session: AsyncSession,
    *,
    owner: str,
    principal: Principal,
    name: str,
    query: str | None,
    filter_input: dict[str, Any],
    filters: dict[str, Any],
) -> SavedSearch:
    """A new active saved search of technology listings."""
    validate(name=name, query=query, filters=filters)
    kept = await count(session, owner=owner)
    if kept >= MAX_PER_OWNER:
        raise ValidationFailed.one(
            "input", ErrorCode.OUT_OF_RANGE, f"at most {MAX_PER_OWNER} saved searches per owner"
        )
    row = SavedSearch(
        owner=owner,
        owner_role=principal.role.value,
        owner_org_id=principal.org_id,
        entity_type=LISTING,
        name=name,
        query=query.strip() if query and query.strip() else None,
        filter_input=filter_input,
        filters=filters,
        status=SavedSearchStatus.ACTIVE,
        last_alert_seq=0,
    )
    session.add(row)
    await session.flush()
    return row


def owner_principal(row: SavedSearch) -> Principal:
    """The owner as the access policy sees it (its role and organisation when it saved)."""
    return Principal(role=Role(row.owner_role), org_id=row.owner_org_id)


async def get_own(session: AsyncSession, saved_search_id: uuid.UUID, *, owner: str) -> SavedSearch:
    """The owner's saved search; NotFound for a missing one and for another owner's (which is
    not revealed)."""
    row = await session.get(SavedSearch, saved_search_id)
    if row is None or row.owner != owner:
        raise NotFound("SavedSearch", saved_search_id)
    return row


async def set_status(
    session: AsyncSession, saved_search_id: uuid.UUID, *, owner: str, status: SavedSearchStatus
) -> SavedSearch:
    """Pause (no matching, no alerts) or resume a saved search."""
    row = await get_own(session, saved_search_id, owner=owner)
    row.status = status
    await session.flush()
    return row


async def delete_own(session: AsyncSession, saved_search_id: uuid.UUID, *, owner: str) -> None:
    """Delete a saved search with its matches, alerts and their webhook deliveries."""
    row = await get_own(session, saved_search_id, owner=owner)
    await repository.delete_saved_search(session, row)
    await session.flush()


@dataclass(frozen=True)
class SavedSearchPage:
    rows: list[SavedSearch]
    cursors: list[str]
    has_next: bool


def _page_cursor(row: SavedSearch) -> str:
    return pack_cursor([_PAGE_TAG, row.created_at.isoformat(), str(row.id)])


def _decode_page_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    problem = ValidationFailed.one("after", ErrorCode.INVALID_CURSOR, "not a saved-search cursor")
    try:
        tag, created_at, id = unpack_cursor(cursor)
        if tag != _PAGE_TAG:
            raise ValueError(tag)
        return datetime.fromisoformat(created_at), uuid.UUID(id)
    except (ValueError, TypeError) as exc:
        raise problem from exc


async def page(
    session: AsyncSession, *, owner: str, first: int, after: str | None
) -> SavedSearchPage:
    """The owner's saved searches, newest first, ``first`` after the cursor ``after``."""
    before = None if after is None else _decode_page_cursor(after)
    rows = await repository.saved_searches_of(session, owner, before=before, limit=first + 1)
    kept = rows[:first]
    return SavedSearchPage(kept, [_page_cursor(r) for r in kept], len(rows) > first)


async def count(session: AsyncSession, *, owner: str) -> int:
    return await repository.saved_search_count(session, owner)


async def alert_counts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many alerts each saved search raised (0 for none), in one statement."""
    found = await repository.alert_counts(session, ids)
    return {i: found.get(i, 0) for i in ids}


# --- alerts: cursors and reading --------------------------------------------------------------


def encode_alert_cursor(seq: int) -> str:
    """The opaque cursor of an alert (its place among its saved search's alerts)."""
    return pack_cursor([_ALERT_TAG, seq])


def decode_alert_cursor(cursor: str | None, *, argument: str = "after") -> int:
    """The ``seq`` of an alert cursor (0, the start, for None); INVALID_CURSOR otherwise."""
    if cursor is None:
        return 0
    problem = ValidationFailed.one(argument, ErrorCode.INVALID_CURSOR, "not a listing-alert cursor")
    try:
        tag, seq = unpack_cursor(cursor)
    except (ValueError, TypeError) as exc:
        raise problem from exc
    if tag != _ALERT_TAG or not isinstance(seq, int) or seq < 0:
        raise problem
    return seq


async def alerts_after(
    session: AsyncSession, saved_search_id: uuid.UUID, *, after: int, limit: int
) -> list[ListingAlert]:
    """A saved search's alerts after ``seq`` ``after``, in ``seq`` order."""
    return await repository.alerts_after(session, saved_search_id, after=after, limit=limit)


# --- matching (the worker's side) -----------------------------------------------------------


async def active_chunk(
    session: AsyncSession, *, after_id: uuid.UUID | None, limit: int
) -> list[SavedSearch]:
    """Up to ``limit`` active listing searches after ``after_id``, in id order (the worker
    walks all of them in chunks, one msearch per chunk)."""
    return await repository.active_saved_searches(session, LISTING, after_id=after_id, limit=limit)


async def record_matches(
    session: AsyncSession,
    *,
    listing_ids: Sequence[uuid.UUID],
    matched: Mapping[uuid.UUID, set[uuid.UUID]],
    now: datetime,
) -> list[ListingAlert]:
    """Bring the match sets of the searched saved searches (``matched``'s keys) up to date for
    ``listing_ids``, and raise an alert for each listing that entered a set. Returns the new
    alerts. The caller commits."""
    checked = sorted(set(listing_ids))
    searched = sorted(matched)
    if not checked or not searched:
        return []
    hits = sorted(s for s, found in matched.items() if found & set(checked))
    if hits:  # lock the saved searches that may alert, in id order (no deadlocks)
        await repository.lock_saved_searches(session, hits)
    existing = await repository.matches_among(session, searched, checked)
    in_batch = set(checked)
    now_matching = {(s, listing) for s, found in matched.items() for listing in found & in_batch}
    left = existing - now_matching
    entered = sorted(now_matching - existing)
    for s, listing in sorted(left):
        await repository.delete_match(session, s, listing)
    if not entered:
        await session.flush()
        return []
    await repository.insert_rows(
        session,
        SavedSearchMatch,
        [
            {"saved_search_id": s, "listing_id": listing, "matched_at": now}
            for s, listing in entered
        ],
    )
    versions = await repository.listing_versions(
        session, sorted({listing for _, listing in entered})
    )
    per_search: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for s, listing in entered:
        per_search[s].append(listing)
    last_seq = await repository.last_alert_seqs(session, sorted(per_search))  # under the lock
    alerts: list[ListingAlert] = []
    for s, listings in sorted(per_search.items()):
        first = last_seq[s] + 1
        alerts += [
            ListingAlert(
                id=uuid.uuid4(),
                saved_search_id=s,
                seq=first + n,
                listing_id=listing,
                listing_version=int(versions.get(listing, 1)),
                created_at=now,
            )
            for n, listing in enumerate(listings)
        ]
    numbered = {s: last_seq[s] + len(listings) for s, listings in per_search.items()}
    await repository.set_last_alert_seqs(session, numbered, now=now)
    await repository.insert_rows(
        session,
        ListingAlert,
        [
            {
                "id": a.id,
                "saved_search_id": a.saved_search_id,
                "seq": a.seq,
                "listing_id": a.listing_id,
                "listing_version": a.listing_version,
                "created_at": a.created_at,
            }
            for a in alerts
        ],
    )
    await _deliveries(session, alerts, now=now)
    return alerts


async def _deliveries(
    session: AsyncSession, alerts: Sequence[ListingAlert], *, now: datetime
) -> None:
    """One pending webhook delivery per alert and per enabled endpoint of its owner that takes
    technology listings (its ``entityTypes`` is empty or lists them)."""
    search_ids = sorted({a.saved_search_id for a in alerts})
    owners = await repository.saved_search_owners(session, search_ids)
    endpoints = await repository.enabled_endpoints(session, owners=sorted(set(owners.values())))
    if not endpoints:
        return
    position = await feed.head(session)
    session.add_all(
        WebhookDelivery(
            id=uuid.uuid4(),
            endpoint_id=endpoint.id,
            event_id=None,
            alert_id=alert.id,
            position=position,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for alert in alerts
        for endpoint in endpoints
        if endpoint.owner == owners[alert.saved_search_id]
        if not endpoint.entity_types or LISTING in endpoint.entity_types
    )
    await session.flush()
