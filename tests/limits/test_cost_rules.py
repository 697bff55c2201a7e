"""The cost rules, with exact numbers (docs/SECURITY.md, "Query limits")."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from greenrong.schema.kit.cost import TooDeep, cost, operation_cost
from greenrong.schema.root import schema


def priced(query: str, variables: dict[str, Any] | None = None, *, default_page: int = 20) -> int:
    return operation_cost(
        schema._schema, parse(query), variables=variables, default_page_size=default_page
    )


def test_scalars_are_free_and_objects_cost_one() -> None:
    assert priced("{ __typename }") == 0
    # platformStatistics declares 10; its scalar fields are free
    assert priced("{ platformStatistics { enterpriseCount projectCount } }") == 10


def test_a_connection_multiplies_its_edges_by_first() -> None:
    query = """{ enterprises(first: 10) {
        totalCount edges { cursor node { name region { name } } } pageInfo { hasNextPage } } }"""
    # connection 1 + totalCount 1 + 10 × (edge 1 + node 1 + region 1) + pageInfo 1
    assert priced(query) == 33


def test_without_first_the_default_page_size_counts() -> None:
    query = "{ enterprises { edges { node { name } } } }"
    assert priced(query) == 1 + 20 * 2
    assert priced(query, default_page=5) == 1 + 5 * 2


def test_last_counts_when_first_is_absent() -> None:
    assert priced("{ enterprises(last: 3) { edges { node { name } } } }") == 1 + 3 * 2


def test_a_negative_first_counts_as_zero() -> None:
    # the listing refuses it with OUT_OF_RANGE when it runs
    assert priced("{ enterprises(first: -5) { edges { node { name } } } }") == 1


def test_first_from_a_variable_and_from_its_default() -> None:
    query = "query($n: Int = 7) { enterprises(first: $n) { edges { node { name } } } }"
    assert priced(query, {"n": 4}) == 1 + 4 * 2
    assert priced(query) == 1 + 7 * 2


def test_nested_connections_multiply() -> None:
    query = """{ enterprises(first: 10) { edges { node {
        projects(first: 5) { edges { node {
            financingDemands(first: 3) { edges { node { amount } } } } } } } } } }"""
    # demands 1 + 3 × 2 = 7; projects 1 + 5 × (2 + 7) = 46; root 1 + 10 × (2 + 46)
    assert priced(query) == 481


def test_the_n_plus_one_view_of_the_sql_count_test() -> None:
    from tests.graphql.test_sql_count import VIEW

    assert priced(VIEW, {"first": 10}) == 702
    assert priced(VIEW, {"first": 2}) == 142


def test_a_fragment_counts_where_it_is_spread() -> None:
    inline = (
        "{ enterprises(first: 4) { edges { node { name projects(first: 2) { totalCount } } } } }"
    )
    spread = """{ enterprises(first: 4) { edges { node { ...Card } } } }
        fragment Card on Enterprise { name projects(first: 2) { totalCount } }"""
    # 1 + 4 × (edge 1 + node 1 + projects (1 + totalCount 1))
    assert priced(inline) == priced(spread) == 17


def test_a_fragment_used_twice_counts_at_each_place() -> None:
    query = """{
        a: enterprises(first: 2) { edges { node { ...Card } } }
        b: projects(first: 3) { edges { node { enterprise { ...Card } } } } }
        fragment Card on Enterprise { region { name } }"""
    # a: 1 + 2 × (1 + 1 + region 1) = 7; b: 1 + 3 × (1 + 1 + enterprise (1 + region 1)) = 13
    assert priced(query) == 20


def test_fields_merge_by_response_key_as_execution_merges_them() -> None:
    once = "{ enterprises(first: 2) { edges { node { region { name } } } } }"
    twice = """{ enterprises(first: 2) { edges { node { region { name } } } }
        enterprises(first: 2) { edges { node { region { code } ...R } } } }
        fragment R on Enterprise { region { name } }"""
    assert priced(once) == priced(twice) == 7


def test_an_abstract_selection_costs_its_most_expensive_type() -> None:
    query = """{ node(id: "x") {
        ... on Enterprise { projects(first: 2) { edges { node { title } } } }
        ... on Project { enterprise { name } } } }"""
    # node 1 + max(Enterprise: 1 + 2 × 2 = 5, Project: enterprise 1)
    assert priced(query) == 6


def test_a_union_passes_the_page_size_to_its_members_lists() -> None:
    query = """{ searchEnterprises(first: 4) { ... on EnterpriseSearchConnection {
        totalCount edges { node { name } highlights { field } } facets { name } } } }"""
    # search 5 + 4 × (edge 1 + node 1 + 3 highlights × 1) + 6 facets × 1
    assert priced(query) == 31


def test_other_lists_count_their_declared_or_default_size() -> None:
    query = "{ platformStatistics { expertsByTitle { count } } }"
    # platformStatistics 10 + the default 10 items × 1
    assert priced(query) == 20


def test_mutation_fields_cost_ten() -> None:
    query = """mutation { createEnterprise(input: {name: "x", creditCode: "y", regionCode: "z",
        industrySection: "A"}) { __typename ... on EnterpriseSuccess { enterprise { name } } } }"""
    # 10 + the most expensive member of the payload union: EnterpriseSuccess (enterprise 1)
    assert priced(query) == 11


def test_introspection_counts() -> None:
    assert priced("{ __schema { queryType { name } } }") == 501
    assert priced('{ __type(name: "Enterprise") { fields { name type { name } } } }') == 12
    # GraphiQL's introspection query fits well within the default maximum (5000)
    assert priced(get_introspection_query()) == 570


def test_the_walk_survives_fragment_cycles_that_validation_would_refuse() -> None:
    query = """{ ...A }
        fragment A on Query { enterprises(first: 2) { totalCount } ...B }
        fragment B on Query { ...A }"""
    assert priced(query) == 2


def test_the_walk_refuses_nesting_past_its_bound() -> None:
    query = '{ __type(name: "Query") { ' + "fields { type { " * 40 + "name" + " } }" * 40 + " } }"
    with pytest.raises(TooDeep):
        priced(query)


def test_declared_costs_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="weight cannot be negative"):
        cost(-1)
    with pytest.raises(ValueError, match="list size cannot be negative"):
        cost(list_size=-1)
