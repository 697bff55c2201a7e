"""Root connections: filters, ordering, keyset pagination both ways, and their errors."""

from __future__ import annotations

from greenrong.domain.reference.vocab import GreenLevel
from tests.factories.entities import create_enterprise

NAMES = [
    "成都甲科技有限公司",
    "成都乙环保有限公司",
    "绵阳丙科技有限公司",
    "德阳丁科技有限公司",
    "成都戊能源有限公司",
]
PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $where: EnterpriseWhere, $order: [EnterpriseOrder!]) {
  enterprises(first: $first, after: $after, last: $last, before: $before, where: $where, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } }
  }
}"""


async def seed(sessionmaker) -> None:
    levels = [
        GreenLevel.DEEP_GREEN,
        GreenLevel.NONE,
        GreenLevel.EXCELLENT_GREEN,
        GreenLevel.GREEN,
        GreenLevel.NONE,
    ]
    regions = ["510104", "510105", "510703", "510603", "510107"]
    async with sessionmaker.begin() as session:
        for name, level, region in zip(NAMES, levels, regions, strict=True):
            await create_enterprise(session, name=name, green_level=level, region_code=region)


def names(body) -> list[str]:
    return [e["node"]["name"] for e in body["data"]["enterprises"]["edges"]]


async def test_flexible_view_filter_combines_in_contains_and_or(gql, sessionmaker) -> None:
    await seed(sessionmaker)
    where = {
        "regionCode": {"in": ["510104", "510703", "510603"]},
        "name": {"contains": "科技"},
        "or": [{"greenLevel": {"eq": "DEEP_GREEN"}}, {"greenLevel": {"eq": "EXCELLENT_GREEN"}}],
    }
    body = await gql(
        PAGE, {"first": 10, "where": where, "order": [{"field": "NAME", "direction": "DESC"}]}
    )
    assert names(body) == ["绵阳丙科技有限公司", "成都甲科技有限公司"]
    assert body["data"]["enterprises"]["totalCount"] == 2


async def test_not_and_enum_in_filters(gql, sessionmaker) -> None:
    await seed(sessionmaker)
    where = {"not": {"greenLevel": {"in": ["NONE"]}}, "name": {"startsWith": "成都"}}
    body = await gql(PAGE, {"first": 10, "where": where})
    assert names(body) == ["成都甲科技有限公司"]


async def test_forward_pages_follow_end_cursor_without_gaps(gql, sessionmaker) -> None:
    await seed(sessionmaker)
    first = await gql(PAGE, {"first": 2})
    info = first["data"]["enterprises"]["pageInfo"]
    second = await gql(PAGE, {"first": 2, "after": info["endCursor"]})
    third = await gql(
        PAGE, {"first": 2, "after": second["data"]["enterprises"]["pageInfo"]["endCursor"]}
    )
    assert names(first) + names(second) + names(third) == sorted(NAMES)
    assert (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)
    last_info = third["data"]["enterprises"]["pageInfo"]
    assert (last_info["hasNextPage"], last_info["hasPreviousPage"]) == (False, True)
    assert first["data"]["enterprises"]["totalCount"] == 5


async def test_backward_pages_with_last_and_before(gql, sessionmaker) -> None:
    await seed(sessionmaker)
    tail = await gql(PAGE, {"last": 2})
    before = tail["data"]["enterprises"]["pageInfo"]["startCursor"]
    previous = await gql(PAGE, {"last": 2, "before": before})
    assert names(tail) == sorted(NAMES)[3:]
    assert names(previous) == sorted(NAMES)[1:3]
    assert previous["data"]["enterprises"]["pageInfo"]["hasPreviousPage"] is True


async def test_a_cursor_from_another_ordering_is_refused(gql, sessionmaker) -> None:
    await seed(sessionmaker)
    page = await gql(PAGE, {"first": 1, "order": [{"field": "CREATED_AT"}]})
    cursor = page["data"]["enterprises"]["pageInfo"]["endCursor"]
    body = await gql(PAGE, {"first": 1, "after": cursor})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}


async def test_page_size_above_the_limit_is_out_of_range(gql, sessionmaker) -> None:
    body = await gql(PAGE, {"first": 101})
    assert body["errors"][0]["extensions"] == {"code": "OUT_OF_RANGE", "field": "first"}
    assert body["errors"][0]["message"] == "first: first must be between 0 and 100"


async def test_depth_limit_refuses_deep_queries(gql) -> None:
    level = "edges { node { projects(first: 1) { edges { node { enterprise { "
    opened = "{ enterprises(first: 1) { " + level * 3
    query = opened + "name" + " }" * opened.count("{")
    body = await gql(query)
    assert body["data"] is None
    assert "exceeds maximum operation depth of 12" in body["errors"][0]["message"]
