"""admitToLibrary, endLibraryMembership, recommendForCultivation, reviewCultivationRecommendation:
who may (anonymous, other party, owner, regulator, admin), typed errors, and nothing changed
on refusal."""

from __future__ import annotations

from datetime import date

import pytest

from greenrong.domain.access.principal import Role
from greenrong.domain.kit.clock import today
from greenrong.domain.libraries.models import (
    CultivationRecommendation,
    Library,
    LibraryMembership,
    RecommendationStatus,
)
from greenrong.domain.projects.models import Project
from greenrong.schema.kit.ids import from_global_id, to_global_id
from tests.factories.entities import (
    create_enterprise,
    create_expert,
    create_institution,
    create_project,
)
from tests.libraries.helpers import certified, counts, screened

ADMIT = """
mutation($input: AdmitToLibraryInput!) {
  result: admitToLibrary(input: $input) {
    __typename
    ... on LibraryMembershipSuccess { membership { library source since climateType
      climateScope { code } project { title libraries } } }
    ... on ValidationError { code field errors { field code } }
    ... on ForbiddenError { code }
  }
}"""
END = """
mutation($input: EndLibraryMembershipInput!) {
  result: endLibraryMembership(input: $input) {
    __typename
    ... on LibraryMembershipSuccess { membership { until endedReason isOpen version } }
    ... on ValidationError { code field }
    ... on ConflictError { currentVersion }
  }
}"""
RECOMMEND = """
mutation($input: RecommendForCultivationInput!) {
  result: recommendForCultivation(input: $input) {
    __typename
    ... on CultivationRecommendationSuccess { recommendation { id version status department
      recommendedBy project { title } } }
    ... on ValidationError { code field }
  }
}"""
REVIEW = """
mutation($input: ReviewCultivationRecommendationInput!) {
  result: reviewCultivationRecommendation(input: $input) {
    __typename
    ... on CultivationRecommendationSuccess { recommendation { status reviewReason version
      membership { library source since department isOpen } project { libraries } } }
    ... on ValidationError { code field message }
  }
}"""


async def _orgs(session) -> dict[str, object]:
    owner = await create_enterprise(session, name="眉山光伏组件有限公司")
    return {
        "owner": owner,
        "other": await create_enterprise(session, name="内江再生资源有限公司"),
        "bank": await create_institution(session, name="四川银行"),
        "expert": await create_expert(session),
        "project": await create_project(session, enterprise_id=owner.id, title="眉山分布式光伏"),
    }


def _caller(gql_as, orgs, who: str | None):
    roles = {
        None: (None, None),
        "other": (Role.ENTERPRISE, "other"),
        "owner": (Role.ENTERPRISE, "owner"),
        "bank": (Role.INSTITUTION, "bank"),
        "expert": (Role.EXPERT, "expert"),
        "regulator": (Role.REGULATOR, None),
        "admin": (Role.ADMIN, None),
    }
    role, org = roles[who]
    return gql_as(role, org_id=orgs[org].id if org else None)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "ForbiddenError"),
        ("other", "ForbiddenError"),
        ("owner", "ForbiddenError"),  # an enterprise does not list its own project
        ("bank", "ForbiddenError"),
        ("regulator", "LibraryMembershipSuccess"),
        ("admin", "LibraryMembershipSuccess"),
    ],
)
async def test_admit_to_a_screening_list_by_role(gql_as, sessionmaker, who, expected) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
    before = await counts(sessionmaker)

    body = await _caller(gql_as, orgs, who)(
        ADMIT,
        {
            "input": {
                "library": "CLIMATE_INVESTMENT",
                "subjectId": to_global_id("Project", orgs["project"].id),
                "reason": "成都市重点气候投融资项目清单",
                "since": "2022-03-01",
                "climateType": "MITIGATION",
                "climateScope": ["MIT-2"],
            }
        },
    )

    result = body["data"]["result"]
    assert result["__typename"] == expected
    async with sessionmaker() as session:
        project = await session.get(Project, orgs["project"].id)
        assert project is not None
    if expected == "ForbiddenError":
        assert result["code"] == "FORBIDDEN"
        assert await counts(sessionmaker) == before
        assert project.libraries == []
    else:
        assert result["membership"] == {
            "library": "CLIMATE_INVESTMENT",
            "source": "SCREENING",
            "since": "2022-03-01",
            "climateType": "MITIGATION",
            "climateScope": [{"code": "MIT-2"}],
            "project": {"title": "眉山分布式光伏", "libraries": ["CLIMATE_INVESTMENT"]},
        }
        # the membership and the project's libraries update, each with its event
        assert await counts(sessionmaker) == (before[0] + 1, 0, before[2] + 2)
        assert project.libraries == ["CLIMATE_INVESTMENT"]


@pytest.mark.parametrize(
    ("input", "errors"),
    [
        (
            {"library": "GREEN_PROJECT"},
            [{"field": "library", "code": "INVALID"}],
        ),
        (
            {"climateType": "MITIGATION", "climateScope": ["ADA-1"]},
            [{"field": "climateScope", "code": "INVALID"}],
        ),
        (
            {"climateType": "BOTH", "climateScope": ["MIT-1"]},
            [{"field": "climateScope", "code": "INVALID"}],
        ),
        (
            {"climateType": "NONE", "climateScope": ["MIT-1"]},
            [{"field": "climateType", "code": "REQUIRED"}],
        ),
        (
            {"climateScope": ["MIT-9"], "reason": "", "until": "2021-01-01"},
            [
                {"field": "reason", "code": "REQUIRED"},
                {"field": "until", "code": "OUT_OF_RANGE"},
                {"field": "climateScope", "code": "INVALID"},
            ],
        ),
        (
            {
                "library": "PBOC_CARBON_REDUCTION",
                "climateType": None,
                "climateScope": None,
                "pbocArea": "ENERGY_SAVING",
                "pbocSubArea": "太阳能利用",
            },
            [{"field": "pbocSubArea", "code": "UNKNOWN_REFERENCE"}],
        ),
        (
            {"library": "CLIMATE_FRIENDLY", "pbocArea": "CLEAN_ENERGY"},
            [
                {"field": "climateType", "code": "INVALID"},
                {"field": "climateScope", "code": "INVALID"},
                {"field": "pbocArea", "code": "INVALID"},
            ],
        ),
    ],
)
async def test_bad_admission_is_a_typed_error_and_changes_nothing(
    gql, sessionmaker, input, errors
) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
    before = await counts(sessionmaker)
    base = {
        "library": "CLIMATE_INVESTMENT",
        "subjectId": to_global_id("Project", orgs["project"].id),
        "reason": "筛选入库",
        "since": "2022-03-01",
        "climateType": "ADAPTATION",
        "climateScope": ["ADA-1"],
    }

    body = await gql(ADMIT, {"input": {**base, **input}})

    result = body["data"]["result"]
    assert result["__typename"] == "ValidationError"
    assert result["errors"] == errors
    assert await counts(sessionmaker) == before


async def test_admitting_twice_is_a_duplicate(gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
        await screened(session, Library.CLIMATE_FRIENDLY, orgs["project"].id, date(2022, 1, 1))
    before = await counts(sessionmaker)
    body = await gql(
        ADMIT,
        {
            "input": {
                "library": "CLIMATE_FRIENDLY",
                "subjectId": to_global_id("Project", orgs["project"].id),
                "reason": "再次筛选",
                "since": "2023-01-01",
            }
        },
    )
    assert body["data"]["result"]["errors"] == [{"field": "subjectId", "code": "DUPLICATE"}]
    assert await counts(sessionmaker) == before


@pytest.mark.dated
@pytest.mark.parametrize(
    ("who", "library", "expected"),
    [
        # a project membership is seen with its project: hidden from the public and the bank,
        # so it answers as missing; the owner sees it but may not end it
        (None, Library.CLIMATE_FRIENDLY, "NotFoundError"),
        ("owner", Library.CLIMATE_FRIENDLY, "ForbiddenError"),
        ("bank", Library.CLIMATE_FRIENDLY, "NotFoundError"),
        ("regulator", Library.CLIMATE_FRIENDLY, "LibraryMembershipSuccess"),
        ("admin", Library.CLIMATE_FRIENDLY, "LibraryMembershipSuccess"),
        ("regulator", Library.GREEN_PROJECT, "ForbiddenError"),  # certification ends it
        ("admin", Library.GREEN_PROJECT, "LibraryMembershipSuccess"),
    ],
)
async def test_end_membership_by_role(gql_as, sessionmaker, who, library, expected) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
        if library is Library.GREEN_PROJECT:
            membership = await certified(
                session, library, "Project", orgs["project"].id, date(2022, 1, 1)
            )
        else:
            membership = await screened(session, library, orgs["project"].id, date(2022, 1, 1))
    before = await counts(sessionmaker)
    input = {
        "id": to_global_id("LibraryMembership", membership.id),
        "version": 1,
        "on": (today().replace(day=1)).isoformat(),
        "reason": "不再符合条件",
    }

    body = await _caller(gql_as, orgs, who)(END, {"input": input})

    result = body["data"]["result"]
    assert result["__typename"] == expected
    async with sessionmaker() as session:
        row = await session.get(LibraryMembership, membership.id)
        project = await session.get(Project, orgs["project"].id)
    assert row is not None
    assert project is not None
    if expected in ("ForbiddenError", "NotFoundError"):
        assert await counts(sessionmaker) == before
        assert (row.until, row.ended_reason, row.version) == (None, None, 1)
        assert project.libraries == [library.value]
    else:
        assert result["membership"] == {
            "until": today().replace(day=1).isoformat(),
            "endedReason": "不再符合条件",
            "isOpen": today().day == 1,
            "version": 2,
        }


async def test_ending_twice_stale_or_too_early_is_refused(gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
        membership = await screened(
            session, Library.CLIMATE_FRIENDLY, orgs["project"].id, date(2022, 1, 1)
        )
    id = to_global_id("LibraryMembership", membership.id)

    early = await gql(
        END, {"input": {"id": id, "version": 1, "on": "2021-12-31", "reason": "错误"}}
    )
    assert early["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "OUT_OF_RANGE",
        "field": "on",
    }
    ok = await gql(END, {"input": {"id": id, "version": 1, "on": "2023-06-30", "reason": "到期"}})
    assert ok["data"]["result"]["__typename"] == "LibraryMembershipSuccess"
    stale = await gql(
        END, {"input": {"id": id, "version": 1, "on": "2023-07-01", "reason": "到期"}}
    )
    assert stale["data"]["result"] == {"__typename": "ConflictError", "currentVersion": 2}
    again = await gql(
        END, {"input": {"id": id, "version": 2, "on": "2023-07-01", "reason": "到期"}}
    )
    assert again["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "INVALID_TRANSITION",
        "field": "on",
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "ForbiddenError"),
        ("other", "ForbiddenError"),
        ("owner", "ForbiddenError"),
        ("bank", "ForbiddenError"),
        ("expert", "ForbiddenError"),
        ("regulator", "CultivationRecommendationSuccess"),
        ("admin", "CultivationRecommendationSuccess"),
    ],
)
async def test_recommend_for_cultivation_by_role(gql_as, sessionmaker, who, expected) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
    before = await counts(sessionmaker)

    body = await _caller(gql_as, orgs, who)(
        RECOMMEND,
        {
            "input": {
                "projectId": to_global_id("Project", orgs["project"].id),
                "department": "省发展改革委",
                "reason": "符合绿色培育条件",
            }
        },
    )

    result = body["data"]["result"]
    assert result["__typename"] == expected
    if expected in ("ForbiddenError", "NotFoundError"):
        assert await counts(sessionmaker) == before
    else:
        rec = result["recommendation"]
        assert (rec["status"], rec["department"], rec["recommendedBy"], rec["project"]) == (
            "RECOMMENDED",
            "省发展改革委",
            "测试用户",
            {"title": "眉山分布式光伏"},
        )
        assert await counts(sessionmaker) == (0, 1, before[2] + 1)


async def _recommended(gql_as, sessionmaker) -> tuple[dict[str, object], dict[str, object]]:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
    body = await gql_as(Role.REGULATOR)(
        RECOMMEND,
        {
            "input": {
                "projectId": to_global_id("Project", orgs["project"].id),
                "department": "经济和信息化厅",
                "reason": "技改节能效果明显",
            }
        },
    )
    return orgs, body["data"]["result"]["recommendation"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, "ForbiddenError"),
        ("owner", "ForbiddenError"),
        ("bank", "ForbiddenError"),
        ("regulator", "ForbiddenError"),  # a department recommends; the platform reviews
        ("admin", "CultivationRecommendationSuccess"),
    ],
)
async def test_review_by_role(gql_as, sessionmaker, who, expected) -> None:
    orgs, rec = await _recommended(gql_as, sessionmaker)
    before = await counts(sessionmaker)

    body = await _caller(gql_as, orgs, who)(
        REVIEW,
        {"input": {"id": rec["id"], "version": 1, "decision": "ACCEPT", "since": "2022-04-01"}},
    )

    result = body["data"]["result"]
    assert result["__typename"] == expected
    if expected in ("ForbiddenError", "NotFoundError"):
        assert await counts(sessionmaker) == before
        async with sessionmaker() as session:
            row = await session.get(CultivationRecommendation, from_global_id(str(rec["id"]))[1])
            assert row is not None
            assert row.status is RecommendationStatus.RECOMMENDED
    else:
        assert result["recommendation"] == {
            "status": "ACCEPTED",
            "reviewReason": None,
            "version": 2,
            "membership": {
                "library": "CULTIVATION",
                "source": "RECOMMENDATION",
                "since": "2022-04-01",
                "department": "经济和信息化厅",
                "isOpen": True,
            },
            "project": {"libraries": ["CULTIVATION"]},
        }
        # the membership, the project's libraries, the recommendation's update
        assert await counts(sessionmaker) == (1, 1, before[2] + 3)


async def test_rejection_needs_reasons_and_both_outcomes_are_final(
    gql, gql_as, sessionmaker
) -> None:
    _, rec = await _recommended(gql_as, sessionmaker)
    before = await counts(sessionmaker)

    no_reason = await gql(REVIEW, {"input": {"id": rec["id"], "version": 1, "decision": "REJECT"}})
    assert no_reason["data"]["result"]["code"] == "REQUIRED"
    assert no_reason["data"]["result"]["field"] == "reason"
    assert await counts(sessionmaker) == before

    rejected = await gql(
        REVIEW,
        {"input": {"id": rec["id"], "version": 1, "decision": "REJECT", "reason": "材料不全"}},
    )
    assert rejected["data"]["result"]["recommendation"] == {
        "status": "REJECTED",
        "reviewReason": "材料不全",
        "version": 2,
        "membership": None,
        "project": {"libraries": []},
    }

    after = await counts(sessionmaker)
    again = await gql(REVIEW, {"input": {"id": rec["id"], "version": 2, "decision": "ACCEPT"}})
    result = again["data"]["result"]
    assert (result["code"], result["field"]) == ("INVALID_TRANSITION", "status")
    assert (
        result["message"]
        == "status: cannot move from REJECTED to ACCEPTED; allowed next: none (final)"
    )
    assert await counts(sessionmaker) == after


async def test_a_pending_or_admitted_project_is_not_recommended_again(
    gql, gql_as, sessionmaker
) -> None:
    orgs, rec = await _recommended(gql_as, sessionmaker)
    input = {
        "projectId": to_global_id("Project", orgs["project"].id),
        "department": "生态环境厅",
        "reason": "再次推荐",
    }
    pending = await gql(RECOMMEND, {"input": input})
    assert pending["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "DUPLICATE",
        "field": "projectId",
    }
    await gql(REVIEW, {"input": {"id": rec["id"], "version": 1, "decision": "ACCEPT"}})
    admitted = await gql(RECOMMEND, {"input": input})
    assert admitted["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "DUPLICATE",
        "field": "projectId",
    }
    unknown = await gql(
        RECOMMEND, {"input": {**input, "projectId": to_global_id("Project", orgs["owner"].id)}}
    )
    assert unknown["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "UNKNOWN_REFERENCE",
        "field": "projectId",
    }


async def test_project_libraries_are_not_written_directly(gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        orgs = await _orgs(session)
        await screened(session, Library.CLIMATE_FRIENDLY, orgs["project"].id, date(2022, 1, 1))
    before = await counts(sessionmaker)
    update = """mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
        __typename ... on ValidationError { code field } ... on ProjectSuccess { project { title libraries } } } }"""
    pid = to_global_id("Project", orgs["project"].id)

    refused = await gql(
        update, {"input": {"id": pid, "version": 2, "libraries": ["GREEN_PROJECT"]}}
    )
    same = await gql(
        update,
        {
            "input": {
                "id": pid,
                "version": 2,
                "libraries": ["CLIMATE_FRIENDLY"],
                "title": "眉山光伏二期",
            }
        },
    )

    assert refused["data"]["updateProject"] == {
        "__typename": "ValidationError",
        "code": "INVALID",
        "field": "libraries",
    }
    assert same["data"]["updateProject"] == {
        "__typename": "ProjectSuccess",
        "project": {"title": "眉山光伏二期", "libraries": ["CLIMATE_FRIENDLY"]},
    }
    assert (await counts(sessionmaker))[:2] == before[:2]
