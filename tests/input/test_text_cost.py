"""Text operands are priced: a point per 1,000 characters of string values, in the variables and
in the document's literals (``schema/kit/cost.py``)."""

from __future__ import annotations

from tests.input.conftest import ANONYMOUS

SEARCH = """
query($query: String) {
  searchEnterprises(query: $query) { ... on EnterpriseSearchConnection { totalCount } }
}"""


async def test_variables_cost_a_point_per_thousand_characters(send):
    short = await send(SEARCH, {"query": "光"}, role=ANONYMOUS)
    below = await send(SEARCH, {"query": "光" * 999}, role=ANONYMOUS)
    at = await send(SEARCH, {"query": "光" * 1000}, role=ANONYMOUS)

    base = short["extensions"]["queryCost"]["requested"]
    assert below["extensions"]["queryCost"]["requested"] == base
    assert at["extensions"]["queryCost"]["requested"] == base + 1


async def test_literals_cost_a_point_per_thousand_characters(send):
    def query(length: int) -> str:
        operands = ", ".join(f'{{name: {{contains: "{"绿" * length}"}}}}' for _ in range(5))
        return f"{{ enterprises(where: {{or: [{operands}]}}) {{ totalCount }} }}"

    small = await send(query(1), role=ANONYMOUS)
    large = await send(query(200), role=ANONYMOUS)

    assert small["data"] == large["data"] == {"enterprises": {"totalCount": 0}}
    assert (
        large["extensions"]["queryCost"]["requested"]
        == small["extensions"]["queryCost"]["requested"] + 1
    )
