"""Project environmental benefits: seven indicators for eight project types, four placeholders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenrong.domain.carbon.benefits import (
    INDICATORS,
    PROJECT_TYPES,
    indicators,
    unconfirmed_indicator,
)
from greenrong.domain.carbon.errors import LowConfidenceFactor, NotSupported, UnitMismatch
from tests.carbon.helpers import lines, run

POWER_EXPECTED = {
    # 10 000 MWh = 10⁷ kWh
    # 节约标准煤 10⁷ kWh × 300.7 gce/kWh = 3.007 × 10⁹ gce = 3007.000 tce
    "节约标准煤/替代火电供电煤耗": Decimal("3007.000"),
    # CO2 10 000 MWh × 0.1404 tCO2/MWh (2022 四川) = 1404.000
    "二氧化碳当量减排量/替代电网电量": Decimal("1404.000"),
    # SO2 10⁷ kWh × 0.101 g/kWh = 1.01 × 10⁶ g = 1.010 t; NOx 10⁷ × 0.152 g = 1.520 t
    "二氧化硫减排量/替代火电 SO2 排放": Decimal("1.010"),
    "氮氧化物减排量/替代火电 NOx 排放": Decimal("1.520"),
}


@pytest.mark.parametrize("ptype", ["photovoltaic", "wind", "hydro", "biomass_power"])
def test_renewable_power_replaces_grid_electricity(ptype: str) -> None:
    result = run(
        f"benefit.{ptype}", ("generation", "10000", "MWh"), accept=("*",), grid="2022.四川"
    )
    assert lines(result) == POWER_EXPECTED
    assert result.total == Decimal("1404.000")


def test_power_benefit_coefficients_are_our_assumptions_and_need_acceptance() -> None:
    with pytest.raises(LowConfidenceFactor) as e:
        run("benefit.wind", ("generation", "1", "MWh"))
    assert e.value.keys == [
        "benefit.thermal_coal_rate",
        "benefit.thermal_nox_rate",
        "benefit.thermal_so2_rate",
    ]


def test_energy_saving_retrofit() -> None:
    # 节电 10⁶ kWh: 标准煤 10⁶ × 0.1229 kgce = 122.900 tce; CO2 1000 MWh × 0.5306 (2023 全国) = 530.600
    # 节约天然气 50 × 10⁴ Nm³ = 500 000 Nm³: 标准煤 × 1.33 kgce/Nm³ = 665.000 tce;
    #   CO2 50 × 389.31 = 19465.5 GJ × 15.3 tC/TJ = 297.82215 tC × 0.99 = 294.8439285 tC × 44/12
    #   = 1081.0944045 → 1081.094
    # 节水 12 000 t
    result = run(
        "benefit.energy_saving_retrofit",
        ("saved:electricity", "1000000", "kWh"),
        ("saved:fuel:天然气", "50", "tenk_Nm3"),
        ("water_saved", "12000", "t"),
        accept=("*",),
    )
    assert lines(result) == {
        "节约标准煤/节电": Decimal("122.900"),
        "二氧化碳当量减排量/节电": Decimal("530.600"),
        "节约标准煤/节约天然气": Decimal("665.000"),
        "二氧化碳当量减排量/节约天然气": Decimal("1081.094"),
        "节水量/节水": Decimal("12000.000"),
    }
    assert result.section("节约标准煤") == Decimal("787.900")
    assert result.total == Decimal("1611.694")


def test_wastewater_treatment_cod_and_ammonia_nitrogen() -> None:
    # COD 10⁶ m³ × (300 − 50) mg/L = 10⁶ m³ × 250 g/m³ = 2.5 × 10⁸ g = 250.000 t
    # 氨氮 10⁶ m³ × (30 − 5) mg/L = 2.5 × 10⁷ g = 25.000 t; 再生水回用 200 000 t
    result = run(
        "benefit.wastewater_treatment",
        ("treated_water", "1000000", "m3"),
        ("cod_in", "300", "mg/L"),
        ("cod_out", "50", "mg/L"),
        ("nh3n_in", "30", "mg/L"),
        ("nh3n_out", "5", "mg/L"),
        ("water_saved", "200000", "t"),
    )
    assert lines(result) == {
        "化学需氧量减排量/COD 削减": Decimal("250.000"),
        "氨氮减排量/NH3N 削减": Decimal("25.000"),
        "节水量/节水": Decimal("200000.000"),
    }
    values = {v.indicator.key: (v.value, v.status) for v in indicators(result)}
    assert values["cod_reduced"] == (Decimal("250.000"), "calculated")
    assert values["so2_reduced"] == (None, "not applicable to 污水处理")
    assert values["vocs_reduced"][0] is None


def test_desulphurisation_and_denitrification() -> None:
    # SO2 2 × 10⁹ Nm³ × (2000 − 35) mg/Nm³ = 3.93 × 10¹² mg = 3930.000 t
    # NOx 2 × 10⁹ Nm³ × (400 − 50) mg/Nm³ = 7 × 10¹¹ mg = 700.000 t
    result = run(
        "benefit.desulphurisation_denitrification",
        ("flue_gas", "2000000000", "Nm3"),
        ("so2_in", "2000", "mg/Nm3"),
        ("so2_out", "35", "mg/Nm3"),
        ("nox_in", "400", "mg/Nm3"),
        ("nox_out", "50", "mg/Nm3"),
    )
    assert lines(result) == {
        "二氧化硫减排量/SO2 削减": Decimal("3930.000"),
        "氮氧化物减排量/NOX 削减": Decimal("700.000"),
    }


def test_flue_gas_in_cubic_metres_of_actual_volume_is_refused() -> None:
    with pytest.raises(UnitMismatch):
        run(
            "benefit.desulphurisation_denitrification",
            ("flue_gas", "1", "m3"),
            ("so2_in", "1", "mg/Nm3"),
            ("so2_out", "0", "mg/Nm3"),
        )


def test_new_energy_vehicles() -> None:
    # 100 辆 × 30 000 km = 3 × 10⁶ km; 替代汽油 8 L/100 km = 0.08 L/km; 电耗 0.15 kWh/km
    # 汽油 3 × 10⁶ × 0.08 = 240 000 L = 240 m³ × 0.73 t/m³ = 175.2 t
    # 节约标准煤 175.2 t × 1.4714 kgce/kg = 257.78928 → 257.789
    #   − 450 000 kWh × 300.7 gce/kWh = 135.315 tce → 257.789 − 135.315 = 122.474
    # CO2 175.2 × 43.07 = 7545.864 GJ × 18.9 tC/TJ = 142.6168296 tC × 0.98 = 139.764493008 tC
    #   × 44/12 = 512.469807696 → 512.470; − 450 MWh × 0.1404 = 63.180 → 449.290
    result = run(
        "benefit.new_energy_vehicles",
        ("distance", "3000000", "km"),
        ("fuel_rate", "8", "L_per_100km"),
        ("electricity_rate", "0.15", "kWh/km"),
        accept=("*",),
        grid="2022.四川",
    )
    assert lines(result) == {
        "节约标准煤/替代汽油": Decimal("257.789"),
        "节约标准煤/新增用电": Decimal("-135.315"),
        "二氧化碳当量减排量/替代汽油": Decimal("512.470"),
        "二氧化碳当量减排量/新增用电": Decimal("-63.180"),
    }
    assert result.section("节约标准煤") == Decimal("122.474")
    assert result.total == Decimal("449.290")


def test_eight_project_types_seven_indicators_four_placeholders() -> None:
    assert len(PROJECT_TYPES) == 8
    assert len(INDICATORS) == 11
    assert [i.name_zh for i in INDICATORS if i.confirmed] == [
        "节约标准煤",
        "二氧化碳当量减排量",
        "化学需氧量减排量",
        "氨氮减排量",
        "二氧化硫减排量",
        "氮氧化物减排量",
        "节水量",
    ]
    with pytest.raises(NotSupported) as e:
        unconfirmed_indicator("particulates_reduced")
    assert "not available" in e.value.message
    assert unconfirmed_indicator("water_saved").unit == "t"
