"""identifyGreen against the catalogue index in osmem-server: ranked codes, matched terms,
statistics, confidence, validation errors, and SearchUnavailable."""

from __future__ import annotations

from typing import Any

from greenrong.domain.identification.service import engine_version
from tests.identification.helpers import IDENTIFY
from tests.search.test_search_unavailable import down, post  # noqa: F401  (the fixture)


async def _identify(gql: Any, text: str, **extra: Any) -> dict[str, Any]:
    first = extra.pop("first", 3)
    body = await gql(IDENTIFY, {"input": {"text": text, **extra}, "first": first})
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["identifyGreen"]
    return result


def _codes(result: dict[str, Any]) -> list[str]:
    return [c["code"] for c in result["candidates"]]


async def test_a_fishery_solar_plant_is_solar_operation_with_its_path_and_terms(gql) -> None:
    # when
    result = await _identify(gql, "在眉山建设200MW渔光互补光伏电站，并网后年发电2.4亿千瓦时")

    # then
    assert result["__typename"] == "GreenIdentificationResult"
    assert result["engineVersion"] == engine_version()
    top = result["candidates"][0]
    assert (top["rank"], top["code"], top["name"]) == (1, "3.2.2.2", "太阳能利用设施建设和运营")
    assert top["path"] == [
        {"level": 1, "code": "3", "name": "清洁能源产业"},
        {"level": 2, "code": "3.2", "name": "清洁能源"},
        {"level": 3, "code": "3.2.2", "name": "可再生能源设施建设与运营"},
    ]
    assert top["matchedTerms"] == ["光伏电站", "渔光互补"]


async def test_clear_descriptions_rank_their_item_first(gql) -> None:
    cases = {
        "城区污水处理厂提标改造至一级A，日处理10万吨": "5.3.1.1",
        "对燃煤电厂2台机组实施烟气脱硫脱硝除尘超低排放改造": "2.1.1.1",
        "在成都市区布局换电站30座，服务网约车电动化运营": "5.5.4.1",
        "建设100MW/200MWh磷酸铁锂储能电站，参与电网调峰": "3.2.3.2",
        "新建年产5GW高效单晶电池片生产线": "3.2.1.2",
        "节能服务公司以合同能源管理方式为商场改造空调系统，按节能效益分成": "6.2.1.2",
    }
    for text, expected in cases.items():
        # when
        result = await _identify(gql, text)
        # then
        assert _codes(result)[0] == expected, (text, _codes(result))


async def test_a_synonym_of_a_vocabulary_term_matches_and_is_named_as_written(gql) -> None:
    # 废水 is in the synonym file with 污水; the vocabulary of 5.3.1.3 says 污水收集 / 污水管网
    result = await _identify(gql, "新建废水管网18公里，实施雨污分流")

    assert _codes(result)[0] == "5.3.1.3"
    assert result["candidates"][0]["matchedTerms"] == ["废水", "雨污分流"]


async def test_statistics_of_a_solar_plant_and_the_pboc_refinanceable_amount(gql) -> None:
    # when
    result = await _identify(
        gql, "屋顶分布式光伏电站，装机8.6MWp", amount="10000000.00", regionCode="510104"
    )

    # then
    stats = result["candidates"][0]["statistics"]
    assert stats == {
        "greenLoanCategory": {"key": "7", "name": "可再生能源及清洁能源项目"},
        "emergingIndustry": None,
        "pbocGreenLoanCategory": "清洁能源产业",
        "benefitIndicators": [
            {"key": "standard_coal_saved", "name": "节约标准煤", "confirmed": True},
            {"key": "co2e_reduced", "name": "二氧化碳当量减排量", "confirmed": True},
            {"key": "so2_reduced", "name": "二氧化硫减排量", "confirmed": True},
            {"key": "nox_reduced", "name": "氮氧化物减排量", "confirmed": True},
        ],
        "pbocTool": {
            "eligible": True,
            "area": {"key": "CE", "name": "清洁能源"},
            "refinanceableAmount": "6000000.00",
        },
        "climateType": "MITIGATION",
        "climateScope": [{"key": "MIT-2", "name": "优化能源结构，大力发展非化石能源"}],
        "rules": ["3", "3.2.2"],
    }


async def test_statistics_of_an_ineligible_item_give_no_refinanceable_amount(gql) -> None:
    result = await _identify(gql, "对施工工地实施扬尘在线监测与雾炮喷淋降尘", amount="500000")

    top = result["candidates"][0]
    assert top["code"] == "1.3.3.2"
    assert top["statistics"]["pbocTool"] == {
        "eligible": False,
        "area": None,
        "refinanceableAmount": None,
    }
    assert top["statistics"]["greenLoanCategory"] == {"key": "6", "name": "垃圾处理及污染防治项目"}
    assert top["statistics"]["climateType"] == "NONE"
    assert top["statistics"]["climateScope"] == []
    assert [b["key"] for b in top["statistics"]["benefitIndicators"]] == [
        "particulates_reduced",
        "nox_reduced",
    ]
    assert top["statistics"]["benefitIndicators"][0]["confirmed"] is False


async def test_confidence_follows_the_ranking_and_a_clear_text_is_more_confident(gql) -> None:
    clear = await _identify(gql, "城区污水处理厂提标改造至一级A，日处理10万吨", first=5)
    vague = await _identify(gql, "环境治理项目", first=5)

    confidences = [c["confidence"] for c in clear["candidates"]]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences)
    assert confidences[0] > 0.6
    assert vague["candidates"] == [] or vague["candidates"][0]["confidence"] < confidences[0] / 2


async def test_a_description_matching_nothing_has_no_candidates(gql) -> None:
    result = await _identify(gql, "今天天气很好")

    assert result == {
        "__typename": "GreenIdentificationResult",
        "engineVersion": engine_version(),
        "candidates": [],
    }


async def test_manufacturing_cues_choose_the_manufacturing_item(gql) -> None:
    making = await _identify(gql, "建设风电叶片生产线，年产能600套")
    running = await _identify(gql, "建设山地风电场，安装25台风电机组")

    assert _codes(making)[0] == "3.2.1.1"
    assert _codes(running)[0] == "3.2.2.1"


async def test_bad_input_is_a_validation_error_naming_every_field(gql) -> None:
    # when
    result = await _identify(gql, "   ", amount="-1", regionCode="110000")

    # then
    assert result["__typename"] == "ValidationError"
    assert result["errors"] == [
        {"field": "text", "code": "REQUIRED", "message": "describe the project"},
        {"field": "amount", "code": "OUT_OF_RANGE", "message": "must not be negative"},
        {
            "field": "regionCode",
            "code": "UNKNOWN_REFERENCE",
            "message": "not a Sichuan GB/T 2260 code",
        },
    ]


async def test_first_out_of_range_is_a_validation_error(gql) -> None:
    result = await _identify(gql, "光伏电站", first=11)

    assert result["__typename"] == "ValidationError"
    assert (result["code"], result["field"]) == ("OUT_OF_RANGE", "first")


async def test_the_engine_down_is_search_unavailable(down) -> None:  # noqa: F811
    body = await post(down, IDENTIFY, {"input": {"text": "光伏电站"}})

    assert body["data"]["identifyGreen"] == {
        "__typename": "SearchUnavailable",
        "reason": "UNREACHABLE",
        "message": "search engine is unreachable",
    }


async def test_anyone_may_identify_even_anonymously(gql_as) -> None:
    body = await gql_as(None)(IDENTIFY, {"input": {"text": "城区污水处理厂提标改造"}})

    assert body["data"]["identifyGreen"]["candidates"][0]["code"] == "5.3.1.1"
