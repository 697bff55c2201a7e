"""The views the differential test runs through both paths (tests/perf/test_compiled_differential.py).

Each entry is a name, a document and its variables (built from the seeded rows), and whether
the compiled path is expected to answer it on PostgreSQL (``compiles``: one SQL statement per
root field) or to step aside for the resolver path. The corpus holds the bench's Q1–Q3
(read from ``bench/views/queries/``), the views of tests/graphql, and views that reach every
relation, every value encoding and every reason to fall back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.graphql.test_lists import PAGE as LISTS_PAGE
from tests.graphql.test_sql_count import VIEW as SQL_COUNT_VIEW

BENCH = Path(__file__).resolve().parents[2] / "bench" / "views" / "queries"

#: variables of a view, from the seeded ids (see ``Seeded`` in the test)
Variables = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class View:
    name: str
    query: str
    variables: Variables
    #: answered by the compiled path on PostgreSQL (else the resolver path must answer)
    compiles: bool
    #: root fields: with `compiles`, the compiled path runs exactly this many statements
    roots: int = 1


def _bench(n: int) -> str:
    return (BENCH / f"q{n}.greenrong.graphql").read_text()


def _none(_: Any) -> dict[str, Any]:
    return {}


ENTERPRISE_FIELDS = """
  __typename id name creditCode regionCode industrySection industryDivision size greenCategory
  greenLevel greenLevelValidUntil description createdAt updatedAt version
"""

CORPUS: list[View] = [
    # ---- the bench
    View("bench Q1", _bench(1), lambda s: {"regions": s.regions}, compiles=True),
    View(
        "bench Q2",
        _bench(2),
        lambda s: {"regions": s.regions, "name": "科技", "level": "GREEN"},
        compiles=True,
    ),
    View("bench Q3", _bench(3), lambda s: {"id": s.enterprise_gid}, compiles=True),
    # ---- tests/graphql
    View("sql-count view (region: computed)", SQL_COUNT_VIEW, lambda s: {"first": 10}, False),
    View("lists page", LISTS_PAGE, lambda s: {"first": 2}, compiles=True),
    View(
        "lists page after a cursor, by creation time",
        LISTS_PAGE,
        lambda s: {"first": 2, "after": s.created_cursor, "order": [{"field": "CREATED_AT"}]},
        compiles=True,
    ),
    View(
        "lists page, filtered, no cursors",
        """query($where: EnterpriseWhere, $order: [EnterpriseOrder!]) {
          enterprises(first: 3, where: $where, orderBy: $order) {
            totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { name } }
          }
        }""",
        lambda s: {
            "where": {"or": [{"name": {"contains": "科技"}}, {"greenLevel": {"eq": "GREEN"}}]},
            "order": [{"field": "NAME", "direction": "DESC"}],
        },
        compiles=True,
    ),
    # ---- every column encoding and every relation
    View(
        "enterprise columns",
        "{ enterprises(first: 50) { edges { node {" + ENTERPRISE_FIELDS + "} } } }",
        _none,
        compiles=True,
    ),
    View(
        "aliases, fragments, typenames",
        """query($id: ID!) {
          one: node(id: $id) { __typename id ...E ... on Node { id } }
          list: enterprises(first: 2, orderBy: [{field: CREATED_AT, direction: DESC}]) {
            __typename count: totalCount
            info: pageInfo { __typename next: hasNextPage }
            items: edges { __typename item: node { __typename label: name ...E } }
          }
        }
        fragment E on Enterprise { name greenLevel n2: name }""",
        lambda s: {"id": s.enterprise_gid},
        compiles=True,
        roots=2,
    ),
    View(
        "projects with their owner and demands",
        """{ projects(first: 20, orderBy: [{field: TITLE}]) { totalCount edges { node {
              id title description greenCategory totalInvestment regionCode climateType status
              createdAt
              enterprise { id name }
              financingDemands(first: 5) { totalCount pageInfo { hasNextPage } edges { node {
                id amount termMonths acceptedKinds status financedAmount submittedAt financedAt
                product { name kind minAmount maxAmount minRate maxRate minTermMonths active
                          institution { id name kind regionCode description } }
                project { title }
                enterprise { name }
              } }
            } } } }""",
        _none,
        compiles=False,  # acceptedKinds is a list
    ),
    View(
        "demands without list columns",
        """{ financingDemands(first: 30, orderBy: [{field: SUBMITTED_AT, direction: DESC}]) {
              totalCount edges { node {
                id amount termMonths status financedAmount submittedAt financedAt
                product { name kind minAmount maxAmount minRate maxRate active
                          institution { id name kind } }
                project { title enterprise { name } }
                enterprise { name }
              } } } }""",
        _none,
        compiles=True,
    ),
    View(
        "institutions, products, demands",
        """{ financialInstitutions(first: 10) { edges { node { id name kind
              products(first: 10) { totalCount edges { node { name minRate maxRate
                financingDemands(first: 10) { totalCount edges { node { amount status } } }
              } } }
            } } } }""",
        _none,
        compiles=True,
    ),
    View(
        "enterprise children of every kind",
        """query($id: ID!) { node(id: $id) { ... on Enterprise {
              name
              projects(first: 10) { totalCount edges { node { title } } }
              financingDemands(first: 10) { totalCount edges { node { amount status } } }
              technologyListings(first: 10) { totalCount edges { node { id title status } } }
              technologyNeeds(first: 10) { totalCount edges { node { id title status } } }
              disclosures(first: 10) { totalCount edges { node { id title status year } } }
            } } }""",
        lambda s: {"id": s.enterprise_gid},
        compiles=True,
    ),
    View(
        "listings, needs and disclosures with their owners",
        """{
          technologyListings(first: 10) { edges { node { title ownerEnterprise { name }
                                                         ownerInstitution { name } } } }
          technologyNeeds(first: 10) { edges { node { title enterprise { name } } } }
          disclosures(first: 10) { edges { node { title subjectEnterprise { name }
                                                  subjectInstitution { name } } } }
        }""",
        _none,
        compiles=True,
        roots=3,
    ),
    View(
        "node of each type",
        """query($p: ID!, $d: ID!, $i: ID!, $f: ID!) {
          p: node(id: $p) { id ... on Project { title status } }
          d: node(id: $d) { id ... on FinancingDemand { amount submittedAt } }
          i: node(id: $i) { id ... on FinancialInstitution { name } }
          f: node(id: $f) { id ... on FinancialProduct { name } ... on Enterprise { name } }
        }""",
        lambda s: {
            "p": s.project_gid,
            "d": s.demand_gid,
            "i": s.institution_gid,
            "f": s.product_gid,
        },
        compiles=True,
        roots=4,
    ),
    View(
        "paging after a cursor",
        """query($after: String) { enterprises(first: 2, after: $after) {
              pageInfo { hasNextPage hasPreviousPage } edges { node { name } } } }""",
        lambda s: {"after": s.enterprise_cursor},
        compiles=True,
    ),
    View(
        "empty and zero-size pages",
        """{ a: enterprises(first: 0) { totalCount pageInfo { hasNextPage } edges { node { name } } }
             b: enterprises(first: 5, where: {name: {eq: "不存在"}}) {
                totalCount pageInfo { hasNextPage } edges { node { name } } } }""",
        _none,
        compiles=True,
        roots=2,
    ),
    View(
        "cursors of every order column type",
        """{
          a: financingDemands(first: 4, orderBy: [{field: AMOUNT, direction: DESC}]) {
            pageInfo { startCursor endCursor hasNextPage } edges { cursor node { amount } } }
          b: financialProducts(first: 3, orderBy: [{field: MIN_RATE}]) {
            edges { cursor } pageInfo { endCursor } }
          c: disclosures(first: 3, orderBy: [{field: YEAR, direction: DESC}]) { edges { cursor } }
          d: technologyListings(first: 3, orderBy: [{field: MATURITY}]) { edges { cursor } }
          e: enterprises(first: 2, orderBy: [{field: NAME}]) {
            edges { cursor node { projects(first: 2, orderBy: [{field: TOTAL_INVESTMENT}]) {
              pageInfo { startCursor endCursor } edges { cursor } } } } }
          f: financingDemands(first: 0) { pageInfo { startCursor endCursor } }
        }""",
        _none,
        compiles=True,
        roots=6,
    ),
    # ---- the resolver path: the compiled path must step aside
    View(
        "guarded field",
        """{ financingDemands(first: 5) { edges { node { amount purpose } } } }""",
        _none,
        compiles=False,
    ),
    View(
        "computed field",
        """{ enterprises(first: 5) { edges { node { name region { name } } } } }""",
        _none,
        compiles=False,
    ),
    View(
        "backwards page",
        """{ enterprises(last: 2) { edges { node { name } } } }""",
        _none,
        compiles=False,
    ),
    View(
        "directive",
        """query($yes: Boolean!) { enterprises(first: 2) { edges { node { name @include(if: $yes) } } } }""",
        lambda s: {"yes": False},
        compiles=False,
    ),
    View(
        "invalid page size (the same error on both paths)",
        """{ enterprises(first: 100000) { edges { node { name } } } }""",
        _none,
        compiles=False,
    ),
    View(
        "invalid id (the same error on both paths)",
        """{ node(id: "not-an-id") { id } }""",
        _none,
        compiles=False,
    ),
    View(
        "page larger than the maximum (the same error on both paths)",
        """{ enterprises(first: 101) { edges { node { name } } } }""",
        _none,
        compiles=False,
    ),
    View(
        "nested invalid cursor (the error at the nested list on both paths)",
        """query($id: ID!) { node(id: $id) { ... on Enterprise { name
              projects(first: 2, after: "bm90LWEtY3Vyc29y") { edges { node { title } } } } } }""",
        lambda s: {"id": s.enterprise_gid},
        compiles=False,
    ),
    View(
        "a cursor of another ordering (the same error on both paths)",
        """query($after: String) { enterprises(first: 2, after: $after, orderBy: [{field: NAME}]) {
              edges { node { name } } } }""",
        lambda s: {"after": s.created_cursor},
        compiles=False,
    ),
    View(
        "statistics",
        _bench(4),
        _none,
        compiles=False,
    ),
]
