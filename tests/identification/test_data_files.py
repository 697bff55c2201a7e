"""The catalogue and mapping data files: loading, validation, resolution; and the ranking
rules' arithmetic (no engine needed)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from greenrong.core.errors import ValidationFailed
from greenrong.domain.identification import catalogue as catalogue_module
from greenrong.domain.identification import statistics as statistics_module
from greenrong.domain.identification.catalogue import CatalogueError, catalogue, load_json
from greenrong.domain.identification.ranking import EngineHit, adjustment, confidence, rank
from greenrong.domain.identification.service import IdentifyRequest, validate_request
from greenrong.domain.identification.statistics import (
    ClimateInvestmentType,
    MappingError,
    statistics_mapping,
)


def _catalogue_data() -> dict[str, Any]:
    return copy.deepcopy(load_json("green_bond_catalogue_2021.json"))


def _mapping_data() -> dict[str, Any]:
    return copy.deepcopy(load_json("statistics_mapping.json"))


def test_the_catalogue_has_its_declared_levels_and_a_vocabulary_per_item() -> None:
    data = catalogue()

    counts = {
        level: sum(1 for i in data.items.values() if i.level == level) for level in (1, 2, 3, 4)
    }
    assert counts == {1: 6, 2: 25, 3: 47, 4: 203}
    assert all(item.terms for item in data.leaves())
    assert [(p.code, p.name, p.provenance) for p in data.path("5.4.2.1")] == [
        ("5", "基础设施绿色升级", "read"),
        ("5.4", "水资源节约和非常规水资源利用", "recalled"),
        ("5.4.2", "海绵城市", "inferred"),
    ]
    assert data.items["1.1.1.8"].manufacturing is True
    assert data.items["1.6.1.1"].manufacturing is True
    assert data.items["3.2.2.2"].manufacturing is False


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda d: d["items"].append(dict(d["items"][0])), "duplicate code 1"),
        (lambda d: d["items"][-1].update(parent="6.5"), "is not one level up"),
        (lambda d: d["items"][-1].pop("terms"), "needs its vocabulary"),
        (lambda d: d["counts"].update({"4": 204}), "level 4: 203 items, the file declares 204"),
    ],
)
def test_a_broken_catalogue_file_is_refused(broken: Any, message: str) -> None:
    data = _catalogue_data()
    broken(data)

    with pytest.raises(CatalogueError, match=message):
        catalogue_module.parse(data)


def test_the_mapping_resolves_every_item_with_the_most_specific_rule() -> None:
    mapping = statistics_mapping()

    assert set(mapping.items) == {i.code for i in catalogue().leaves()}
    ccus = mapping.of("3.2.3.6")
    assert (ccus.pboc_area.key if ccus.pboc_area else None, ccus.rules) == ("CT", ("3", "3.2.3.6"))
    assert [s.key for s in ccus.climate_scope] == ["MIT-3"]
    motors = mapping.of("1.1.1.8")
    assert (motors.green_loan_category.key, motors.emerging_industry, motors.pboc_area) == (
        "3",
        "节能环保产业",
        None,
    )
    forest = mapping.of("4.2.2.3")
    assert forest.climate_type is ClimateInvestmentType.BOTH
    assert [s.key for s in forest.climate_scope] == ["MIT-5", "ADA-1"]
    assert forest.pboc_green_loan_category == "生态环境产业"
    hydro = mapping.of("3.2.2.4")
    assert hydro.pboc_area is None  # 水力发电 is not among the tool's recalled sub-areas


def test_the_refinanceable_amount_is_sixty_percent_to_the_fen() -> None:
    mapping = statistics_mapping()

    assert mapping.refinanceable("3.2.2.2", Decimal("12345.67")) == Decimal("7407.40")
    assert mapping.refinanceable("3.2.2.2", None) is None
    assert mapping.refinanceable("2.1.1.1", Decimal("100")) is None


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda d: d["rules"].append({"prefix": "7"}), "rule 7 matches no level-4 item"),
        (
            lambda d: d["rules"].append({"prefix": "1.1.1.1", "benefit_indicators": ["x"]}),
            "1.1.1.1: unknown value",
        ),
        (lambda d: d["rules"][0].pop("green_loan_category"), "no rule sets green_loan_category"),
        (
            lambda d: d["rules"].append({"prefix": "6.1.1.1", "climate_type": "MITIGATION"}),
            "6.1.1.1: a climate type needs a support scope",
        ),
    ],
)
def test_a_broken_mapping_file_is_refused(broken: Any, message: str) -> None:
    data = _mapping_data()
    broken(data)

    with pytest.raises(MappingError, match=message):
        statistics_module.parse(data, catalogue())


def test_confidence_is_bounded_monotone_and_shared() -> None:
    alone = confidence(12.0, [12.0])
    tied = confidence(12.0, [12.0, 12.0])

    assert confidence(0.0, [0.0]) == 0.0
    assert alone == 0.75  # strength 1 - 2^-2 = 0.75, share 1
    assert tied == 0.5625  # the same strength, half the share
    scores = [20.0, 9.0, 3.0, 1.0]
    values = [confidence(s, scores) for s in scores]
    assert values == sorted(values, reverse=True)
    assert all(0 < v < 1 for v in values)


def test_manufacturing_and_service_cues_adjust_scores() -> None:
    items = catalogue().items

    assert adjustment(items["3.2.1.1"], "风电叶片生产线") == 1.6
    assert adjustment(items["3.2.1.1"], "风电场") == 0.55
    assert adjustment(items["3.2.2.1"], "风电叶片生产线") == 0.75
    assert adjustment(items["3.2.2.1"], "风电场") == 1.0
    assert adjustment(items["6.3.1.3"], "第三方机构提供碳核查") == 1.25
    assert adjustment(items["6.3.1.3"], "企业碳排放") == 0.6


def test_rank_orders_by_adjusted_score_and_drops_unknown_codes() -> None:
    hits = [
        EngineHit("3.2.2.1", 4.0, ("风电",)),
        EngineHit("3.2.1.1", 3.0, ("风电叶片",)),
        EngineHit("9.9.9.9", 50.0, ()),  # an index older than the data file
        EngineHit("3.2.2", 50.0, ()),  # not a level-4 item
    ]

    ranked = rank(catalogue(), "风电叶片生产线", hits, size=5)

    assert [(c.item.code, c.score) for c in ranked] == [("3.2.1.1", 4.8), ("3.2.2.1", 3.0)]
    assert [p.code for p in ranked[0].path] == ["3", "3.2", "3.2.1"]
    assert ranked[0].matched_terms == ("风电叶片",)


def test_a_request_is_trimmed_and_checked() -> None:
    assert validate_request(IdentifyRequest(text="  光伏电站 ")).text == "光伏电站"
    with pytest.raises(ValidationFailed) as raised:
        validate_request(IdentifyRequest(text="光" * 5001))
    assert [(i.field, i.code.value) for i in raised.value.issues] == [("text", "OUT_OF_RANGE")]
