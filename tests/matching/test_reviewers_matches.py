"""Project.reviewerMatches: fit by field and specialties, conflicts of interest, the review cap."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.core.errors import ValidationFailed
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.matching import reviewers
from greenrong.domain.matching.tracked import ReviewAssignment, ReviewStatus
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.indexers.experts.document import EXPERTS
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise, create_expert, create_project
from tests.factories.statements import count_statements
from tests.search.helpers import index

REVIEWERS = """
query($id: ID!, $first: Int) {
  node(id: $id) {
    ... on Project {
      reviewerMatches(first: $first) {
        __typename
        ... on ReviewerMatchConnection {
          edges { rank score node { name } reasons { code message weight } }
        }
      }
    }
  }
}"""
OWNER = "四川清流水务有限公司"
LIMIT = 3  # Settings.review_open_limit's default


async def _reviewers(gql: Any, project: Any, first: int = 5) -> list[dict[str, Any]]:
    body = await gql(REVIEWERS, {"id": to_global_id("Project", project.id), "first": first})
    assert "errors" not in body, body["errors"]
    result = body["data"]["node"]["reviewerMatches"]
    assert result["__typename"] == "ReviewerMatchConnection", result
    edges: list[dict[str, Any]] = result["edges"]
    return edges


def _names(edges: list[dict[str, Any]]) -> list[str]:
    return [e["node"]["name"] for e in edges]


async def _world(app: Any, sessionmaker: Any) -> Any:
    """A wastewater project of 四川清流水务 and five experts."""
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name=OWNER, region_code="510104")
        project = await create_project(
            session,
            enterprise_id=owner.id,
            title="锦江区污水处理厂提标改造项目",
            description="采用膜生物反应器工艺提升出水水质，削减水污染物排放",
            green_category=GreenCategory.ENERGY_SAVING_ENVIRONMENTAL,
            region_code="510104",
        )
        specs = [
            ("王水清", "环境科学与工程", ["水污染控制", "流域水环境治理"], "四川大学", "510107"),
            (
                "李碳核",
                "碳排放核算与管理",
                ["温室气体核算", "碳核查"],
                "成都碳中和产业研究院",
                "510116",
            ),
            ("赵冲突", "环境科学与工程", ["水污染控制"], "四川 清流水务 有限公司", "510104"),
            ("孙集团", "环境科学与工程", ["水污染控制"], "四川清流水务有限公司技术中心", "510104"),
            ("钱林业", "林学", ["森林经营"], "四川省林业科学研究院", "510105"),
        ]
        for name, field, specialties, affiliation, region in specs:
            await create_expert(
                session,
                name=name,
                field=field,
                specialties=specialties,
                affiliation=affiliation,
                region_code=region,
                title=ExpertTitle.PROFESSOR,
                bio=f"{name}长期从事{field}研究，擅长{'、'.join(specialties)}。",
            )
    await index(app, sessionmaker, EXPERTS)
    return project


async def test_experts_whose_field_and_specialties_fit_rank_first_with_reasons(
    app, sessionmaker, gql
) -> None:
    # given
    project = await _world(app, sessionmaker)

    # when
    edges = await _reviewers(gql, project)

    # then: the water expert first; the conflicted two are gone; the forester fits nothing
    assert _names(edges) == ["王水清", "李碳核"]
    best = {r["code"]: (r["message"], r["weight"]) for r in edges[0]["reasons"]}
    assert best["FIELD"] == ("专业领域“环境科学与工程”对口节能环保项目", 3.0)
    assert best["SPECIALTY"] == ("专长“水污染控制”与项目内容相关", 0.0)
    assert best["SAME_PREFECTURE"] == ("专家在成都市，便于现场核查", 0.5)
    assert best["NO_CONFLICT"] == ("任职单位“四川大学”与项目业主无关联", 0.0)
    assert best["WORKLOAD"] == ("当前在审项目0个", 0.0)
    assert edges[0]["rank"] == 1
    assert edges[0]["score"] > edges[1]["score"]


@pytest.mark.parametrize(
    ("affiliation", "owner", "expected"),
    [
        ("四川清流水务有限公司", OWNER, True),
        ("四川 （清流） 水务有限公司", "四川清流水务有限公司", True),  # spaces, brackets, width
        ("四川清流水务有限公司技术中心", OWNER, True),  # a part of the owner
        ("清流水务", OWNER, True),  # four characters contained
        ("清流", OWNER, False),  # too short to say
        ("四川大学", OWNER, False),
    ],
)
def test_conflicts_of_interest_compare_normalised_names(
    affiliation: str, owner: str, expected: bool
) -> None:
    assert reviewers.conflicted(affiliation, owner) is expected


async def _assign(sessionmaker: Any, project: Any, expert_id: Any) -> ReviewAssignment:
    async with sessionmaker.begin() as session:
        return await reviewers.assign_reviewer(
            session, project_id=project.id, expert_id=expert_id, open_limit=LIMIT
        )


async def _other_projects(sessionmaker: Any, n: int) -> list[Any]:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="泸州水务集团有限公司")
        return [
            await create_project(session, enterprise_id=owner.id, title=f"泸州污水管网项目{i}")
            for i in range(n)
        ]


async def _expert_named(sessionmaker: Any, name: str) -> Any:
    from greenrong.domain.experts.models import Expert

    async with sessionmaker() as session:
        return (await session.scalars(select(Expert).where(Expert.name == name))).one()


async def test_an_expert_at_the_open_review_limit_is_left_out_until_one_is_done(
    app, sessionmaker, gql
) -> None:
    # given: 王水清 holds limit - 1 open reviews
    project = await _world(app, sessionmaker)
    water = await _expert_named(sessionmaker, "王水清")
    others = await _other_projects(sessionmaker, LIMIT)
    for other in others[: LIMIT - 1]:
        await _assign(sessionmaker, other, water.id)

    # then: one below the limit still matches, and the reason says how many
    edges = await _reviewers(gql, project)
    assert _names(edges)[0] == "王水清"
    assert {"code": "WORKLOAD", "message": "当前在审项目2个", "weight": 0.0} in edges[0]["reasons"]

    # when: the limit is reached
    last = await _assign(sessionmaker, others[LIMIT - 1], water.id)

    # then
    assert "王水清" not in _names(await _reviewers(gql, project))

    # when: one review is done
    async with sessionmaker.begin() as session:
        await reviewers.complete_review(session, id=last.id, version=last.version)

    # then
    assert _names(await _reviewers(gql, project))[0] == "王水清"


async def test_open_certification_reviews_count_toward_the_project_limit_too(
    app, sessionmaker, gql
) -> None:
    """One load rule for every reviewer match: Enterprise.reviewerMatches counted an expert's
    certification reviews, Project.reviewerMatches did not."""
    from greenrong.domain.certification import service as certification
    from tests.factories.certification import submitted

    # given: 王水清 holds limit - 1 open certification reviews, and no project review
    project = await _world(app, sessionmaker)
    water = await _expert_named(sessionmaker, "王水清")
    async with sessionmaker.begin() as session:
        helper = await create_expert(session, name="孙协助", affiliation="成都理工大学")
        certifications = []
        for n in range(LIMIT):
            firm = await create_enterprise(session, name=f"德阳环保设备{n}有限公司")
            certifications.append(await submitted(session, enterprise_id=firm.id))

    async def review(n: int) -> None:
        async with sessionmaker.begin() as session:
            cert = certifications[n]
            await certification.assign_reviewers(
                session,
                id=cert.id,
                version=cert.version,
                expert_ids=[water.id, helper.id],
                open_limit=9,
                min_reviewers=2,
            )

    for n in range(LIMIT - 1):
        await review(n)
    edges = await _reviewers(gql, project)
    assert _names(edges)[0] == "王水清"
    assert {"code": "WORKLOAD", "message": "当前在审项目2个", "weight": 0.0} in edges[0]["reasons"]

    # when: a third certification review reaches the limit
    await review(LIMIT - 1)

    # then: the project's matches leave the expert out, and an assignment is refused
    assert "王水清" not in _names(await _reviewers(gql, project))
    with pytest.raises(ValidationFailed) as refused:
        await _assign(sessionmaker, project, water.id)
    assert refused.value.issues[0].message == (
        f"the expert already holds {LIMIT} open reviews (the limit is {LIMIT})"
    )


async def test_assigning_beyond_the_limit_or_with_a_conflict_is_refused_and_changes_nothing(
    app, sessionmaker
) -> None:
    # given: 王水清 at the limit
    project = await _world(app, sessionmaker)
    water = await _expert_named(sessionmaker, "王水清")
    conflicted = await _expert_named(sessionmaker, "赵冲突")
    for other in await _other_projects(sessionmaker, LIMIT):
        await _assign(sessionmaker, other, water.id)

    async def counts() -> tuple[int, int]:
        async with sessionmaker() as session:
            return (
                int(await session.scalar(select(func.count()).select_from(ReviewAssignment)) or 0),
                int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
            )

    before = await counts()

    # when / then
    with pytest.raises(ValidationFailed) as at_limit:
        await _assign(sessionmaker, project, water.id)
    with pytest.raises(ValidationFailed) as conflict:
        await _assign(sessionmaker, project, conflicted.id)
    assert [(i.field, i.code.value) for i in at_limit.value.issues] == [
        ("expert_id", "OUT_OF_RANGE")
    ]
    assert [(i.field, i.code.value) for i in conflict.value.issues] == [("expert_id", "INVALID")]
    assert await counts() == before


async def test_a_done_review_cannot_be_completed_again(app, sessionmaker) -> None:
    # given
    project = await _world(app, sessionmaker)
    water = await _expert_named(sessionmaker, "王水清")
    assignment = await _assign(sessionmaker, project, water.id)
    async with sessionmaker.begin() as session:
        done = await reviewers.complete_review(
            session, id=assignment.id, version=assignment.version
        )
    assert done.status is ReviewStatus.DONE

    # when / then
    with pytest.raises(ValidationFailed):
        async with sessionmaker.begin() as session:
            await reviewers.complete_review(session, id=done.id, version=done.version)


async def test_reviewers_of_many_projects_take_a_fixed_number_of_statements(
    app, sessionmaker, gql
) -> None:
    # given: four projects
    await _world(app, sessionmaker)
    await _other_projects(sessionmaker, 3)
    # when
    with count_statements(app.state.resources.engine) as statements:
        body = await gql(
            """{ projects(first: 10) { edges { node { reviewerMatches(first: 2) {
                 ... on ReviewerMatchConnection { edges { node { name } } } } } } } }"""
        )

    # then: the page, projects with owners, experts at the limit, the experts, their reviews
    assert "errors" not in body, body
    assert len(statements) == 5, statements
