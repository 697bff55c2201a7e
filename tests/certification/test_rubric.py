"""The rubric files: both enterprise versions and the project rubric load and validate, every
unpublished value is marked as our assumption, bad files are refused with every reason, and
score → level holds on both sides of every threshold (exact decimals)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from greenrong.domain.certification.rubric import (
    CertificationSubject,
    RubricError,
    current,
    parse_rubric,
    rubric,
    versions,
)
from greenrong.domain.reference.vocab import GreenLevel

E, P = CertificationSubject.ENTERPRISE, CertificationSubject.PROJECT


def _raw(name: str) -> dict[str, Any]:
    path = resources.files("greenrong.domain.certification").joinpath("data", name)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_package_keeps_every_version_and_new_cycles_use_the_newest() -> None:
    assert versions(E) == ["2022.1", "2023.1"]
    assert versions(P) == ["2022.1"]
    assert current(E).version == "2023.1"
    assert current(P).version == "2022.1"


def test_dimension_names_are_the_published_ones_and_points_add_up_to_100() -> None:
    enterprise = rubric(E, "2022.1")
    project = rubric(P, "2022.1")
    assert [d.name for d in enterprise.dimensions] == [
        "绿色经营",
        "环境保护",
        "低碳转型",
        "低碳技术先进性",
        "社会责任",
        "公司治理",
    ]
    assert [d.name for d in project.dimensions] == [
        "绿色标准符合性",
        "项目合规性",
        "产业政策符合性",
        "环境与社会风险",
        "项目气候效益",
        "项目可持续发展效益",
        "行业先进性",
    ]
    assert [d.points for d in enterprise.dimensions] == [20, 20, 15, 15, 15, 15]
    assert [d.points for d in rubric(E, "2023.1").dimensions] == [18, 20, 20, 15, 15, 12]
    assert [d.points for d in project.dimensions] == [20, 15, 10, 15, 15, 15, 10]
    assert enterprise.entry_threshold == Decimal(50)
    assert enterprise.indicators["E1.1"].question.startswith("企业属于《绿色产业指导目录》")


@pytest.mark.parametrize(
    "name",
    [
        "rubric_enterprise_2022.1.json",
        "rubric_enterprise_2023.1.json",
        "rubric_project_2022.1.json",
    ],
)
def test_every_unpublished_value_is_marked_as_our_assumption(name: str) -> None:
    data = _raw(name)
    assert data["entry_threshold"] == {
        "score": "50",
        "assumption": False,
        "source": "seed report: 评分 50 分以上进入绿色企业库/绿色项目库",
    }
    assert all(d["assumption_points"] is True for d in data["dimensions"])
    assert all(i["assumption"] is True for d in data["dimensions"] for i in d["indicators"])
    assert all(b["assumption"] is True for b in data["levels"])
    assert "seed report" in data["source"]


@pytest.mark.parametrize(
    ("version", "score", "level"),
    [
        ("2022.1", "0", GreenLevel.NONE),
        ("2022.1", "49.99", GreenLevel.NONE),
        ("2022.1", "50", GreenLevel.GREEN),
        ("2022.1", "50.00", GreenLevel.GREEN),
        ("2022.1", "69.99", GreenLevel.GREEN),
        ("2022.1", "70", GreenLevel.DEEP_GREEN),
        ("2022.1", "84.99", GreenLevel.DEEP_GREEN),
        ("2022.1", "85", GreenLevel.EXCELLENT_GREEN),
        ("2022.1", "100", GreenLevel.EXCELLENT_GREEN),
        ("2023.1", "49.99", GreenLevel.NONE),
        ("2023.1", "50", GreenLevel.GREEN),
        ("2023.1", "74.99", GreenLevel.GREEN),
        ("2023.1", "75", GreenLevel.DEEP_GREEN),
        ("2023.1", "87.99", GreenLevel.DEEP_GREEN),
        ("2023.1", "88", GreenLevel.EXCELLENT_GREEN),
    ],
)
def test_score_to_level_on_both_sides_of_each_threshold(
    version: str, score: str, level: GreenLevel
) -> None:
    enterprise = rubric(E, version)
    assert enterprise.level(Decimal(score)) is level
    assert enterprise.admitted(Decimal(score)) is (Decimal(score) >= 50)


def test_the_project_rubric_has_the_same_bands() -> None:
    project = rubric(P, "2022.1")
    assert [(b.level, b.min_score) for b in project.levels] == [
        (GreenLevel.GREEN, Decimal(50)),
        (GreenLevel.DEEP_GREEN, Decimal(70)),
        (GreenLevel.EXCELLENT_GREEN, Decimal(85)),
    ]
    assert project.level(Decimal("49.99")) is GreenLevel.NONE
    assert project.level(Decimal("84.99")) is GreenLevel.DEEP_GREEN


def test_a_file_whose_points_do_not_add_up_is_refused_with_every_reason() -> None:
    data = copy.deepcopy(_raw("rubric_enterprise_2022.1.json"))
    data["dimensions"][0]["indicators"][0]["points"] = 9  # E1's indicators now add up to 21
    data["dimensions"][1]["indicators"][1]["code"] = "E1.2"  # a code used twice
    data["dimensions"][5]["points"] = 16  # the dimensions now add up to 101

    with pytest.raises(RubricError) as failure:
        parse_rubric(data, name="broken.json")

    assert failure.value.problems == [
        "dimensions[0].points: the indicators of E1 add up to 21, not 20",
        "dimensions[1].indicators[1].code: E1.2 is used twice",
        "dimensions[5].points: the indicators of E6 add up to 15, not 16",
        "total_points: the dimensions add up to 101, not 100",
    ]
    assert str(failure.value).startswith("rubric broken.json: dimensions[0].points")


def test_names_bands_numbers_and_assumption_flags_are_checked() -> None:
    data = copy.deepcopy(_raw("rubric_project_2022.1.json"))
    data["dimensions"][6]["name"] = "行业领先性"
    data["levels"][1]["min_score"] = "40"  # below GREEN
    data["dimensions"][0]["indicators"][0]["points"] = 12.0  # a float is not exact
    del data["dimensions"][0]["indicators"][1]["assumption"]

    with pytest.raises(RubricError) as failure:
        parse_rubric(data)

    assert failure.value.problems == [
        "dimensions[0].indicators[0].points: 12.0 is not an exact number (an integer or a string)",
        "dimensions[0].indicators[1].assumption: say whether the indicator is ours",
        "dimensions[0].points: the indicators of P1 add up to 8, not 20",
        "dimensions: PROJECT needs 绿色标准符合性、项目合规性、产业政策符合性、环境与社会风险、"
        "项目气候效益、项目可持续发展效益、行业先进性 in that order, not 绿色标准符合性、项目合规性、"
        "产业政策符合性、环境与社会风险、项目气候效益、项目可持续发展效益、行业领先性",
        "levels: each band's min_score must be above the one before",
    ]


def test_an_unknown_version_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        rubric(E, "2030.1")
