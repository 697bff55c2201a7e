"""The certification lists cost a constant number of statements, however many rows a page has
(per-request DataLoaders for every nested list and to-one field)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from greenrong.domain.access.principal import Role
from tests.factories.certification import issued
from tests.factories.entities import create_enterprise, create_expert, create_project
from tests.factories.statements import count_statements

LIST = """
query($first: Int!) {
  certifications(first: $first) {
    totalCount
    edges { node {
      certificateNumber level score
      enterprise { name currentCertification { certificateNumber } }
      project { title greenLevel }
      explanation { dimensions { reviewerScores } }
      reviews(first: 5) { totalCount edges { node { total expert { name } } } }
      history(first: 20) { totalCount edges { node { action actorRole } } }
    } }
  }
}"""

NESTED = """
query($first: Int!) {
  enterprises(first: $first, orderBy: [{field: NAME}]) {
    edges { node {
      name
      currentCertification { level }
      certifications(first: 3) { totalCount edges { node { status } } }
      projects(first: 3) { edges { node {
        greenLevel
        currentCertification { certificateNumber }
        certifications(first: 3) { edges { node { level } } }
      } } }
    } }
  }
}"""


async def _seed(sessionmaker, n: int) -> None:
    async with sessionmaker.begin() as session:
        experts = [
            (
                await create_expert(
                    session, name=f"专家{i}", affiliation=f"四川省环境科学研究院{i}所"
                )
            ).id
            for i in range(2)
        ]
        for i in range(n):
            firm = await create_enterprise(session, name=f"四川绿色企业{i:02d}有限公司")
            project = await create_project(session, enterprise_id=firm.id, title=f"光伏电站{i:02d}")
            await issued(session, enterprise_id=firm.id, experts=experts, on=date(2026, 6, 1))
            await issued(
                session,
                project_id=project.id,
                experts=experts,
                share=Decimal("0.6"),
                on=date(2026, 6, 1),
            )


async def test_the_certifications_list_costs_the_same_for_2_and_10_rows(
    app, gql_as, sessionmaker
) -> None:
    # given 10 enterprises, each certified with one certified project (20 certifications)
    await _seed(sessionmaker, 10)
    admin = gql_as(Role.ADMIN)
    engine = app.state.resources.engine

    # when
    with count_statements(engine) as statements:
        small = await admin(LIST, {"first": 2})
    small_count = len(statements)
    assert len(small["data"]["certifications"]["edges"]) == 2
    with count_statements(engine) as statements:
        large = await admin(LIST, {"first": 20})

    # then: page, count, enterprises, their current certificates, projects, submitted reviews,
    # reviews page, reviews count, experts, history page, history count
    assert "errors" not in large, large
    assert small_count == 11
    assert len(statements) == 11
    edges = large["data"]["certifications"]["edges"]
    assert len(edges) == 20
    assert large["data"]["certifications"]["totalCount"] == 20
    assert {len(e["node"]["reviews"]["edges"]) for e in edges} == {2}
    assert {e["node"]["history"]["totalCount"] for e in edges} == {8}


async def test_certifications_under_enterprises_and_projects_cost_the_same_for_2_and_10(
    app, gql_as, sessionmaker
) -> None:
    await _seed(sessionmaker, 10)
    regulator = gql_as(Role.REGULATOR)
    engine = app.state.resources.engine

    with count_statements(engine) as statements:
        await regulator(NESTED, {"first": 2})
    small_count = len(statements)
    with count_statements(engine) as statements:
        large = await regulator(NESTED, {"first": 10})

    # enterprises page, their current certificates, certifications page and count, projects
    # page, the projects' current certificates, the projects' certifications page
    assert "errors" not in large, large
    assert small_count == 7
    assert len(statements) == 7
    edges = large["data"]["enterprises"]["edges"]
    assert [e["node"]["currentCertification"]["level"] for e in edges] == ["DEEP_GREEN"] * 10
    assert {e["node"]["certifications"]["totalCount"] for e in edges} == {2}
    projects = [p["node"] for e in edges for p in e["node"]["projects"]["edges"]]
    assert [p["greenLevel"] for p in projects] == ["GREEN"] * 10
    assert all(
        p["currentCertification"]["certificateNumber"].startswith("SCGP-2026-") for p in projects
    )
