"""Hostile queries are refused before they run, quickly, and the server keeps serving.

Each test sends one attack and then checks three things: no SQL statement ran, the answer
came quickly (``QUICK``), and an ordinary query still works.
"""

from __future__ import annotations

import time

import pytest

from tests.limits.conftest import Body, Limited

# every test bounds the refusal's wall-clock time (``QUICK``), which a loaded machine can stretch
pytestmark = pytest.mark.timing

ORDINARY = "{ enterprises(first: 1) { totalCount } }"
#: each refusal takes about 0.1 s alone; the bound leaves room for a busy shared machine
QUICK = 2.0


async def refused(api: Limited, query: str, **fields: object) -> Body:
    api.statements.clear()
    started = time.perf_counter()
    body = await api.gql(query, **fields)
    elapsed = time.perf_counter() - started
    assert body["data"] is None, body
    assert api.statements == []
    assert elapsed < QUICK
    return body


async def still_serving(api: Limited) -> None:
    body = await api.gql(ORDINARY)
    assert body["data"] == {"enterprises": {"totalCount": 0}}
    assert api.statements  # it ran SQL (1 compiled statement on PostgreSQL, 2 on SQLite)


async def test_deep_nesting_is_refused_by_the_depth_limit(api: Limited) -> None:
    # given enterprise -> projects -> enterprise, three times: 3 + 3 × 4 = 15 levels
    level = "projects(first: 1) { edges { node { enterprise { "
    opened = "{ enterprises(first: 1) { edges { node { " + level * 3
    query = opened + "name" + " }" * opened.count("{")

    # when
    body = await refused(api, query)

    # then
    assert [e["message"] for e in body["errors"]] == [
        "'anonymous' exceeds maximum operation depth of 12"
    ]
    await still_serving(api)


async def test_deep_introspection_nesting_is_refused_by_validation(api: Limited) -> None:
    # the depth limit skips introspection fields; graphql-core's own rule bounds them (and the
    # cost walk refuses anything nested deeper than 64 levels as well)
    query = '{ __type(name: "Query") { ' + "fields { type { " * 40 + "name" + " } }" * 40 + " } }"

    body = await refused(api, query)

    assert [e["message"] for e in body["errors"]] == ["Maximum introspection depth exceeded"]
    await still_serving(api)


async def test_an_alias_flood_is_refused(api: Limited) -> None:
    query = (
        "{ " + " ".join(f"e{n}: enterprises(first: 1) {{ totalCount }}" for n in range(200)) + " }"
    )

    body = await refused(api, query)

    assert [e["message"] for e in body["errors"]] == ["200 aliases found. Allowed: 30"]
    await still_serving(api)


async def test_fragment_cycles_are_refused_by_validation(api: Limited) -> None:
    query = """
    { ...A }
    fragment A on Query { enterprises(first: 1) { totalCount } ...B }
    fragment B on Query { ...C }
    fragment C on Query { ...A }
    """

    body = await refused(api, query)

    assert [e["message"] for e in body["errors"]] == [
        "Cannot spread fragment 'A' within itself via 'B', 'C'."
    ]
    await still_serving(api)


async def test_nested_fragment_cycles_are_refused_by_validation(api: Limited) -> None:
    query = """
    { enterprises(first: 1) { edges { node { ...E } } } }
    fragment E on Enterprise { projects(first: 1) { edges { node { ...P } } } }
    fragment P on Project { enterprise { ...E } }
    """

    body = await refused(api, query)

    assert [e["message"] for e in body["errors"]] == [
        "Cannot spread fragment 'E' within itself via 'P'."
    ]
    await still_serving(api)


async def test_a_huge_first_is_refused_as_too_costly(api: Limited) -> None:
    body = await refused(api, "{ enterprises(first: 1000000) { edges { node { name } } } }")

    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": 2000001,
        "maximumCost": 5000,
    }
    assert error["message"] == (
        "This query costs 2000001 points; the most one request may cost is 5000. "
        "Ask for smaller pages (first/last) or fewer nested lists."
    )
    await still_serving(api)


async def test_a_huge_first_in_a_variable_is_refused_as_too_costly(api: Limited) -> None:
    query = "query($n: Int) { enterprises(first: $n) { edges { node { name } } } }"

    body = await refused(api, query, variables={"n": 5000})

    assert body["errors"][0]["extensions"]["cost"] == 10001
    await still_serving(api)


async def test_nested_pages_multiply_and_are_refused(api: Limited) -> None:
    query = """{ enterprises(first: 100) { edges { node {
        projects(first: 100) { edges { node { title } } } } } } }"""

    body = await refused(api, query)

    # 1 + 100 × (edge 1 + node 1 + projects (1 + 100 × (edge 1 + node 1)))
    assert body["errors"][0]["extensions"]["cost"] == 20301
    await still_serving(api)


async def test_an_introspection_flood_is_refused_as_too_costly(api: Limited) -> None:
    query = "{ " + " ".join(f"s{n}: __schema {{ types {{ name }} }}" for n in range(10)) + " }"

    body = await refused(api, query)

    # 10 × (__schema 500 + types 1)
    assert body["errors"][0]["extensions"]["cost"] == 5010
    await still_serving(api)


async def test_a_token_flood_is_refused_by_the_parser(api: Limited) -> None:
    query = "{ " + "__typename " * 6000 + "}"

    body = await refused(api, query)

    assert [e["message"] for e in body["errors"]] == [
        "Syntax Error: Document contains more than 5000 tokens. Parsing aborted."
    ]
    await still_serving(api)
