"""The matchers' shared kit: domain-term names read back, regions, and rates in messages."""

from __future__ import annotations

from decimal import Decimal

from greenrong.domain.kit.formatting import money, percent, points
from greenrong.domain.matching.kit import (
    TermMatch,
    matched_terms,
    prefecture,
    region_name,
    term_name,
)


def test_term_names_are_read_back_in_name_order_and_other_names_are_left_out() -> None:
    # given the names one hit matched: finance names each alternative, the others do not
    names = [
        "text",
        term_name("光伏", "太阳能发电"),
        term_name("光伏", "光伏"),
        term_name("污水处理"),
        "category",
        term_name("污水处理"),
    ]

    # when
    found = matched_terms(names)

    # then
    assert names[1:4] == ["term:光伏|太阳能发电", "term:光伏|光伏", "term:污水处理"]
    assert found == [
        TermMatch("光伏", "光伏"),
        TermMatch("光伏", "太阳能发电"),
        TermMatch("污水处理", "污水处理"),
    ]
    assert [t.exact for t in found] == [True, False, True]


def test_regions_and_their_prefectures() -> None:
    assert prefecture("510107") == "510100"  # 武侯区 → 成都市
    assert prefecture("510100") == "510100"
    assert prefecture("510000") is None  # the province
    assert prefecture("999999") is None
    assert region_name("510107") == "成都市武侯区"
    assert region_name("510100") == "成都市"
    assert region_name("999999") == "999999"


def test_money_and_rates_read_the_same_in_every_matcher() -> None:
    assert money(Decimal("150000000.00")) == "¥1.5亿"
    assert money(Decimal("50000000.00")) == "¥5,000万"
    assert percent(Decimal("0.0435")) == "4.35%"
    assert points(Decimal("0.0035")) == "0.35"
