"""The N+1 guard: a 3-level nested view costs the same statements for 2 or 10 parents."""

from __future__ import annotations

from tests.factories.entities import create_demand, create_enterprise, create_project
from tests.factories.statements import count_statements

VIEW = """
query($first: Int!) {
  enterprises(first: $first, orderBy: [{field: NAME}]) {
    totalCount
    edges { node {
      name region { name }
      projects(first: 5) { totalCount edges { node {
        title
        enterprise { name }
        financingDemands(first: 3) { edges { node { amount status product { name } } } }
      } } }
    } }
  }
}"""


async def seed(sessionmaker, enterprises: int) -> None:
    async with sessionmaker.begin() as session:
        for e in range(enterprises):
            enterprise = await create_enterprise(session, name=f"企业{e:02d}")
            for _ in range(6):
                project = await create_project(session, enterprise_id=enterprise.id)
                for _ in range(4):
                    await create_demand(session, enterprise_id=enterprise.id, project_id=project.id)


async def test_nested_view_statement_count_does_not_grow_with_page_size(
    app, gql, sessionmaker
) -> None:
    # given 10 enterprises × 6 projects × 4 demands
    await seed(sessionmaker, 10)

    # when
    with count_statements(app.state.resources.engine) as statements:
        small = await gql(VIEW, {"first": 2})
    small_count = len(statements)
    with count_statements(app.state.resources.engine) as statements:
        large = await gql(VIEW, {"first": 10})

    # then: page, count, projects page, projects count, owner enterprises, demands page, products
    # (the products loader has no ids to load: no demand has a product, so it issues nothing)
    assert small_count == 6
    assert len(statements) == 6
    edges = large["data"]["enterprises"]["edges"]
    assert len(edges) == 10
    assert [len(e["node"]["projects"]["edges"]) for e in edges] == [5] * 10
    assert {e["node"]["projects"]["totalCount"] for e in edges} == {6}
    demands = [
        p["node"]["financingDemands"]["edges"]
        for e in edges
        for p in e["node"]["projects"]["edges"]
    ]
    assert {len(d) for d in demands} == {3}
    assert small["data"]["enterprises"]["totalCount"] == 10
