"""application/graphql-response+json in process (the audits check it over the wire too)."""

from __future__ import annotations

import httpx
import pytest
from graphql import GraphQLError
from strawberry.types import ExecutionResult

from greenrong.schema.view import is_request_error, prefers_graphql_response_json

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE_JSON, True),
        (f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8, application/json", True),
        (f"application/json, {GRAPHQL_RESPONSE_JSON}", False),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE_JSON}", True),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, application/json", False),
        ("application/json", False),
        ("*/*", False),
        ("", False),
        ("text/html", False),
    ],
)
def test_accept_negotiation(accept: str, expected: bool) -> None:
    assert prefers_graphql_response_json(accept) is expected


def test_request_errors_are_those_without_a_path() -> None:
    before_execution = ExecutionResult(data=None, errors=[GraphQLError("Syntax Error")])
    null_root_field = ExecutionResult(data=None, errors=[GraphQLError("boom", path=["ping"])])
    assert is_request_error(before_execution)
    assert not is_request_error(null_root_field)
    assert not is_request_error(ExecutionResult(data={"ping": "pong"}, errors=None))


@pytest.mark.parametrize(
    ("query", "accept", "status", "media_type", "has_data"),
    [
        ("{ enterprises { totalCount } }", GRAPHQL_RESPONSE_JSON, 200, GRAPHQL_RESPONSE_JSON, True),
        ("{", GRAPHQL_RESPONSE_JSON, 400, GRAPHQL_RESPONSE_JSON, False),
        ("{ noSuchField }", GRAPHQL_RESPONSE_JSON, 400, GRAPHQL_RESPONSE_JSON, False),
        ("{ enterprises { totalCount } }", "application/json", 200, "application/json", True),
        ("{", "application/json", 200, "application/json", True),
        ("{ noSuchField }", "*/*", 200, "application/json", True),
    ],
)
async def test_response_media_type_and_status(
    client: httpx.AsyncClient,
    query: str,
    accept: str,
    status: int,
    media_type: str,
    has_data: bool,
) -> None:
    response = await client.post("/graphql", json={"query": query}, headers={"accept": accept})

    assert response.status_code == status
    assert response.headers["content-type"].split(";")[0] == media_type
    assert ("data" in response.json()) is has_data


async def test_variable_coercion_failure_is_a_request_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "query Q($b: Boolean!) { __typename @include(if: $b) }", "variables": {}},
        headers={"accept": GRAPHQL_RESPONSE_JSON},
    )

    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"]
