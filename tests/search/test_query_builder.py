"""The synonym file, query segmentation, facet labels and the shape of the request body."""

from __future__ import annotations

import json
from importlib import resources

from greenrong.indexers.kit.query import SearchRequest, build, decode_cursor, encode_cursor
from greenrong.indexers.kit.synonyms import Segment, SegmentKind, domain_synonyms
from greenrong.indexers.listings.queries import LISTING_QUERIES


def test_the_synonym_file_is_our_own_versioned_vocabulary() -> None:
    raw = resources.files("greenrong.indexers").joinpath("data", "synonyms.json").read_text("utf-8")
    data = json.loads(raw)

    assert "our own domain vocabulary" in data["provenance"].lower()
    assert data["version"]
    assert len(data["sets"]) >= 34
    for required in (
        ["污水", "废水"],
        ["光伏", "太阳能发电", "PV"],
        ["固废", "固体废物"],
        ["碳汇", "林业碳汇"],
    ):
        assert required in data["sets"]
    terms = [t.lower() for group in data["sets"] for t in group]
    assert len(terms) == len(set(terms)), "a term belongs to one set only"


def test_a_query_splits_into_synonym_terms_chinese_runs_and_latin_words() -> None:
    segments = domain_synonyms().segments("ＰＶ组件 membrain 污水处理厂")

    assert segments == [
        Segment(SegmentKind.SYNONYM, ("PV", "光伏", "太阳能发电")),
        Segment(SegmentKind.CJK, ("组件",)),
        Segment(SegmentKind.LATIN, ("membrain",)),
        Segment(SegmentKind.SYNONYM, ("污水", "废水")),
        Segment(SegmentKind.CJK, ("处理厂",)),
    ]


def test_a_text_seen_again_has_the_same_segments_whatever_the_caller_did_with_them() -> None:
    # given: a text segmented once, its list then changed by its caller
    synonyms = domain_synonyms()
    text = "屋顶分布式光伏电站建设，装机容量6MW"
    first = synonyms.segments(text)
    expected = list(first)
    first.clear()

    # when
    again = synonyms.segments(text)

    # then: the kept segments are the text's, not the caller's list
    assert again == expected
    assert [s.term for s in again] == ["屋顶分布式", "光伏", "电站建设", "装机容量", "6MW"]


def test_fuzziness_is_only_for_latin_words() -> None:
    body = build(LISTING_QUERIES, SearchRequest(text="membrain 污水处理"))
    text = json.dumps(body, ensure_ascii=False)

    assert text.count('"fuzziness"') == 1
    assert (
        '{"query": "membrain", "fields": ["title^3", "description"], "fuzziness": "AUTO"}' in text
    )


def test_faceted_filters_go_to_post_filter_and_every_other_facet() -> None:
    request = SearchRequest(filters={"domain": ["WATER"], "status": ["PUBLISHED"]}, size=10)

    body = build(LISTING_QUERIES, request)

    water = {"terms": {"domain": ["WATER"]}}
    assert body["query"]["bool"]["filter"] == [{"terms": {"status": ["PUBLISHED"]}}]  # no facet
    assert body["post_filter"] == {"bool": {"filter": [water]}}
    assert body["aggs"]["domain"]["filter"] == {"match_all": {}}
    assert body["aggs"]["region"]["filter"] == {"bool": {"filter": [water]}}
    assert body["size"] == 11
    assert "from" not in body
    assert body["sort"][-1] == {"id": "asc"}


def test_a_cursor_round_trips_and_is_bound_to_its_index_and_sort() -> None:
    cursor = encode_cursor("listings", "price_asc", [150000000, "0b5c"])

    assert decode_cursor(cursor, index="listings", sort="price_asc", spec=LISTING_QUERIES) == [
        150000000,
        "0b5c",
    ]
    assert "listings" not in cursor  # opaque


def test_a_chinese_run_takes_the_longest_term_at_each_place() -> None:
    segments = domain_synonyms().segments(
        "开展污水资源化与污水治理，办理碳排放权质押贷款用于地热能"
    )

    assert segments == [
        Segment(SegmentKind.CJK, ("开展",)),
        Segment(SegmentKind.SYNONYM, ("污水资源化", "中水回用", "再生水利用")),
        Segment(SegmentKind.CJK, ("与",)),
        Segment(SegmentKind.SYNONYM, ("污水", "废水")),
        Segment(SegmentKind.CJK, ("治理",)),
        Segment(SegmentKind.CJK, ("办理",)),
        Segment(SegmentKind.SYNONYM, ("碳排放权质押", "碳质押")),
        Segment(SegmentKind.CJK, ("贷款用于",)),
        Segment(SegmentKind.SYNONYM, ("地热能", "地热")),
    ]
