"""With the engine down, search answers SearchUnavailable and writes keep working."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.technology.models import TechnologyListing
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise

SEARCH = """{ searchTechnologyListings(query: "污水") {
  __typename ... on SearchUnavailable { code message } } }"""
SUGGEST = """{ suggest(prefix: "污", entity: EXPERT) {
  __typename ... on SearchUnavailable { code message } } }"""
CREATE = """mutation ($input: CreateListingInput!) { createTechnologyListing(input: $input) {
  __typename ... on TechnologyListingSuccess { technologyListing { title } } } }"""


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
async def down(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app, configured with a search engine that is not there."""
    dead = settings.model_copy(update={"opensearch_url": f"http://127.0.0.1:{closed_port()}"})
    app: Starlette = create_app(dead)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=auth_headers(settings)
        ) as http:
            yield http


async def post(client: httpx.AsyncClient, query: str, variables: dict | None = None) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


async def test_search_is_unavailable_while_a_mutation_still_commits(down, sessionmaker) -> None:
    # given an enterprise, and an app whose search engine is unreachable
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)

    # when searching and suggesting, and creating a listing in the same app
    searched = await post(down, SEARCH)
    suggested = await post(down, SUGGEST)
    created = await post(
        down,
        CREATE,
        {
            "input": {
                "ownerEnterpriseId": to_global_id("Enterprise", owner.id),
                "title": "工业废水膜处理工艺",
                "domain": "WATER",
                "maturity": 7,
                "tradeMode": "LICENCE",
                "regionCode": "510104",
            }
        },
    )

    # then search says why it cannot answer, as data, and the mutation committed
    unavailable = {
        "__typename": "SearchUnavailable",
        "code": "UNREACHABLE",
        "message": "search engine is unreachable",
    }
    assert searched["data"] == {"searchTechnologyListings": unavailable}
    assert suggested["data"] == {"suggest": unavailable}
    assert "errors" not in searched
    assert "errors" not in suggested
    assert created["data"]["createTechnologyListing"] == {
        "__typename": "TechnologyListingSuccess",
        "technologyListing": {"title": "工业废水膜处理工艺"},
    }
    async with sessionmaker() as session:
        assert list(await session.scalars(select(TechnologyListing.title))) == [
            "工业废水膜处理工艺"
        ]


async def test_a_missing_index_is_not_ready(app, gql) -> None:
    engine = app.state.resources.search
    await engine.client.indices.delete(index=f"{engine.alias('experts')}-*")

    body = await gql("""{ searchExperts { __typename ... on SearchUnavailable { code } } }""")

    assert "errors" not in body
    assert body["data"] == {
        "searchExperts": {"__typename": "SearchUnavailable", "code": "NOT_READY"}
    }
