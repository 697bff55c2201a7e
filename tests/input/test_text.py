"""Text at the edge: NUL, other C0 control characters (but tab, line feed and carriage return)
and lone surrogates are refused in every string input and filter operand, and every string has
a maximum length from one table (``schema/kit/edge.TEXT_LIMITS``); nothing is stored."""

from __future__ import annotations

import pytest

from greenrong.domain.access.principal import Role
from tests.graphql.test_mutations import CREATE, enterprise_input
from tests.input.conftest import ADMIN, ANONYMOUS, refused, row_counts

BAD_TEXT = [
    ("a\ud800b", "contains a lone surrogate (U+D800)"),
    ("a\udfffb", "contains a lone surrogate (U+DFFF)"),
    ("a\u0000b", "contains a control character (U+0000)"),
    ("a\u0007b", "contains a control character (U+0007)"),
    ("a\u001bb", "contains a control character (U+001B)"),
    ("a\u000bb", "contains a control character (U+000B)"),
]
TEXT_FIELDS = ["name", "description", "contactPerson", "contactPhone"]


@pytest.mark.parametrize(("value", "message"), BAD_TEXT)
@pytest.mark.parametrize("field", TEXT_FIELDS)
async def test_create_mutation_text(send, sessionmaker, field, value, message):
    before = await row_counts(sessionmaker)

    body = await send(CREATE, {"input": enterprise_input(**{field: value})})

    refused(body, "INVALID_FORMAT", f"input.{field}", message)
    assert await row_counts(sessionmaker) == before


async def test_tab_line_feed_and_carriage_return_are_text(send):
    body = await send(CREATE, {"input": enterprise_input(description="第一行\r\n第二行\t完")})

    assert body["data"]["createEnterprise"]["__typename"] == "EnterpriseSuccess"


@pytest.mark.parametrize(
    ("field", "length", "limit"),
    [
        ("contactPhone", 41, 40),
        ("contactPerson", 100_000, 100),
        ("description", 100_000, 500),
    ],
)
async def test_text_longer_than_its_column(send, sessionmaker, field, length, limit):
    before = await row_counts(sessionmaker)

    body = await send(CREATE, {"input": enterprise_input(**{field: "绿" * length})})

    refused(body, "OUT_OF_RANGE", f"input.{field}", f"is longer than {limit} characters")
    assert await row_counts(sessionmaker) == before


async def test_text_as_long_as_its_column_is_stored(send):
    body = await send(
        CREATE,
        {"input": enterprise_input(contactPhone="8" * 40, contactPerson="王" * 100)},
    )

    assert body["data"]["createEnterprise"]["__typename"] == "EnterpriseSuccess"


ENTERPRISES = """
query($where: EnterpriseWhere) {
  enterprises(where: $where) { totalCount }
}"""


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize("operator", ["contains", "startsWith", "eq", "ne"])
async def test_filter_operands(send, role, operator):
    nul = await send(ENTERPRISES, {"where": {"name": {operator: "a\u0000b"}}}, role=role)
    surrogate = await send(
        ENTERPRISES, {"where": {"not": {"name": {operator: "\ud800"}}}}, role=role
    )

    refused(
        nul, "INVALID_FORMAT", f"where.name.{operator}", "contains a control character (U+0000)"
    )
    refused(
        surrogate,
        "INVALID_FORMAT",
        f"where.not.name.{operator}",
        "contains a lone surrogate (U+D800)",
    )


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
async def test_in_items(send, role):
    body = await send(ENTERPRISES, {"where": {"name": {"in": ["甲", "乙\u0000"]}}}, role=role)

    refused(body, "INVALID_FORMAT", "where.name.in.1", "contains a control character (U+0000)")


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize(("operator", "limit"), [("contains", 200), ("startsWith", 200)])
async def test_long_filter_operands(send, role, operator, limit):
    # issue 18: a 49,999-character contains was INTERNAL on SQLite (its LIKE limit), and a
    # long pattern costs PostgreSQL about 12 s per MB
    at_limit = await send(ENTERPRISES, {"where": {"name": {operator: "绿" * limit}}}, role=role)
    over = await send(ENTERPRISES, {"where": {"name": {operator: "绿" * 49_999}}}, role=role)

    assert at_limit["data"] == {"enterprises": {"totalCount": 0}}
    refused(over, "OUT_OF_RANGE", f"where.name.{operator}", f"is longer than {limit} characters")


SEARCH = """
query($query: String) {
  searchEnterprises(query: $query) { ... on EnterpriseSearchConnection { totalCount } }
}"""


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
async def test_search_text(send, role):
    nul = await send(SEARCH, {"query": "光伏\u0000"}, role=role)
    long = await send(SEARCH, {"query": "光" * 1001}, role=role)

    refused(nul, "INVALID_FORMAT", "query", "contains a control character (U+0000)")
    refused(long, "OUT_OF_RANGE", "query", "is longer than 1000 characters")


SAVE = """
mutation($input: SaveSearchInput!) {
  saveSearch(input: $input) { __typename }
}"""


async def test_save_search_text(send, sessionmaker):
    before = await row_counts(sessionmaker)

    query = await send(
        SAVE, {"input": {"entity": "TECHNOLOGY_LISTING", "query": "膜\u0000"}}, role=Role.PARTNER
    )
    name = await send(
        SAVE,
        {"input": {"entity": "TECHNOLOGY_LISTING", "query": "膜", "name": "\ud800"}},
        role=Role.PARTNER,
    )
    region = await send(
        SAVE,
        {
            "input": {
                "entity": "TECHNOLOGY_LISTING",
                "query": "膜",
                "filter": {"region": ["51\u0001"]},
            }
        },
        role=Role.PARTNER,
    )

    refused(query, "INVALID_FORMAT", "input.query", "contains a control character (U+0000)")
    refused(name, "INVALID_FORMAT", "input.name", "contains a lone surrogate (U+D800)")
    refused(
        region, "INVALID_FORMAT", "input.filter.region.0", "contains a control character (U+0001)"
    )
    assert await row_counts(sessionmaker) == before


async def test_global_ids_are_text_too(send):
    body = await send('{ node(id: "RW50ZXJwcmlzZT\\u0000") { id } }', role=ANONYMOUS)

    refused(body, "INVALID_FORMAT", "id", "contains a control character (U+0000)")


async def test_a_view_already_answered_is_still_checked(send, app):
    # the same text with good variables runs (on PostgreSQL it is then a prepared operation,
    # answered by the compiled path); bad variables are refused all the same
    query = """
    query($name: String) {
      enterprises(where: {name: {contains: $name}}) { totalCount edges { node { name } } }
    }"""
    for _ in range(3):
        good = await send(query, {"name": "绿能"}, role=ANONYMOUS)
        assert good["data"] == {"enterprises": {"totalCount": 0, "edges": []}}

    bad = await send(query, {"name": "绿\u0000能"}, role=ANONYMOUS)

    refused(bad, "INVALID_FORMAT", "where.name.contains", "contains a control character (U+0000)")
