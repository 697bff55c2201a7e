"""libraryMembers and the nested membership lists: filters, keyset pages, visibility, SQL counts."""

from __future__ import annotations

from datetime import date

from greenrong.domain.access.principal import Role
from greenrong.domain.libraries import cultivation
from greenrong.domain.libraries.models import Library, PbocArea
from greenrong.domain.projects.models import ClimateType
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise, create_project
from tests.factories.statements import count_statements
from tests.libraries.helpers import certified, screened

MEMBERS = """
query($library: Library!, $where: LibraryMemberWhere, $first: Int, $after: String,
      $orderBy: [LibraryMemberOrder!]) {
  libraryMembers(library: $library, where: $where, first: $first, after: $after,
                 orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      library source reason since until isOpen subjectType climateType
      climateScope { code kind nameZh } pbocArea pbocSubArea
      enterprise { name } project { title }
    } }
  }
}"""


async def _given_climate_list(sessionmaker) -> dict[str, object]:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="成都清洁能源有限公司")
        projects = {}
        for title, region, category, since in (
            ("龙泉驿光伏电站", "510112", GreenCategory.CLEAN_ENERGY, date(2021, 3, 1)),
            (
                "绵阳污水处理厂提标改造",
                "510703",
                GreenCategory.ENERGY_SAVING_ENVIRONMENTAL,
                date(2021, 5, 1),
            ),
            ("双流海绵城市", "510116", GreenCategory.GREEN_INFRASTRUCTURE, date(2021, 7, 1)),
            ("郫都生态湿地", "510117", GreenCategory.ECOLOGICAL_ENVIRONMENT, date(2022, 2, 1)),
        ):
            project = await create_project(
                session,
                enterprise_id=owner.id,
                title=title,
                region_code=region,
                green_category=category,
            )
            kind = ClimateType.ADAPTATION if "海绵" in title else ClimateType.MITIGATION
            scope = ["ADA-2"] if kind is ClimateType.ADAPTATION else ["MIT-2"]
            await screened(
                session,
                Library.CLIMATE_INVESTMENT,
                project.id,
                since,
                climate_type=kind,
                climate_scope=scope,
            )
            projects[title] = project
        # one ended membership
        await screened(
            session,
            Library.PBOC_CARBON_REDUCTION,
            projects["龙泉驿光伏电站"].id,
            date(2021, 11, 8),
            pboc_area=PbocArea.CLEAN_ENERGY,
            pboc_sub_area="太阳能利用",
        )
    return {"owner": owner, **projects}


async def test_members_are_filtered_by_subject_and_paged_by_keyset(gql, sessionmaker) -> None:
    await _given_climate_list(sessionmaker)

    # when: Chengdu (5101…) projects, two per page, by since
    where = {"subjectRegionCode": {"startsWith": "5101"}, "open": {"eq": True}}
    first = await gql(MEMBERS, {"library": "CLIMATE_INVESTMENT", "where": where, "first": 2})
    page = first["data"]["libraryMembers"]
    second = await gql(
        MEMBERS,
        {
            "library": "CLIMATE_INVESTMENT",
            "where": where,
            "first": 2,
            "after": page["pageInfo"]["endCursor"],
        },
    )

    # then
    assert "errors" not in first
    assert page["totalCount"] == 3
    assert [e["node"]["project"]["title"] for e in page["edges"]] == [
        "龙泉驿光伏电站",
        "双流海绵城市",
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = second["data"]["libraryMembers"]
    assert [e["node"]["project"]["title"] for e in rest["edges"]] == ["郫都生态湿地"]
    assert rest["pageInfo"]["hasNextPage"] is False
    node = page["edges"][1]["node"]
    assert node == {
        "library": "CLIMATE_INVESTMENT",
        "source": "SCREENING",
        "reason": "筛选入库",
        "since": "2021-07-01",
        "until": None,
        "isOpen": True,
        "subjectType": "PROJECT",
        "climateType": "ADAPTATION",
        "climateScope": [
            {
                "code": "ADA-2",
                "kind": "adaptation",
                "nameZh": "加强适应基础能力建设，加快基础设施建设、提高科技能力等",
            }
        ],
        "pbocArea": None,
        "pbocSubArea": None,
        "enterprise": None,
        "project": {"title": "双流海绵城市"},
    }


async def test_members_filter_by_category_source_since_and_climate_type(gql, sessionmaker) -> None:
    await _given_climate_list(sessionmaker)

    async def titles(where: dict[str, object], library: str = "CLIMATE_INVESTMENT") -> list[str]:
        body = await gql(MEMBERS, {"library": library, "where": where})
        assert "errors" not in body, body
        return [e["node"]["project"]["title"] for e in body["data"]["libraryMembers"]["edges"]]

    assert await titles(
        {"subjectGreenCategory": {"in": ["CLEAN_ENERGY", "ECOLOGICAL_ENVIRONMENT"]}}
    ) == [
        "龙泉驿光伏电站",
        "郫都生态湿地",
    ]
    assert await titles({"since": {"gte": "2021-05-01", "lt": "2022-01-01"}}) == [
        "绵阳污水处理厂提标改造",
        "双流海绵城市",
    ]
    assert await titles({"climateType": {"eq": "ADAPTATION"}}) == ["双流海绵城市"]
    assert await titles({"source": {"eq": "CERTIFICATION"}}) == []
    assert await titles({"pbocArea": {"eq": "CLEAN_ENERGY"}}, "PBOC_CARBON_REDUCTION") == [
        "龙泉驿光伏电站"
    ]


async def test_open_filter_separates_current_and_ended_members(gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="德阳节能装备有限公司")
        other = await create_enterprise(session, name="攀枝花钒钛新材料有限公司")
        await certified(
            session, Library.GREEN_ENTERPRISE, "Enterprise", enterprise.id, date(2022, 1, 1)
        )
        ended = await certified(
            session, Library.GREEN_ENTERPRISE, "Enterprise", other.id, date(2021, 1, 1)
        )
        ended.until = date(2023, 12, 31)
        ended.ended_reason = "证书到期"

    async def names(is_open: bool) -> list[str]:
        body = await gql(
            MEMBERS, {"library": "GREEN_ENTERPRISE", "where": {"open": {"eq": is_open}}}
        )
        return [e["node"]["enterprise"]["name"] for e in body["data"]["libraryMembers"]["edges"]]

    assert await names(True) == ["德阳节能装备有限公司"]
    assert await names(False) == ["攀枝花钒钛新材料有限公司"]


async def test_a_bad_cursor_and_a_bad_filter_are_typed_errors(gql, sessionmaker) -> None:
    await _given_climate_list(sessionmaker)
    body = await gql(MEMBERS, {"library": "CLIMATE_INVESTMENT", "after": "bm90LWEtY3Vyc29y"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}


async def test_visibility_follows_the_subject(gql_as, sessionmaker) -> None:
    # given: an enterprise membership and a project membership of another owner
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="乐山多晶硅有限公司")
        stranger = await create_enterprise(session, name="宜宾白酒有限公司")
        project = await create_project(session, enterprise_id=owner.id, title="乐山光伏制造基地")
        await certified(session, Library.GREEN_ENTERPRISE, "Enterprise", owner.id, date(2022, 1, 1))
        await screened(session, Library.CLIMATE_FRIENDLY, project.id)
    query = """
    query { e: libraryMembers(library: GREEN_ENTERPRISE) { totalCount }
            p: libraryMembers(library: CLIMATE_FRIENDLY) { totalCount edges { node { project { title } } } } }"""

    seen = {}
    for name, role, org in (
        ("anonymous", None, None),
        ("stranger", Role.ENTERPRISE, stranger.id),
        ("owner", Role.ENTERPRISE, owner.id),
        ("regulator", Role.REGULATOR, None),
        ("admin", Role.ADMIN, None),
    ):
        body = await gql_as(role, org_id=org)(query)
        assert "errors" not in body, body
        seen[name] = (body["data"]["e"]["totalCount"], body["data"]["p"]["totalCount"])
    assert seen == {
        "anonymous": (1, 0),
        "stranger": (1, 0),
        "owner": (1, 1),
        "regulator": (1, 1),
        "admin": (1, 1),
    }


NESTED = """
query($first: Int!) {
  enterprises(first: $first, orderBy: [{field: NAME}]) {
    edges { node {
      name
      libraryMemberships(first: 3) { totalCount edges { node { library since } } }
      projects(first: 5) { edges { node {
        title
        libraryMemberships(first: 3, where: {open: {eq: true}}) {
          totalCount edges { node { library project { title } } }
        }
      } } }
    } }
  }
}"""


async def test_nested_memberships_cost_the_same_statements_for_2_and_10(
    app, gql, sessionmaker
) -> None:
    # given 10 rated enterprises, each with 2 projects in 2 libraries
    async with sessionmaker.begin() as session:
        for e in range(10):
            enterprise = await create_enterprise(session, name=f"绿色企业{e:02d}")
            await certified(
                session, Library.GREEN_ENTERPRISE, "Enterprise", enterprise.id, date(2022, 1, 1)
            )
            for _ in range(2):
                project = await create_project(session, enterprise_id=enterprise.id)
                await screened(session, Library.CLIMATE_FRIENDLY, project.id)
                await certified(
                    session, Library.GREEN_PROJECT, "Project", project.id, date(2022, 3, 1)
                )

    # when
    with count_statements(app.state.resources.engine) as statements:
        small = await gql(NESTED, {"first": 2})
    assert len(small["data"]["enterprises"]["edges"]) == 2
    small_count = len(statements)
    with count_statements(app.state.resources.engine) as statements:
        large = await gql(NESTED, {"first": 10})

    # then: enterprises page; their memberships page and count; projects page; the projects'
    # memberships page and count; the memberships' projects (entity loader)
    assert "errors" not in large, large
    assert small_count == 7
    assert len(statements) == 7
    edges = large["data"]["enterprises"]["edges"]
    assert len(edges) == 10
    assert {e["node"]["libraryMemberships"]["totalCount"] for e in edges} == {1}
    nested = [
        p["node"]["libraryMemberships"] for e in edges for p in e["node"]["projects"]["edges"]
    ]
    assert len(nested) == 20
    assert {m["totalCount"] for m in nested} == {2}
    assert {tuple(n["node"]["library"] for n in m["edges"]) for m in nested} == {
        ("CLIMATE_FRIENDLY", "GREEN_PROJECT")  # by since: 2022-01-01, then 2022-03-01
    }


async def test_root_member_list_costs_fixed_statements(app, gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        for e in range(6):
            enterprise = await create_enterprise(session, name=f"深绿企业{e}")
            await certified(
                session, Library.GREEN_ENTERPRISE, "Enterprise", enterprise.id, date(2022, 1, e + 1)
            )
    query = """{ libraryMembers(library: GREEN_ENTERPRISE, first: 5) {
        totalCount edges { node { since enterprise { name } project { title } } } } }"""

    with count_statements(app.state.resources.engine) as statements:
        body = await gql(query)

    # then: the page, the count, the enterprises (no project ids: no project statement)
    assert len(statements) == 3
    members = body["data"]["libraryMembers"]
    assert members["totalCount"] == 6
    assert [e["node"]["enterprise"]["name"] for e in members["edges"]] == [
        f"深绿企业{e}" for e in range(5)
    ]


async def test_node_resolves_a_membership(gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="遂宁锂电材料有限公司")
        membership = await certified(
            session, Library.GREEN_ENTERPRISE, "Enterprise", enterprise.id, date(2022, 4, 1)
        )
    body = await gql(
        "query($id: ID!) { node(id: $id) { ... on LibraryMembership { library since } } }",
        {"id": to_global_id("LibraryMembership", membership.id)},
    )
    assert body["data"]["node"] == {"library": "GREEN_ENTERPRISE", "since": "2022-04-01"}


async def test_nested_lists_recommendations_and_statistics_by_role(gql_as, sessionmaker) -> None:
    # given: an enterprise membership, a project membership and a pending recommendation
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="雅安大数据绿色服务有限公司")
        stranger = await create_enterprise(session, name="资阳口腔装备有限公司")
        project = await create_project(
            session, enterprise_id=owner.id, title="雅安数据中心余热利用"
        )
        await certified(session, Library.GREEN_ENTERPRISE, "Enterprise", owner.id, date(2022, 1, 1))
        await screened(session, Library.CLIMATE_FRIENDLY, project.id)
        await cultivation.recommend(
            session, project_id=project.id, department="生态环境厅", reason="节能效果明显"
        )
    query = """query($id: ID!) {
      node(id: $id) { ... on Enterprise {
        libraryMemberships { totalCount }
        projects { edges { node { libraryMemberships { totalCount } } } } } }
      cultivationRecommendations { totalCount }
      platformStatistics { libraries { library count } }
    }"""

    seen = {}
    for name, role, org in (
        ("anonymous", None, None),
        ("stranger", Role.ENTERPRISE, stranger.id),
        ("owner", Role.ENTERPRISE, owner.id),
        ("regulator", Role.REGULATOR, None),
        ("admin", Role.ADMIN, None),
    ):
        body = await gql_as(role, org_id=org)(query, {"id": to_global_id("Enterprise", owner.id)})
        assert "errors" not in body, body
        node = body["data"]["node"]
        counts = {x["library"]: x["count"] for x in body["data"]["platformStatistics"]["libraries"]}
        seen[name] = (
            node["libraryMemberships"]["totalCount"],
            [p["node"]["libraryMemberships"]["totalCount"] for p in node["projects"]["edges"]],
            body["data"]["cultivationRecommendations"]["totalCount"],
            (counts["GREEN_ENTERPRISE"], counts["CLIMATE_FRIENDLY"]),
        )
    # the statistics count what the caller sees, like the rest of platformStatistics: the
    # private project's membership moves no figure of a caller who cannot see the project
    assert seen == {
        "anonymous": (1, [], 0, (1, 0)),
        "stranger": (1, [], 0, (1, 0)),
        "owner": (1, [1], 1, (1, 1)),
        "regulator": (1, [1], 1, (1, 1)),
        "admin": (1, [1], 1, (1, 1)),
    }
