"""Accepting and correcting a project's suggestion: the moves, the kept corrections, the
counts, who may review (and that a refused review changes nothing), and the SQL count."""

from __future__ import annotations

from typing import Any

import pytest

from greenrong.domain.access.principal import Role
from greenrong.domain.identification.models import IdentificationStatus
from greenrong.domain.matching.tracked import ReviewAssignment
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_enterprise,
    create_expert,
    create_institution,
    create_project,
)
from tests.factories.statements import count_statements
from tests.identification.helpers import (
    ACCEPT,
    CORRECT,
    PROJECT_IDENTIFICATION,
    STATISTICS,
    correction_count,
    create_identification,
    suggestions,
)


async def _world(sessionmaker: Any) -> dict[str, Any]:
    """A project with a suggestion, its owner, an assigned expert, another expert, a bank."""
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="四川清流水务有限公司")
        project = await create_project(
            session,
            enterprise_id=owner.id,
            title="锦江区污水处理厂提标改造项目",
            description="城区污水处理厂提标改造至一级A",
        )
        await create_identification(session, project)
        assigned = await create_expert(session, name="王水清")
        other = await create_expert(session, name="李碳核")
        session.add(ReviewAssignment(project_id=project.id, expert_id=assigned.id))
        bank = await create_institution(session)
    return {
        "project": project,
        "id": to_global_id("Project", project.id),
        "owner": owner.id,
        "assigned": assigned.id,
        "other": other.id,
        "bank": bank.id,
    }


async def _state(sessionmaker: Any, world: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = await suggestions(sessionmaker, world["project"].id)
    return [(r.status, r.final_code, r.version) for r in rows] + [
        ("corrections", await correction_count(sessionmaker))
    ]


async def test_accept_sets_the_suggested_code_in_force(gql, sessionmaker) -> None:
    world = await _world(sessionmaker)

    body = await gql(ACCEPT, {"input": {"projectId": world["id"]}})

    assert body["data"]["acceptGreenIdentification"] == {
        "__typename": "GreenIdentificationSuccess",
        "identification": {"code": "5.3.1.1", "status": "ACCEPTED", "suggestedCode": "5.3.1.1"},
    }
    [row] = await suggestions(sessionmaker, world["project"].id)
    assert (row.status, row.final_code, row.reviewer_role) == (
        IdentificationStatus.ACCEPTED,
        "5.3.1.1",
        Role.ADMIN,
    )
    assert row.reviewed_at is not None


async def test_accepting_twice_is_an_invalid_transition_and_changes_nothing(
    gql, sessionmaker
) -> None:
    world = await _world(sessionmaker)
    await gql(ACCEPT, {"input": {"projectId": world["id"]}})
    before = await _state(sessionmaker, world)

    body = await gql(ACCEPT, {"input": {"projectId": world["id"]}})

    result = body["data"]["acceptGreenIdentification"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "INVALID_TRANSITION",
        "status",
    )
    assert await _state(sessionmaker, world) == before


async def test_corrections_are_kept_and_counted(gql, gql_as, sessionmaker) -> None:
    world = await _world(sessionmaker)

    # when a reviewer corrects, and corrects again
    first = await gql(
        CORRECT,
        {
            "input": {
                "projectId": world["id"],
                "code": "2.1.2.2",
                "reason": "园区集中式工业污水处理",
            }
        },
    )
    second = await gql_as(Role.REGULATOR)(
        CORRECT,
        {"input": {"projectId": world["id"], "code": "1.3.2.2", "reason": "属流域水环境综合治理"}},
    )

    # then
    assert first["data"]["correctGreenIdentification"]["identification"]["status"] == "CORRECTED"
    assert second["data"]["correctGreenIdentification"]["identification"] == {
        "code": "1.3.2.2",
        "status": "CORRECTED",
        "suggestedCode": "5.3.1.1",
        "corrections": [
            {
                "fromCode": "5.3.1.1",
                "toCode": "2.1.2.2",
                "reason": "园区集中式工业污水处理",
                "actorRole": "ADMIN",
            },
            {
                "fromCode": "2.1.2.2",
                "toCode": "1.3.2.2",
                "reason": "属流域水环境综合治理",
                "actorRole": "REGULATOR",
            },
        ],
    }
    stats = await gql(STATISTICS)
    assert stats["data"]["identificationStatistics"] == {
        "suggested": 1,
        "accepted": 0,
        "corrected": 1,
        "corrections": 2,
        "topCorrections": [
            {"fromCode": "2.1.2.2", "toCode": "1.3.2.2", "count": 1},
            {"fromCode": "5.3.1.1", "toCode": "2.1.2.2", "count": 1},
        ],
    }


async def test_statistics_count_accepted_and_corrected_projects(gql, gql_as, sessionmaker) -> None:
    # given three projects with suggestions
    ids = []
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        for title in ("污水处理厂提标", "屋顶光伏", "餐厨垃圾处理"):
            project = await create_project(session, enterprise_id=owner.id, title=title)
            await create_identification(session, project)
            ids.append(to_global_id("Project", project.id))

    # when one is accepted and two are corrected to the same code
    await gql(ACCEPT, {"input": {"projectId": ids[0]}})
    for pid in ids[1:]:
        await gql(CORRECT, {"input": {"projectId": pid, "code": "3.2.2.2", "reason": "实为光伏"}})

    # then the platform and the projects' owner count them
    figures = {
        "suggested": 3,
        "accepted": 1,
        "corrected": 2,
        "corrections": 2,
        "topCorrections": [{"fromCode": "5.3.1.1", "toCode": "3.2.2.2", "count": 2}],
    }
    for caller in (gql_as(Role.REGULATOR), gql_as(Role.ENTERPRISE, org_id=owner.id)):
        body = await caller(STATISTICS)
        assert body["data"]["identificationStatistics"] == figures
    # and the public and another enterprise, who may not see the projects, count none of them:
    # a private project's review moves no figure they see (no differencing)
    async with sessionmaker.begin() as session:
        other = await create_enterprise(session, name="绵阳清源环保")
    nothing = {
        "suggested": 0,
        "accepted": 0,
        "corrected": 0,
        "corrections": 0,
        "topCorrections": [],
    }
    for caller in (gql_as(None), gql_as(Role.ENTERPRISE, org_id=other.id)):
        body = await caller(STATISTICS)
        assert body["data"]["identificationStatistics"] == nothing


async def test_a_bad_correction_names_every_field_and_changes_nothing(gql, sessionmaker) -> None:
    world = await _world(sessionmaker)
    before = await _state(sessionmaker, world)

    body = await gql(CORRECT, {"input": {"projectId": world["id"], "code": "3.2.2", "reason": " "}})
    same = await gql(
        CORRECT, {"input": {"projectId": world["id"], "code": "5.3.1.1", "reason": "x"}}
    )

    assert body["data"]["correctGreenIdentification"]["errors"] == [
        {"field": "code", "code": "UNKNOWN_REFERENCE"},
        {"field": "reason", "code": "REQUIRED"},
    ]
    assert same["data"]["correctGreenIdentification"]["errors"] == [
        {"field": "code", "code": "INVALID"}
    ]
    assert await _state(sessionmaker, world) == before


async def test_a_project_without_a_suggestion_or_a_foreign_id_is_refused(gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        bare = await create_project(session, enterprise_id=owner.id)

    none_yet = await gql(ACCEPT, {"input": {"projectId": to_global_id("Project", bare.id)}})
    wrong_type = await gql(ACCEPT, {"input": {"projectId": to_global_id("Enterprise", owner.id)}})

    assert none_yet["data"]["acceptGreenIdentification"]["message"] == (
        "projectId: the project has no green identification yet"
    )
    assert wrong_type["data"]["acceptGreenIdentification"]["field"] == "projectId"
    assert wrong_type["data"]["acceptGreenIdentification"]["code"] == "INVALID"


@pytest.mark.parametrize(
    ("role", "org", "allowed"),
    [
        (None, None, False),
        (Role.ENTERPRISE, "owner", False),
        (Role.INSTITUTION, "bank", False),
        (Role.EXPERT, "other", False),
        (Role.PARTNER, None, False),
        (Role.EXPERT, "assigned", True),
        (Role.REGULATOR, None, True),
        (Role.ADMIN, None, True),
    ],
)
@pytest.mark.parametrize("mutation", ["accept", "correct"])
async def test_who_may_review(gql_as, sessionmaker, role, org, allowed, mutation) -> None:
    # given
    world = await _world(sessionmaker)
    before = await _state(sessionmaker, world)
    caller = gql_as(role, org_id=None if org is None else world[org])

    # when
    if mutation == "accept":
        body = await caller(ACCEPT, {"input": {"projectId": world["id"]}})
        result = body["data"]["acceptGreenIdentification"]
    else:
        variables = {"projectId": world["id"], "code": "2.1.2.2", "reason": "园区工业污水"}
        body = await caller(CORRECT, {"input": variables})
        result = body["data"]["correctGreenIdentification"]

    # then
    if allowed:
        assert result["__typename"] == "GreenIdentificationSuccess"
        assert result["identification"]["status"] == (
            "ACCEPTED" if mutation == "accept" else "CORRECTED"
        )
    else:
        assert (result["__typename"], result["code"]) == ("ForbiddenError", "FORBIDDEN")
        assert await _state(sessionmaker, world) == before


@pytest.mark.parametrize(
    ("role", "org", "visible"),
    [
        (None, None, False),
        (Role.ENTERPRISE, "owner", True),
        (Role.INSTITUTION, "bank", False),
        (Role.EXPERT, "other", False),
        (Role.EXPERT, "assigned", True),
        (Role.REGULATOR, None, True),
        (Role.ADMIN, None, True),
    ],
)
async def test_who_sees_the_project_identification(
    gql_as, sessionmaker, role, org, visible
) -> None:
    world = await _world(sessionmaker)

    body = await gql_as(role, org_id=None if org is None else world[org])(
        PROJECT_IDENTIFICATION, {"id": world["id"]}
    )

    node = body["data"]["node"]
    if visible:
        assert node["greenIdentification"]["suggestedCode"] == "5.3.1.1"
        assert node["greenIdentification"]["candidates"] == ["5.3.1.1", "1.5.3.3", "2.1.2.2"]
    else:
        assert node is None


LIST = """query($first: Int!) { projects(first: $first) { edges { node { title
  greenIdentification { code status corrections { toCode reason } } } } } }"""


async def test_the_identification_of_a_project_list_costs_fixed_statements(
    app, gql, sessionmaker
) -> None:
    # given 8 projects, each with a suggestion and a correction
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        for n in range(8):
            project = await create_project(session, enterprise_id=owner.id, title=f"项目{n}")
            await create_identification(session, project)
    for edge in (await gql(LIST, {"first": 8}))["data"]["projects"]["edges"]:
        assert edge["node"]["greenIdentification"]["status"] == "SUGGESTED"
    listed = await gql("{ projects(first: 8) { edges { node { id } } } }")
    for edge in listed["data"]["projects"]["edges"]:
        await gql(
            CORRECT,
            {"input": {"projectId": edge["node"]["id"], "code": "3.2.2.2", "reason": "实为光伏"}},
        )

    # when
    with count_statements(app.state.resources.engine) as small:
        two = await gql(LIST, {"first": 2})
    with count_statements(app.state.resources.engine) as large:
        eight = await gql(LIST, {"first": 8})

    # then: the page, the suggestions, their corrections
    assert len(small) == len(large) == 3
    assert len(eight["data"]["projects"]["edges"]) == 8
    assert two["data"]["projects"]["edges"][0]["node"]["greenIdentification"]["corrections"] == [
        {"toCode": "3.2.2.2", "reason": "实为光伏"}
    ]
