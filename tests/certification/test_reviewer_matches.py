"""Enterprise.reviewerMatches: experts to review an enterprise certification, with the
conflict-of-interest and open-review rules of Project.reviewerMatches (certification reviews
count toward the load)."""

from __future__ import annotations

from typing import Any

from greenrong.domain.access.principal import Role
from greenrong.domain.certification import service
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.indexers.experts.document import EXPERTS
from greenrong.schema.kit.ids import to_global_id
from tests.factories.certification import submitted
from tests.factories.entities import create_enterprise, create_expert
from tests.factories.statements import count_statements
from tests.search.helpers import index

OWNER = "四川清流水务有限公司"
QUERY = """
query($id: ID!, $first: Int!) { node(id: $id) { ... on Enterprise {
  reviewerMatches(first: $first) { __typename
    ... on ReviewerMatchConnection { edges { rank node { name } reasons { code message weight } } }
  }
} } }"""


async def _world(app: Any, sessionmaker: Any) -> Any:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(
            session,
            name=OWNER,
            region_code="510104",
            green_category=GreenCategory.ENERGY_SAVING_ENVIRONMENTAL,
            description="从事城镇污水处理和水污染治理，运营膜生物反应器污水处理厂",
        )
        specs = [
            ("王水清", "环境科学与工程", ["水污染控制", "流域水环境治理"], "四川大学", "510107"),
            ("赵冲突", "环境科学与工程", ["水污染控制"], "四川 清流水务 有限公司", "510104"),
            ("钱繁忙", "环境科学与工程", ["水污染控制"], "西南交通大学", "510106"),
            ("钱林业", "林学", ["森林经营"], "四川省林业科学研究院", "510105"),
        ]
        experts = {}
        for name, field, specialties, affiliation, region in specs:
            experts[name] = await create_expert(
                session,
                name=name,
                field=field,
                specialties=specialties,
                affiliation=affiliation,
                region_code=region,
                title=ExpertTitle.PROFESSOR,
                bio=f"{name}长期从事{field}研究，擅长{'、'.join(specialties)}。",
            )
        # 钱繁忙 holds 3 open certification reviews (the limit is 3)
        helper = await create_expert(session, name="孙协助", affiliation="成都理工大学")
        for n in range(3):
            firm = await create_enterprise(session, name=f"德阳环保设备{n}有限公司")
            cert = await submitted(session, enterprise_id=firm.id)
            await service.assign_reviewers(
                session,
                id=cert.id,
                version=cert.version,
                expert_ids=[experts["钱繁忙"].id, helper.id],
                open_limit=9,
                min_reviewers=2,
            )
    await index(app, sessionmaker, EXPERTS)
    return owner


async def test_fitting_experts_rank_first_and_conflicted_or_busy_ones_are_left_out(
    app, sessionmaker, gql_as
) -> None:
    owner = await _world(app, sessionmaker)

    body = await gql_as(Role.ADMIN)(QUERY, {"id": to_global_id("Enterprise", owner.id), "first": 5})

    assert "errors" not in body, body
    result = body["data"]["node"]["reviewerMatches"]
    assert result["__typename"] == "ReviewerMatchConnection"
    # the conflicted and the busy water experts are gone; the forester only shares words
    assert [e["node"]["name"] for e in result["edges"]] == ["王水清", "钱林业"]
    assert {r["code"] for r in result["edges"][1]["reasons"]} == {
        "TEXT",
        "SAME_PREFECTURE",
        "NO_CONFLICT",
        "WORKLOAD",
    }
    reasons = {r["code"]: (r["message"], r["weight"]) for r in result["edges"][0]["reasons"]}
    assert reasons["FIELD"] == ("专业领域“环境科学与工程”对口节能环保企业", 3.0)
    specialties = [r["message"] for r in result["edges"][0]["reasons"] if r["code"] == "SPECIALTY"]
    assert specialties == ["专长“水污染控制”与企业业务相关", "专长“流域水环境治理”与企业业务相关"]
    assert reasons["NO_CONFLICT"] == ("任职单位“四川大学”与申请企业无关联", 0.0)
    assert reasons["WORKLOAD"] == ("当前在审项目0个", 0.0)


async def test_reviewer_matches_of_many_enterprises_take_a_fixed_number_of_statements(
    app, sessionmaker, gql_as
) -> None:
    await _world(app, sessionmaker)
    query = "query($first: Int!) { enterprises(first: $first) { edges { node { name reviewerMatches(first: 2) { __typename } } } } }"
    admin = gql_as(Role.ADMIN)

    with count_statements(app.state.resources.engine) as statements:
        small = await admin(query, {"first": 2})
    small_count = len(statements)
    with count_statements(app.state.resources.engine) as statements:
        large = await admin(query, {"first": 4})

    assert "errors" not in large, large
    assert len(large["data"]["enterprises"]["edges"]) == 4
    assert "errors" not in small, small
    # enterprises page, the batch of enterprises, experts at the limit, experts, their open
    # work (review assignments and certification reviews, in one statement)
    assert small_count == len(statements) == 5
