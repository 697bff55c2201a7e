"""Helpers of the saved-search tests: callers with their own identity, the operations, and
reading alerts straight from the database."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import BOUND_ROLES, Role
from greenrong.domain.partners.models import ListingAlert, SavedSearch, SavedSearchMatch
from greenrong.schema.kit.ids import from_global_id
from tests.factories.access import bearer_token

Caller = Callable[..., Awaitable[dict[str, Any]]]

SAVE = """
mutation($input: SaveSearchInput!) {
  saveSearch(input: $input) {
    __typename
    ... on SavedSearchSuccess {
      savedSearch { id name entity query filterJson status alertCount }
    }
    ... on ValidationError { code field message errors { field code } }
    ... on ForbiddenError { code message }
  }
}"""
LIST = """
query($first: Int, $after: String) {
  savedSearches(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name query status alertCount } }
  }
}"""
PAUSE = """
mutation($id: ID!) {
  pauseSavedSearch(input: {id: $id}) {
    __typename
    ... on SavedSearchSuccess { savedSearch { id status } }
    ... on NotFoundError { code }
    ... on ForbiddenError { code }
  }
}"""
RESUME = PAUSE.replace("pauseSavedSearch", "resumeSavedSearch")
DELETE = """
mutation($id: ID!) {
  deleteSavedSearch(input: {id: $id}) {
    __typename
    ... on DeleteSavedSearchSuccess { id }
    ... on NotFoundError { code }
    ... on ForbiddenError { code }
  }
}"""


def caller(
    client: httpx.AsyncClient,
    settings: Settings,
    role: Role | None,
    *,
    subject: str = "用户甲",
    org_id: uuid.UUID | None = None,
) -> Caller:
    """POST operations as ``role`` with its own token subject (its own saved searches);
    ``role=None`` is the public. A bound role without ``org_id`` gets an organisation of
    its own."""
    if role in BOUND_ROLES and org_id is None:
        org_id = uuid.uuid4()
    headers = (
        {}
        if role is None
        else {
            "authorization": "Bearer "
            + bearer_token(settings, role, org_id=org_id, subject=subject)
        }
    )

    async def run(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        request = client.build_request(
            "POST", "/graphql", json={"query": query, "variables": variables or {}}
        )
        request.headers.pop("authorization", None)
        request.headers.update(headers)
        response = await client.send(request)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


async def save(
    run: Caller, query: str | None, filter: dict[str, Any] | None = None, **extra: Any
) -> str:
    """Save a listing search; its global id."""
    body = await run(
        SAVE, {"input": {"entity": "TECHNOLOGY_LISTING", "query": query, "filter": filter, **extra}}
    )
    payload = body["data"]["saveSearch"]
    assert payload["__typename"] == "SavedSearchSuccess", body
    saved_id: str = payload["savedSearch"]["id"]
    return saved_id


def pk(global_id: str) -> uuid.UUID:
    return from_global_id(global_id)[1]


async def alerts_of(sessionmaker: SessionMaker, saved_id: str) -> list[tuple[int, uuid.UUID, int]]:
    """The saved search's alerts as ``(seq, listing id, listing version)``, in seq order."""
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(ListingAlert)
            .where(ListingAlert.saved_search_id == pk(saved_id))
            .order_by(ListingAlert.seq)
        )
        return [(a.seq, a.listing_id, a.listing_version) for a in rows]


async def matches_of(sessionmaker: SessionMaker, saved_id: str) -> set[uuid.UUID]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(SavedSearchMatch.listing_id).where(
                SavedSearchMatch.saved_search_id == pk(saved_id)
            )
        )
        return set(rows)


async def saved_count(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        return len(list(await session.scalars(select(SavedSearch.id))))
