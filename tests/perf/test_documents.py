"""Each distinct document is validated once, and a repeat gets the same answer."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from greenrong.schema.kit.documents import ValidationResults


async def test_a_repeated_invalid_document_is_refused_the_same_way(gql: Any) -> None:
    # given a document with an unknown field
    query = "{ enterprises(first: 1) { edges { node { noSuchField } } } }"

    # when it is sent twice (the second answer comes from the cache)
    first = await gql(query)
    second = await gql(query)

    # then
    assert first["data"] is None
    assert second == first
    assert "noSuchField" in first["errors"][0]["message"]


async def test_a_repeated_valid_document_still_runs(gql: Any) -> None:
    query = "{ enterprises(first: 1) { totalCount } }"

    first = await gql(query)
    second = await gql(query)

    assert first["data"] == second["data"] == {"enterprises": {"totalCount": 0}}


def test_the_validation_cache_keeps_the_most_recently_used_documents() -> None:
    results = ValidationResults(maxsize=2)
    error = GraphQLError("bad")
    results.put("a", [])
    results.put("b", [error])
    assert results.get("a") == []  # "a" is now the most recent
    results.put("c", [])

    assert results.get("b") is None
    assert results.get("a") == []
    assert results.get("c") == []
