"""Search never reveals what the caller's role may not see: not in hits, not in totalCount,
not in facet counts, not in suggestions (the same policy as the lists, in the query itself)."""

from __future__ import annotations

from typing import Any

import pytest

from greenrong.core.db import SessionMaker
from greenrong.indexers.disclosures.document import DISCLOSURES
from greenrong.indexers.listings.document import LISTINGS
from tests.access.conftest import PARTIES, World
from tests.search.helpers import facet, index, search, titles

DISCLOSURE_SELECTION = (
    "totalCount edges { node { title } } facets { field buckets { value label count } }"
)


@pytest.fixture
async def indexed(app: Any, sessionmaker: SessionMaker, world: World) -> World:
    await index(app, sessionmaker, LISTINGS, DISCLOSURES)
    return world


DISCLOSURES_SEEN = {
    "anonymous": {"2021年度环境信息披露报告"},
    "other_enterprise": {"2021年度环境信息披露报告"},
    "owner": {
        "2021年度环境信息披露报告",
        "2022年度环境信息披露报告（草稿）",
        "2020年度环境信息披露报告（已撤回）",
    },
    "institution_with_consent": {"2021年度环境信息披露报告", "2022年度环境信息披露报告（草稿）"},
    "institution_without_consent": {"2021年度环境信息披露报告"},
    "expert": {"2021年度环境信息披露报告"},
}


@pytest.mark.parametrize("party", PARTIES)
async def test_disclosure_search_hits_totals_and_facets_stay_within_the_callers_rows(
    as_party, indexed: World, party: str
) -> None:
    everything = {
        "2021年度环境信息披露报告",
        "2022年度环境信息披露报告（草稿）",
        "2020年度环境信息披露报告（已撤回）",
    }
    expected = DISCLOSURES_SEEN.get(party, everything)

    result = await search(as_party(party), "searchDisclosures", DISCLOSURE_SELECTION, query="披露")

    assert set(titles(result)) == expected
    assert result["totalCount"] == len(expected)
    statuses = {value: count for value, _label, count in facet(result, "status")}
    assert sum(statuses.values()) == len(expected)
    assert ("DRAFT" in statuses) == any("草稿" in t for t in expected)


@pytest.mark.parametrize("party", PARTIES)
async def test_a_draft_listing_is_found_only_by_its_owner_and_supervisors(
    as_party, indexed: World, party: str
) -> None:
    result = await search(
        as_party(party),
        "searchTechnologyListings",
        "totalCount edges { node { title } }",
        query="秸秆气化",
        filter={"status": ["DRAFT"]},
    )

    found = party in {"owner", "regulator", "admin"}
    assert titles(result) == (["未发布的秸秆气化技术"] if found else [])
    assert result["totalCount"] == (1 if found else 0)


SUGGEST = """query { suggest(prefix: "未发布", entity: TECHNOLOGY_LISTING) {
  ... on Suggestions { items { text } } } }"""


@pytest.mark.parametrize("party", PARTIES)
async def test_suggestions_leave_out_hidden_records(as_party, indexed: World, party: str) -> None:
    body = await as_party(party)(SUGGEST, None)

    found = party in {"owner", "regulator", "admin"}
    assert body["data"]["suggest"]["items"] == ([{"text": "未发布的秸秆气化技术"}] if found else [])
