"""The calculation engine: breakdown, rounding, units, factor confidence, measured factors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.carbon.calculate import calculate
from greenrong.domain.carbon.engine import ROUNDING, MeasuredFactor
from greenrong.domain.carbon.errors import (
    FactorNotFound,
    LowConfidenceFactor,
    UnitMismatch,
    UnknownUnit,
)
from greenrong.domain.carbon.factors import available_versions, load_factor_set
from tests.carbon.helpers import VERSION, request, run


def test_natural_gas_breakdown_shows_activity_every_factor_and_the_rounded_result() -> None:
    # given 12.5 × 10⁴ Nm³ of natural gas (defaults: NCV 389.31 GJ/10⁴Nm³, CC 15.3 tC/TJ, OF 0.99)
    # when
    result = run(
        "industrial.cement",
        ("fuel:天然气", "12.5", "tenk_Nm3"),
        ("clinker", "0", "t"),
        ("clinker_cao", "0", "percent"),
        ("clinker_mgo", "0", "percent"),
    )
    # then: 12.5 × 389.31 = 4866.375 GJ = 4.866375 TJ; × 15.3 = 74.4555375 tC; × 0.99
    #       = 73.710982125 tC; × 44/12 = 270.273601125 tCO2 → 270.274 (half-up at 0.001)
    line = result.lines[0]
    assert (line.section, line.label) == ("化石燃料燃烧", "天然气")
    assert (line.activity.value, line.activity.unit) == (Decimal("12.5"), "tenk_Nm3")
    assert [(f.key, f.value, f.unit, f.confidence, f.version) for f in line.factors] == [
        ("fuel.天然气.ncv", Decimal("389.31"), "GJ/tenk_Nm3", "medium", VERSION),
        ("fuel.天然气.cc", Decimal("15.3"), "tC/TJ", "medium", VERSION),
        ("fuel.天然气.of", Decimal("0.99"), "dimensionless", "medium", VERSION),
        ("process.c_to_co2", Decimal("3.666666666666666666666666667"), "tCO2/tC", "high", VERSION),
    ]
    assert all(f.source for f in line.factors)
    assert line.formula == "FC × NCV × CC × OF × 44/12"
    assert (line.result.value, line.result.unit) == (Decimal("270.274"), "tCO2e")
    assert result.total == Decimal("270.274")
    assert result.rounding == ROUNDING


def test_same_request_gives_the_same_result() -> None:
    req = request(
        "industrial.flat_glass", ("carbonate:Na2CO3", "333.3", "t"), ("fuel:柴油", "7.77", "t")
    )
    assert calculate(req) == calculate(req)


def test_totals_are_sums_of_the_rounded_lines() -> None:
    # 1 t CaCO3 × 0.440 = 0.440; 1 t Na2CO3 × 0.415 = 0.415; 0.0005 t BaCO3 × 0.223 = 0.0001115
    # → 0.000 (half-up); total 0.855 = 0.440 + 0.415 + 0.000
    result = run(
        "industrial.flat_glass",
        ("carbonate:CaCO3", "1", "t"),
        ("carbonate:Na2CO3", "1", "t"),
        ("carbonate:BaCO3", "0.0005", "t"),
    )
    assert [ln.result.value for ln in result.lines] == [
        Decimal("0.440"),
        Decimal("0.415"),
        Decimal("0.000"),
    ]
    assert result.total == Decimal("0.855")


def test_activity_in_another_dimension_is_a_unit_mismatch_not_a_conversion() -> None:
    # natural gas is measured in 10⁴ Nm³; tonnes of gas would need a density we never assume
    with pytest.raises(UnitMismatch) as e:
        run("industrial.flat_glass", ("fuel:天然气", "10", "t"))
    assert e.value.given == "t"
    assert e.value.expected == "tenk_Nm3"
    assert "天然气" in e.value.message


def test_coal_in_normal_cubic_metres_is_a_unit_mismatch() -> None:
    with pytest.raises(UnitMismatch):
        run("industrial.flat_glass", ("fuel:柴油", "10", "Nm3"))


def test_electricity_in_tonnes_is_a_unit_mismatch() -> None:
    with pytest.raises(UnitMismatch) as e:
        run("industrial.flat_glass", ("electricity:purchased", "10", "t"))
    assert e.value.expected == "MWh"


def test_scaling_within_one_dimension_is_exact_and_shown() -> None:
    # 2 500 kWh = 2.5 MWh × 0.5306 kgCO2/kWh (2023 national) = 1.3265 tCO2 → 1.327 (half-up)
    result = run("industrial.flat_glass", ("electricity:purchased", "2500", "kWh"))
    line = result.lines[0]
    assert (line.activity.value, line.activity.unit) == (Decimal("2.5"), "MWh")
    assert line.result.value == Decimal("1.327")


def test_unknown_unit_is_a_typed_error() -> None:
    with pytest.raises(UnknownUnit):
        run("industrial.flat_glass", ("fuel:柴油", "10", "barrels of fun"))


def test_missing_factor_is_a_typed_error() -> None:
    # 2023 Sichuan grid factor was not published in the sources we have
    with pytest.raises(FactorNotFound) as e:
        run("industrial.flat_glass", ("electricity:purchased", "10", "MWh"), grid="2023.四川")
    assert e.value.key == "grid.2023.四川"
    with pytest.raises(FactorNotFound):
        run("industrial.flat_glass", ("fuel:木柴", "10", "t"))


def test_unknown_factor_version_is_a_typed_error() -> None:
    assert available_versions() == [VERSION]
    with pytest.raises(FactorNotFound):
        calculate(
            request("industrial.flat_glass").__class__(
                model="industrial.flat_glass", activities=(), factor_version="CN-1999.1"
            )
        )


def test_low_confidence_default_is_refused_unless_accepted() -> None:
    # 烟煤 defaults are tagged low confidence (coal NCVs differ between guidelines)
    with pytest.raises(LowConfidenceFactor) as e:
        run("industrial.flat_glass", ("fuel:烟煤", "100", "t"))
    assert e.value.keys == ["fuel.烟煤.cc", "fuel.烟煤.ncv", "fuel.烟煤.of"]
    # accepted by key: 100 × 19.57 = 1957 GJ = 1.957 TJ × 26.1 = 51.0777 tC × 0.93
    #   = 47.502261 tC × 44/12 = 174.174957 → 174.175
    accepted = run(
        "industrial.flat_glass",
        ("fuel:烟煤", "100", "t"),
        accept=("fuel.烟煤.cc", "fuel.烟煤.ncv", "fuel.烟煤.of"),
    )
    assert accepted.total == Decimal("174.175")
    assert run("industrial.flat_glass", ("fuel:烟煤", "100", "t"), accept=("*",)).total == Decimal(
        "174.175"
    )


def test_measured_factor_replaces_the_default_and_the_breakdown_says_so() -> None:
    # measured NCV and CC replace the low-confidence defaults; OF still needs acceptance
    measured = (
        MeasuredFactor("fuel.烟煤.ncv", Decimal("21.5"), "GJ/t", "2023 年入炉煤检测均值"),
        MeasuredFactor("fuel.烟煤.cc", Decimal("0.0255"), "tC/GJ", "元素分析"),
    )
    with pytest.raises(LowConfidenceFactor) as e:
        run("industrial.flat_glass", ("fuel:烟煤", "100", "t"), measured=measured)
    assert e.value.keys == ["fuel.烟煤.of"]
    result = run(
        "industrial.flat_glass",
        ("fuel:烟煤", "100", "t"),
        measured=measured,
        accept=("fuel.烟煤.of",),
    )
    ncv, cc, of, _ = result.lines[0].factors
    assert (ncv.measured, ncv.value, ncv.replaces, ncv.confidence) == (
        True,
        Decimal("21.5"),
        Decimal("19.57"),
        "measured",
    )
    assert ncv.source.startswith("企业实测值")
    assert "2023 年入炉煤检测均值" in ncv.source
    assert (cc.unit, cc.replaces) == ("tC/GJ", Decimal("26.1"))
    assert of.measured is False
    # 100 t × 21.5 GJ/t = 2150 GJ × 0.0255 tC/GJ = 54.825 tC × 0.93 = 50.98725 tC
    #   × 44/12 = 186.95325 → 186.953
    assert result.total == Decimal("186.953")


def test_measured_factor_in_the_wrong_dimension_is_refused() -> None:
    with pytest.raises(UnitMismatch):
        run(
            "industrial.flat_glass",
            ("fuel:柴油", "1", "t"),
            measured=(MeasuredFactor("fuel.柴油.ncv", Decimal("42"), "GJ/Nm3"),),
        )


def test_inputs_the_model_does_not_use_are_refused() -> None:
    with pytest.raises(ValidationFailed) as e:
        run("industrial.flat_glass", ("clinker", "1", "t"))
    assert e.value.issues[0].message == "model industrial.flat_glass does not use clinker"


def test_duplicate_and_negative_inputs_are_refused() -> None:
    with pytest.raises(ValidationFailed) as e:
        run("industrial.flat_glass", ("fuel:柴油", "1", "t"), ("fuel:柴油", "-1", "t"))
    assert [(i.field, i.code) for i in e.value.issues] == [
        ("activities.1.source", "DUPLICATE"),
        ("activities.1.value", "OUT_OF_RANGE"),
    ]


def test_unknown_model_is_not_supported() -> None:
    with pytest.raises(ValidationFailed) as refused:
        run("agriculture.rice")
    assert [(i.field, i.code) for i in refused.value.issues] == [("model", ErrorCode.NOT_SUPPORTED)]


def test_factor_set_carries_sources_and_confidence_tags() -> None:
    fs = load_factor_set(VERSION)
    assert fs.get("grid.2022.四川").value == Decimal("0.1404")
    assert fs.get("grid.2022.全国").value == Decimal("0.5366")
    assert fs.get("grid.2021.全国").value == Decimal("0.5568")
    assert fs.get("grid.2023.全国").value == Decimal("0.5306")
    assert fs.get("grid.2022.四川").confidence == "high"
    assert fs.get("fuel.无烟煤.ncv").confidence == "low"
    assert fs.get("fuel.天然气.ncv").confidence == "medium"
    assert fs.get("scope3.paper").our_assumption is True
    assert all(f.source and f.provenance for f in fs.factors.values())


def test_kt_is_a_knot_to_pint_so_it_is_refused_rather_than_read_as_kilotonnes() -> None:
    with pytest.raises(UnitMismatch) as e:
        run("industrial.flat_glass", ("carbonate:CaCO3", "1", "kt"))
    assert e.value.expected == "t"


def test_a_missing_required_input_is_named() -> None:
    with pytest.raises(ValidationFailed) as e:
        run("industrial.aluminium", ("limestone", "1", "t"), accept=("*",))
    assert e.value.issues[0].code == "REQUIRED"
    assert e.value.issues[0].message == "原铝产量 (aluminium, in t) is required"


def test_a_fuel_without_defaults_runs_on_measured_factors_only() -> None:
    # 木柴 is not in the factor set: with all three parameters measured it runs
    # 10 t × 16.0 GJ/t = 160 GJ = 0.16 TJ × 30.0 tC/TJ = 4.8 tC × 0.9 = 4.32 tC × 44/12 = 15.840
    measured = (
        MeasuredFactor("fuel.木柴.ncv", Decimal("16.0"), "GJ/t"),
        MeasuredFactor("fuel.木柴.cc", Decimal("30.0"), "tC/TJ"),
        MeasuredFactor("fuel.木柴.of", Decimal("0.9"), "dimensionless"),
    )
    result = run("industrial.flat_glass", ("fuel:木柴", "10", "t"), measured=measured)
    assert result.total == Decimal("15.840")
    assert [f.replaces for f in result.lines[0].factors[:3]] == [None, None, None]
