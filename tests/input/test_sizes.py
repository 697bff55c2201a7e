"""The size of an operation's arguments after the variables are applied, and the integer page
arguments: refused before any SQL runs, on every path."""

from __future__ import annotations

import pytest

from greenrong.core.config import Settings
from tests.factories.statements import count_statements
from tests.input.conftest import ADMIN, ANONYMOUS, refused

ENTERPRISES = """
query($where: EnterpriseWhere) {
  enterprises(where: $where) { totalCount edges { node { name } } }
}"""


def ors(count: int) -> dict[str, object]:
    """An ``or`` of ``count`` conditions: 2 input objects each, and the ``or`` around them."""
    return {"or": [{"name": {"eq": f"企业{n}"}} for n in range(count)]}


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize("items", [1_000, 10_000])
async def test_a_large_or_list_in_the_variables_is_refused_before_any_sql(send, app, role, items):
    # issue 18: variables bypassed the token limit; 10,000 items cost 1.2-2.5 s, then INTERNAL.
    # They are counted as sent, before graphql-core coerces them.
    with count_statements(app.state.resources.engine) as statements:
        body = await send(ENTERPRISES, {"where": ors(items)}, role=role)

    refused(body, "OUT_OF_RANGE", "$where", "holds more than 500 input objects and list items")
    assert statements == []


async def test_a_large_tree_in_the_document_is_refused_before_any_sql(send, app):
    conditions = ", ".join(f'{{name: {{eq: "企业{n}"}}}}' for n in range(251))
    query = f"{{ enterprises(where: {{or: [{conditions}]}}) {{ totalCount }} }}"

    with count_statements(app.state.resources.engine) as statements:
        body = await send(query, role=ANONYMOUS)

    refused(
        body,
        "OUT_OF_RANGE",
        "where.or.249.name",
        "the operation's arguments hold more than 500 input objects and list items",
    )
    assert statements == []


async def test_variables_count_together(send):
    # two variables of 300 objects each: each passes alone, the operation's arguments do not
    query = """
    query($a: EnterpriseWhere, $b: EnterpriseWhere) {
      a: enterprises(where: $a) { totalCount }
      b: enterprises(where: $b) { totalCount }
    }"""

    body = await send(query, {"a": ors(149), "b": ors(149)}, role=ANONYMOUS)

    refused(
        body,
        "OUT_OF_RANGE",
        "where.or.100",
        "the operation's arguments hold more than 500 input objects and list items",
    )


async def test_a_tree_at_the_limit_runs_on_both_databases(send):
    # 1 + 2 × 249 = 499 input objects: the largest `or` of single conditions the default takes
    body = await send(ENTERPRISES, {"where": ors(249)}, role=ANONYMOUS)

    assert body["data"] == {"enterprises": {"totalCount": 0, "edges": []}}


async def test_in_items_count(send):
    body = await send(ENTERPRISES, {"where": {"name": {"in": [f"企业{n}" for n in range(600)]}}})

    refused(body, "OUT_OF_RANGE", "$where", "holds more than 500 input objects and list items")


async def test_deep_nesting_is_refused(send):
    where: dict[str, object] = {"name": {"eq": "甲"}}
    for _ in range(40):
        where = {"not": where}
    literal = '{name: {eq: "甲"}}'
    for _ in range(40):
        literal = "{not: " + literal + "}"

    variables = await send(ENTERPRISES, {"where": where})
    document = await send(f"{{ enterprises(where: {literal}) {{ totalCount }} }}")

    refused(variables, "OUT_OF_RANGE", "$where", "nests more than 32 levels")
    path = ".".join(["where"] + ["not"] * 33)
    refused(document, "OUT_OF_RANGE", path, "nests more than 32 levels")


async def test_the_limit_is_a_setting():
    assert Settings().max_input_nodes == 500
    with pytest.raises(ValueError, match="greater than or equal to 10"):
        Settings(max_input_nodes=9)


CHANGES = "query($first: Int) { changes(first: $first) { events { id } } }"


@pytest.mark.parametrize("first", [-5, -1, 101])
async def test_changes_first_is_range_checked(send, first):
    body = await send(CHANGES, {"first": first})

    refused(body, "OUT_OF_RANGE", "first", "first must be between 0 and 100")


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
async def test_nested_page_arguments_are_range_checked(send, role):
    body = await send(
        "{ enterprises(first: 1) { edges { node { projects(first: -1) { totalCount } } } } }",
        role=role,
    )

    refused(body, "OUT_OF_RANGE", "first", "first must be between 0 and 100")
