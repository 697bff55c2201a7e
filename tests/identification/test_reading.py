"""The reading of application-style texts (domain/identification/reading): making against
building, the opening statement and side components, the narrower items; and the cue file's
validation. No engine needed."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from greenrong.domain.identification.catalogue import CatalogueError, catalogue, load_json
from greenrong.domain.identification.ranking import EngineHit, adjustment, rank
from greenrong.domain.identification.reading import (
    Mode,
    condition_scope,
    emphasis,
    equipment_cap,
    head,
    making_balance,
    mode,
    parse,
    reading_cues,
    rule_applies,
)
from greenrong.indexers.catalogue.queries import QueryTerm

CEMENT = (
    "广安市某水泥企业拟在现有熟料生产线上建设纯低温余热发电项目，总投资7200万元：新建一套12MW"
    "汽轮机及发电机组，配套冷却塔和10千伏并网接入。投运后年发电量约8000万千瓦时，全部自用。"
)
MOTORS = (
    "绵阳市某电机公司拟投资3.2亿元新建超高效电机生产基地，建设标准厂房4.5万平方米，建成年产30万台"
    "永磁同步电动机的生产线，并配套电机检测试验中心。项目分两期实施，一期2025年底投产。"
)


def test_making_is_weighed_against_building_and_running() -> None:
    assert making_balance(CEMENT) == (1, 4)  # 生产线 against 并网, 投运, 发电量, 自用
    assert mode(CEMENT) is Mode.FACILITY
    assert making_balance(MOTORS) == (6, 0)  # 生产基地 2, 年产…台 2, 生产线 1, 厂房 1
    assert mode(MOTORS) is Mode.MAKING
    # the borrower's trade is not what the project makes
    assert mode("某重型装备制造企业实施空压站系统节能改造") is Mode.FACILITY
    assert mode("风电叶片生产线，产能600套，配套厂区改造") is Mode.MAKING
    assert mode("在厂房屋顶实施光伏改造") is Mode.UNSAID


def test_a_generator_item_is_lowered_for_a_plant_and_lifted_for_a_factory() -> None:
    items = catalogue().items

    assert adjustment(items["1.1.1.7"], CEMENT) == 0.55
    assert adjustment(items["1.1.2.3"], CEMENT) == 1.0
    assert adjustment(items["1.1.1.8"], MOTORS) == 1.6
    assert adjustment(items["1.1.2.2"], MOTORS) == 0.75


def test_the_opening_statement_is_the_subject_and_side_components_count_less() -> None:
    text = (
        "德阳市某能源公司为经开区内12家企业建设用户侧储能项目，总规模60MW/120MWh：安装储能集装箱，"
        "配套建设屋顶光伏和充电桩，利用峰谷电价差削峰填谷，项目分两批于2025年内投运。"
    )

    assert head(text) == "建设用户侧储能项目"
    assert emphasis(text, "储能", head_factor=2.0, incidental_factor=0.6) == 2.0
    assert emphasis(text, "充电桩", head_factor=2.0, incidental_factor=0.6) == 0.6
    assert emphasis(text, "削峰填谷", head_factor=2.0, incidental_factor=0.6) == 1.0
    # a short description is all subject
    assert (
        emphasis("配套建设屋顶光伏和充电桩", "充电桩", head_factor=2.0, incidental_factor=0.6) == 1
    )


def test_a_narrower_item_goes_before_the_broader_one_only_when_its_conditions_are_named() -> None:
    hits = [EngineHit("2.1.1.1", 20.0, ("脱硝",)), EngineHit("2.1.1.3", 12.0, ("超低排放",))]

    steel = rank(catalogue(), "某钢铁企业烧结机烟气超低排放改造，新增脱硫脱硝", hits, size=2)
    cement = rank(catalogue(), "某水泥企业窑尾烟气超低排放改造，新增脱硫脱硝", hits, size=2)

    assert [(c.item.code, c.score) for c in steel] == [("2.1.1.3", 22.0), ("2.1.1.1", 20.0)]
    assert [(c.item.code, c.score) for c in cement] == [("2.1.1.1", 20.0), ("2.1.1.3", 12.0)]


def test_a_narrower_item_whose_conditions_are_not_named_goes_after_the_broader_one() -> None:
    # 超低排放 is in the steel item's name, so a cement kiln's text matches it strongly
    hits = [EngineHit("2.1.1.3", 22.0, ("超低排放",)), EngineHit("2.1.1.1", 20.0, ("脱硝",))]

    cement = rank(catalogue(), "某水泥企业窑尾烟气超低排放改造，新增脱硫脱硝", hits, size=2)

    assert [(c.item.code, round(c.score, 4)) for c in cement] == [
        ("2.1.1.1", 20.0),
        ("2.1.1.3", 18.1818),
    ]


def test_a_park_needs_a_central_plant_named_for_the_park_item() -> None:
    hits = [EngineHit("2.1.2.1", 10.0, ("化工废水",)), EngineHit("2.1.2.2", 5.0, ("园区污水",))]

    central = rank(catalogue(), "化工园区新建集中式污水处理厂", hits, size=1)
    own = rank(catalogue(), "位于化工园区的某企业改造自身化工废水处理站", hits, size=1)

    assert central[0].item.code == "2.1.2.2"
    assert own[0].item.code == "2.1.2.1"


def _cues() -> dict[str, Any]:
    return copy.deepcopy(load_json("reading_cues.json"))


def test_the_packaged_cues_are_versioned_and_name_their_sources() -> None:
    cues = reading_cues()

    assert cues.version == "2026-12-2"
    assert [r.code for r in cues.specific] == [
        "2.1.1.3",
        "2.1.2.2",
        "1.3.2.3",
        "4.2.1.9",
        "6.2.1.2",
    ]
    assert load_json("reading_cues.json")["provenance"].startswith("ASSUMPTION")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda d: d["making"].update(strong=[]), "making.strong needs non-empty words"),
        (lambda d: d["making"].update(patterns=["年产("]), "a making pattern does not compile"),
        (lambda d: d["specific"][0].update(code="9.9.9.9"), "9.9.9.9 is not a level-4 item"),
        (lambda d: d["specific"][0].update(over=["2.1.1"]), "2.1.1 is not a level-4 item"),
        (lambda d: d["specific"][0].update(over=["2.1.1.3"]), "must go before other items"),
        (lambda d: d["specific"][0].update(when=[[]]), "needs its conditions"),
        (lambda d: d["specific"][0].pop("source"), "2.1.1.3 needs its source"),
        (lambda d: d["specific"][0].update(scope="all"), "scope must be opening or text"),
        (lambda d: d["equipment"].update(ends=[]), "equipment.ends needs non-empty words"),
        (
            lambda d: d["emphasis"].pop("source_markers"),
            "emphasis.source_markers needs non-empty words",
        ),
        (lambda d: d["weights"].update(head_term=-1), "weights head_term must be numbers"),
        (lambda d: d["weights"].pop("specific_lift"), "weights specific_lift must be numbers"),
    ],
)
def test_a_broken_cue_file_is_refused(broken: Any, message: str) -> None:
    data = _cues()
    broken(data)

    with pytest.raises(CatalogueError, match=message):
        parse(data, catalogue())


SLAG = (
    "江油市某新型建材公司利用周边钢铁企业排放的高炉矿渣，建设年处理50万吨冶金固废综合利用项目，"
    "总投资2.4亿元。建设立磨粉磨生产线，产品为矿渣微粉，用作混凝土掺合料。建设期15个月。"
)
SEWAGE = (
    "宜宾市某水务公司实施城区第二污水处理厂扩建工程，新增处理规模6万吨/日，出水达到一级A标准。"
    "配套铺设6公里再生水管道向经济开发区工业园区供应冷却用水，建设期20个月。"
)
PARK = (
    "泸州市某白酒产业园区平台公司为园区内42家酿酒及配套企业建设集中式工业污水处理厂一座，设计规模"
    "3万吨/日，同步建设园区污水收集管网21公里和在线监测系统，建设期两年。"
)


def test_a_narrower_items_conditions_count_only_where_they_qualify_the_subject() -> None:
    steel, park, black, mine, _ = reading_cues().specific

    # the slag's origin is not the subject: 钢铁 and 高炉 are in a clause naming a source
    assert condition_scope(SLAG) == "建设年处理50万吨冶金固废综合利用项目 | 总投资2.4亿元"
    assert rule_applies(steel, SLAG) is False
    # the park is named only after the opening statement
    assert rule_applies(park, SEWAGE) is False
    # 配套企业 are the park's suppliers, not a side component
    assert rule_applies(park, PARK) is True
    # 黑臭 counts anywhere: it is the state the works remove, stated as the goal
    text = "内江市某区实施城区3条河道水环境整治工程，总投资2.4亿元，新建截污干管14公里" + "。" * 40
    assert rule_applies(black, text + "整治后消除黑臭水体。") is True
    assert rule_applies(black, text) is False
    # a short description is all subject
    assert rule_applies(steel, "利用钢铁企业排放的钢渣生产微粉") is True
    assert mine.scope == "opening"


def test_a_narrower_item_without_its_conditions_never_comes_first() -> None:
    hits = [
        EngineHit("2.1.1.3", 30.0, ("钢铁企业", "高炉")),
        EngineHit("2.3.1.1", 17.0, ("钢渣",)),
    ]

    ranked = rank(catalogue(), SLAG, hits, size=2)

    # no broader item found: it goes below the best other item by specific_lift (1.1)
    assert [(c.item.code, c.score) for c in ranked] == [
        ("2.3.1.1", 17.0),
        ("2.1.1.3", round(17.0 / 1.1, 6)),
    ]


def test_a_side_component_in_the_opening_statement_stays_a_side_component() -> None:
    text = (
        "四川某高速公路公司在20个服务区建设快充站，共安装超充桩80个，部分服务区配套车棚光伏和储能电池，"
        "接入统一的充电运营平台。项目2025年内分三批投运，收入来自充电服务费。"
    )

    assert emphasis(text, "超充", head_factor=2.0, incidental_factor=0.6) == 2.0
    assert emphasis(text, "储能", head_factor=2.0, incidental_factor=0.6) == 0.6


def test_a_long_equipment_word_weighs_no_more_than_a_four_character_term() -> None:
    assert equipment_cap("汽轮发电机组") == 2.0
    assert equipment_cap("余热锅炉") is None
    assert QueryTerm("汽轮发电机组", ("汽轮发电机组",)).weight == 2.0
    assert QueryTerm("余热发电机组", ("余热发电机组",), emphasis=2.0).weight == 4.0
    assert QueryTerm("纯低温余热", ("纯低温余热",)).weight == 2.5


def test_a_generic_word_in_an_items_vocabulary_is_refused() -> None:
    items = copy.deepcopy(catalogue())
    wind = items.items["3.2.2.1"]
    items.items["3.2.2.1"] = dataclasses.replace(wind, terms=(*wind.terms, "装机容量"))

    with pytest.raises(
        CatalogueError, match=r"3\.2\.2\.1's vocabulary holds generic words: 装机容量"
    ):
        parse(_cues(), items)
    assert "装机容量" not in catalogue().items["3.2.2.1"].terms
    assert "装机容量" in reading_cues().generic
