"""searchTechnologyListings through GraphQL, on a small hand-made dataset in a real engine."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete

from greenrong.domain.technology.models import TechnologyDomain as D
from greenrong.domain.technology.models import TechnologyListing
from greenrong.domain.technology.models import TradeMode as M
from greenrong.indexers.listings.document import LISTINGS
from tests.factories.entities import create_enterprise, create_listing
from tests.search.helpers import facet, index, search, titles

NODES = "totalCount edges { node { title } }"

#: (title, description, domain, maturity, trade mode, asking price CNY, region)
DATASET: list[tuple[str, str, D, int, M, str | None, str]] = [
    (
        "工业废水膜处理工艺",
        "反渗透 membrane 过滤，适合印染废水",
        D.WATER,
        7,
        M.LICENCE,
        "1500000",
        "510104",
    ),
    ("城市污水处理提标改造技术", "", D.WATER, 5, M.TRANSFER, "300000", "510700"),
    (
        "分布式太阳能发电系统",
        "屋顶电站一体化设计",
        D.CLEAN_ENERGY,
        8,
        M.TRANSFER,
        "6000000",
        "510104",
    ),
    ("烟气脱硫脱硝一体化装置", "燃煤锅炉超低排放", D.AIR, 6, M.SERVICE, None, "510300"),
    (
        "污泥处置与资源化利用",
        "市政污水厂污泥干化焚烧",
        D.SOLID_WASTE,
        4,
        M.COOPERATION,
        "80000",
        "510107",
    ),
]


@pytest.fixture
async def listings(app, sessionmaker) -> list[TechnologyListing]:
    rows = []
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        for title, description, domain, maturity, mode, price, region in DATASET:
            rows.append(
                await create_listing(
                    session,
                    owner_enterprise_id=owner.id,
                    title=title,
                    description=description,
                    domain=domain,
                    maturity=maturity,
                    trade_mode=mode,
                    asking_price=None if price is None else Decimal(price),
                    region_code=region,
                )
            )
    await index(app, sessionmaker, LISTINGS)
    return rows


async def test_a_chinese_query_ranks_title_then_synonym_then_description_hits(
    listings, gql
) -> None:
    result = await search(gql, "searchTechnologyListings", NODES, query="污水")

    # the exact term in a title, the synonym 废水 in a title, the term in a description only
    assert titles(result) == [
        "城市污水处理提标改造技术",
        "工业废水膜处理工艺",
        "污泥处置与资源化利用",
    ]
    assert result["totalCount"] == 3


async def test_synonyms_find_a_listing_that_only_says_taiyangneng_fadian(listings, gql) -> None:
    for query in ("光伏", "PV", "pv"):
        result = await search(gql, "searchTechnologyListings", NODES, query=query)
        assert titles(result) == ["分布式太阳能发电系统"], query


async def test_a_misspelt_english_word_still_matches(listings, gql) -> None:
    result = await search(gql, "searchTechnologyListings", NODES, query="membrain")

    assert titles(result) == ["工业废水膜处理工艺"]


async def test_highlights_wrap_the_matched_chinese_term_in_em(listings, gql) -> None:
    selection = "edges { score highlights { field snippets } node { title } }"
    result = await search(gql, "searchTechnologyListings", selection, query="污水")

    first, second, third = result["edges"]
    assert first["highlights"] == [
        {"field": "title", "snippets": ["城市<em>污水</em>处理提标改造技术"]}
    ]
    assert {"field": "title", "snippets": ["工业<em>废水</em>膜处理工艺"]} in second["highlights"]
    assert third["highlights"] == [
        {"field": "description", "snippets": ["市政<em>污水</em>厂污泥干化焚烧"]}
    ]
    assert first["score"] > second["score"] > third["score"] > 0


async def test_a_region_filter_finds_its_sub_regions(listings, gql) -> None:
    # 510100 成都市 contains 510104 锦江区 and 510107 武侯区
    result = await search(
        gql, "searchTechnologyListings", NODES, filter={"region": ["510100"]}, sort="MATURITY_DESC"
    )

    assert titles(result) == ["分布式太阳能发电系统", "工业废水膜处理工艺", "污泥处置与资源化利用"]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (
            {"maturity": {"min": 5, "max": 7}},
            ["工业废水膜处理工艺", "烟气脱硫脱硝一体化装置", "城市污水处理提标改造技术"],
        ),
        ({"maturity": {"min": 8}}, ["分布式太阳能发电系统"]),
        (
            {"askingPrice": {"min": "300000", "max": "1500000"}},
            ["工业废水膜处理工艺", "城市污水处理提标改造技术"],
        ),
        ({"askingPrice": {"max": "299999.99"}}, ["污泥处置与资源化利用"]),
        (
            {"domain": ["WATER", "AIR"]},
            ["工业废水膜处理工艺", "烟气脱硫脱硝一体化装置", "城市污水处理提标改造技术"],
        ),
        ({"tradeMode": ["TRANSFER"], "region": ["510700"]}, ["城市污水处理提标改造技术"]),
        ({"status": ["DRAFT"]}, []),
    ],
)
async def test_filters(listings, gql, filter: dict[str, Any], expected: list[str]) -> None:
    result = await search(
        gql, "searchTechnologyListings", NODES, filter=filter, sort="MATURITY_DESC"
    )

    assert titles(result) == expected
    assert result["totalCount"] == len(expected)


async def test_facets_count_every_value_and_a_selection_keeps_its_siblings(listings, gql) -> None:
    selection = "totalCount facets { field label buckets { value label count } }"
    result = await search(gql, "searchTechnologyListings", selection, filter={"domain": ["WATER"]})

    assert result["totalCount"] == 2
    assert [(f["field"], f["label"]) for f in result["facets"]] == [
        ("domain", "技术领域"),
        ("region", "地区"),
        ("maturity", "成熟度"),
        ("askingPrice", "报价"),
        ("tradeMode", "交易方式"),
    ]
    # the selected facet still shows the other domains, with their own counts
    assert facet(result, "domain") == [
        ("WATER", "水污染治理", 2),
        ("AIR", "大气污染治理", 1),
        ("CLEAN_ENERGY", "清洁能源", 1),
        ("SOLID_WASTE", "固废处理", 1),
    ]
    # every other facet counts within domain = WATER
    assert facet(result, "region") == [("510100", "成都市", 1), ("510700", "绵阳市", 1)]
    assert facet(result, "maturity") == [
        ("1-3", "研发阶段 (TRL 1–3)", 0),
        ("4-6", "中试阶段 (TRL 4–6)", 1),
        ("7-9", "产业化阶段 (TRL 7–9)", 1),
    ]
    assert [(v, c) for v, _, c in facet(result, "askingPrice")] == [
        ("lt10w", 0),
        ("10w-50w", 1),
        ("50w-100w", 0),
        ("100w-500w", 1),
        ("gte500w", 0),
    ]
    assert facet(result, "tradeMode") == [("LICENCE", "许可", 1), ("TRANSFER", "转让", 1)]


async def test_two_selected_facets_filter_each_other_but_not_themselves(listings, gql) -> None:
    selection = "totalCount facets { field buckets { value label count } }"
    result = await search(
        gql,
        "searchTechnologyListings",
        selection,
        filter={"domain": ["WATER"], "region": ["510100"]},
    )

    assert result["totalCount"] == 1
    # domains within 成都市; regions within WATER
    assert [(v, c) for v, _, c in facet(result, "domain")] == [
        ("CLEAN_ENERGY", 1),
        ("SOLID_WASTE", 1),
        ("WATER", 1),
    ]
    assert [(v, c) for v, _, c in facet(result, "region")] == [("510100", 1), ("510700", 1)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "PRICE_ASC",
            [
                "污泥处置与资源化利用",
                "城市污水处理提标改造技术",
                "工业废水膜处理工艺",
                "分布式太阳能发电系统",
                "烟气脱硫脱硝一体化装置",
            ],
        ),
        (
            "PRICE_DESC",
            [
                "分布式太阳能发电系统",
                "工业废水膜处理工艺",
                "城市污水处理提标改造技术",
                "污泥处置与资源化利用",
                "烟气脱硫脱硝一体化装置",
            ],
        ),
        (
            "MATURITY_DESC",
            [
                "分布式太阳能发电系统",
                "工业废水膜处理工艺",
                "烟气脱硫脱硝一体化装置",
                "城市污水处理提标改造技术",
                "污泥处置与资源化利用",
            ],
        ),
    ],
)
async def test_sorts(listings, gql, sort: str, expected: list[str]) -> None:
    result = await search(gql, "searchTechnologyListings", NODES, sort=sort)

    assert titles(result) == expected


async def test_newest_is_the_default_without_a_query(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
    for n in range(3):  # one transaction each: distinct creation times
        async with sessionmaker.begin() as session:
            await create_listing(session, owner_enterprise_id=owner.id, title=f"技术{n}")
    await index(app, sessionmaker, LISTINGS)

    result = await search(gql, "searchTechnologyListings", "edges { score node { title } }")

    assert titles(result) == ["技术2", "技术1", "技术0"]
    assert [edge["score"] for edge in result["edges"]] == [None, None, None]


async def test_cursor_pages_cover_every_hit_once(app, sessionmaker, gql) -> None:
    # given 7 listings that all match, two of them with the same price (the id breaks the tie)
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        for n, price in enumerate(["10", "20", "20", "30", "40", "50", "60"]):
            await create_listing(
                session,
                owner_enterprise_id=owner.id,
                title=f"污水处理技术{n}",
                asking_price=Decimal(price),
            )
    await index(app, sessionmaker, LISTINGS)
    selection = "totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { title } }"
    everything = await search(
        gql, "searchTechnologyListings", selection, query="污水", sort="PRICE_ASC", first=7
    )

    # when paging three at a time
    pages, after = [], None
    for _ in range(3):
        page = await search(
            gql,
            "searchTechnologyListings",
            selection,
            query="污水",
            sort="PRICE_ASC",
            first=3,
            after=after,
        )
        pages.append(page)
        after = page["pageInfo"]["endCursor"]

    # then the pages are 3 + 3 + 1 hits, in the one-page order, without gaps or repeats
    assert [len(p["edges"]) for p in pages] == [3, 3, 1]
    assert [t for p in pages for t in titles(p)] == titles(everything)
    assert len(set(titles(everything))) == 7
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]
    assert {p["totalCount"] for p in pages} == {7}
    assert pages[0]["edges"][-1]["cursor"] == pages[0]["pageInfo"]["endCursor"]


async def test_a_cursor_of_another_sort_or_garbage_is_refused(listings, gql) -> None:
    page = await search(
        gql, "searchTechnologyListings", "pageInfo { endCursor }", sort="PRICE_ASC", first=1
    )
    cursor = page["pageInfo"]["endCursor"]
    document = """query ($after: String, $sort: TechnologyListingSearchSort) {
      searchTechnologyListings(after: $after, sort: $sort, first: 1) { __typename } }"""

    for after, sort in (
        (cursor, "NEWEST"),
        ("bm90IGEgY3Vyc29y", "PRICE_ASC"),
        ("%%%", "PRICE_ASC"),
    ):
        body = await gql(document, {"after": after, "sort": sort})
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}


@pytest.mark.parametrize(
    "values",
    [
        [float("nan"), "x"],
        [float("inf"), "x"],
        [10**30, "x"],
        [None, "x"],
        ["二〇二六年", "x"],
        [True, "x"],
        [1796635597889, "甲\u0000乙"],
        [1796635597889, ["x"]],
    ],
)
async def test_a_crafted_cursor_of_the_right_sort_is_invalid_cursor(
    listings, gql, values: list[Any]
) -> None:
    # given: a cursor of the newest sort (created_at, then id) that a client wrote
    raw = json.dumps(["listings", "newest", values], ensure_ascii=False)  # json writes NaN
    crafted = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    document = """query ($after: String) {
      searchTechnologyListings(after: $after, first: 1) { __typename } }"""
    # when
    body = await gql(document, {"after": crafted})
    # then
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        (
            "after: cursor is not valid for this search and sort",
            {"code": "INVALID_CURSOR", "field": "after"},
        )
    ]


async def test_bad_arguments_are_field_errors(listings, gql) -> None:
    document = """query ($filter: TechnologyListingSearchFilter, $first: Int) {
      searchTechnologyListings(filter: $filter, first: $first) { __typename } }"""
    cases = [
        (
            {"filter": {"maturity": {"min": 7, "max": 3}}},
            {"code": "OUT_OF_RANGE", "field": "filter.maturity"},
        ),
        (
            {"filter": {"region": ["999999"]}},
            {"code": "UNKNOWN_REFERENCE", "field": "filter.region"},
        ),
        ({"first": 100000}, {"code": "OUT_OF_RANGE", "field": "first"}),
    ]
    for variables, extensions in cases:
        body = await gql(document, variables)
        assert body["errors"][0]["extensions"] == extensions


async def test_a_hit_whose_row_is_gone_is_left_out(listings, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        await session.execute(
            delete(TechnologyListing).where(TechnologyListing.id == listings[1].id)
        )

    result = await search(gql, "searchTechnologyListings", NODES, query="污水")

    assert titles(result) == ["工业废水膜处理工艺", "污泥处置与资源化利用"]


async def test_nodes_resolve_their_relations_through_loaders(listings, gql) -> None:
    selection = "edges { node { id title region { name } ownerEnterprise { name } } }"
    result = await search(gql, "searchTechnologyListings", selection, query="光伏")

    node = result["edges"][0]["node"]
    assert node["region"] == {"name": "锦江区"}
    assert node["ownerEnterprise"]["name"].startswith("成都绿色科技有限公司")


async def test_suggest_completes_titles_by_prefix(listings, gql) -> None:
    body = await gql(
        """{ suggest(prefix: "污", entity: TECHNOLOGY_LISTING) {
             ... on Suggestions { items { text id } } } }"""
    )

    items = body["data"]["suggest"]["items"]
    assert [i["text"] for i in items] == ["污泥处置与资源化利用"]
    node = await gql(
        "query ($id: ID!) { node(id: $id) { ... on TechnologyListing { title } } }",
        {"id": items[0]["id"]},
    )
    assert node["data"]["node"] == {"title": "污泥处置与资源化利用"}
