"""Putting rows into the test engine's indices and asking the search API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette

from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.kit.store import rebuild

GQL = Callable[..., Awaitable[dict[str, Any]]]


def engine_of(app: Starlette) -> SearchEngine:
    engine: SearchEngine = app.state.resources.search
    return engine


async def index(app: Starlette, sessionmaker: SessionMaker, *specs: IndexSpec[Any]) -> None:
    """Rebuild the indices from the database (refreshed: searchable at once)."""
    for spec in specs:
        await rebuild(engine_of(app), sessionmaker, spec)


async def search(gql: GQL, field: str, selection: str, **variables: Any) -> dict[str, Any]:
    """Run one search field with `query`, `filter`, `sort`, `first` and `after` variables."""
    types = {
        "searchTechnologyListings": ("TechnologyListing", "TechnologyListing"),
        "searchTechnologyNeeds": ("TechnologyNeed", "TechnologyNeed"),
        "searchFinancialProducts": ("FinancialProduct", "FinancialProduct"),
        "searchExperts": ("Expert", "Expert"),
        "searchDisclosures": ("Disclosure", "Disclosure"),
        "searchEnterprises": ("Enterprise", "Enterprise"),
    }
    name = types[field][0]
    document = f"""
        query ($query: String, $filter: {name}SearchFilter, $sort: {name}SearchSort,
               $first: Int, $after: String) {{
          result: {field}(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {{
            __typename
            ... on SearchUnavailable {{ code message }}
            ... on {name}SearchConnection {{ {selection} }}
          }}
        }}"""
    body = await gql(document, variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["result"]
    return result


def titles(result: dict[str, Any], attribute: str = "title") -> list[str]:
    return [edge["node"][attribute] for edge in result["edges"]]


def facet(result: dict[str, Any], field: str) -> list[tuple[str, str, int]]:
    found = next(f for f in result["facets"] if f["field"] == field)
    return [(b["value"], b["label"], b["count"]) for b in found["buckets"]]
