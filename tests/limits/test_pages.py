"""Page sizes are capped at 100, and bad cursors and page sizes are typed field errors.

Each refusal names the argument (``extensions.field``) and happens before any SQL runs.
"""

from __future__ import annotations

import base64

import pytest

from greenrong.core.config import Settings
from tests.factories.entities import create_enterprise, create_project
from tests.limits.conftest import Limited

ENTERPRISES = """query($first: Int, $last: Int, $after: String, $before: String,
    $order: [EnterpriseOrder!]) {
  enterprises(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
    edges { node { name } } pageInfo { endCursor } } }"""
PROJECTS = """query($after: String) {
  projects(first: 1, after: $after) { edges { node { title } } pageInfo { endCursor } } }"""


async def seed(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        for name in ("甲", "乙"):
            enterprise = await create_enterprise(session, name=name)
            await create_project(session, enterprise_id=enterprise.id)


async def refused(api: Limited, query: str, variables: dict[str, object]) -> dict[str, object]:
    api.statements.clear()
    body = await api.gql(query, variables=variables)
    assert body["data"] is None
    assert api.statements == []
    [error] = body["errors"]
    assert isinstance(error, dict)
    return error


def test_the_page_size_cap_is_100() -> None:
    assert Settings().max_page_size == 100
    with pytest.raises(ValueError, match="less than or equal to 100"):
        Settings(max_page_size=101)
    with pytest.raises(ValueError, match="default_page_size must not exceed max_page_size"):
        Settings(max_page_size=10, default_page_size=20)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "first: first must be between 0 and 100"),
        ({"first": -1}, "first: first must be between 0 and 100"),
        ({"last": 101}, "last: last must be between 0 and 100"),
        ({"last": -3}, "last: last must be between 0 and 100"),
    ],
)
async def test_page_sizes_out_of_range_are_refused(
    api: Limited, variables: dict[str, object], message: str
) -> None:
    error = await refused(api, ENTERPRISES, variables)

    field = next(iter(variables))
    assert error["extensions"] == {"code": "OUT_OF_RANGE", "field": field}
    assert error["message"] == message
    # refused at the input edge, before the operation ran: a request error at the field
    assert "path" not in error
    assert error["locations"] == [{"line": 3, "column": 3}]


async def test_a_page_of_100_runs(api: Limited, sessionmaker) -> None:
    await seed(sessionmaker)

    body = await api.gql(ENTERPRISES, variables={"first": 100})

    assert [e["node"]["name"] for e in body["data"]["enterprises"]["edges"]] == ["乙", "甲"]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'["00000000", ["x", "y"]]').decode(),
        "%%%%",
    ],
)
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_garbage_cursors_are_invalid_cursor_errors(
    api: Limited, sessionmaker, cursor: str, argument: str
) -> None:
    await seed(sessionmaker)
    size = "first" if argument == "after" else "last"

    error = await refused(api, ENTERPRISES, {size: 1, argument: cursor})

    assert error["extensions"] == {"code": "INVALID_CURSOR", "field": argument}
    assert error["message"] == f"{argument}: cursor is not valid for this list and ordering"


async def test_a_cursor_from_another_connection_is_refused(api: Limited, sessionmaker) -> None:
    await seed(sessionmaker)
    page = await api.gql(PROJECTS, variables={})
    cursor = page["data"]["projects"]["pageInfo"]["endCursor"]

    error = await refused(api, ENTERPRISES, {"first": 1, "after": cursor})

    assert error["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}


async def test_a_cursor_from_another_ordering_is_refused(api: Limited, sessionmaker) -> None:
    await seed(sessionmaker)
    page = await api.gql(ENTERPRISES, variables={"first": 1, "order": [{"field": "CREATED_AT"}]})
    cursor = page["data"]["enterprises"]["pageInfo"]["endCursor"]

    by_name = await refused(api, ENTERPRISES, {"first": 1, "after": cursor})
    descending = await refused(
        api,
        ENTERPRISES,
        {"first": 1, "after": cursor, "order": [{"field": "CREATED_AT", "direction": "DESC"}]},
    )

    assert (
        by_name["extensions"]
        == descending["extensions"]
        == {
            "code": "INVALID_CURSOR",
            "field": "after",
        }
    )


async def test_a_bad_cursor_of_a_nested_connection_is_a_field_error(
    api: Limited, sessionmaker
) -> None:
    await seed(sessionmaker)
    query = """{ enterprises(first: 1) { edges { node {
        name projects(first: 1, after: "garbage") { edges { node { title } } } } } } }"""

    body = await api.gql(query)

    # connections are non-null, so the error nulls everything up to the root
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}
    # the field's path, or the root field's where the view runs as one compiled statement
    assert error["path"][0] == "enterprises"
