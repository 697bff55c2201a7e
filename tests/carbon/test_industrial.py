"""Industrial enterprises: the common structure and five industries' process models, each against
a worked example computed by hand from the guideline's formula (derivation in each test)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenrong.domain.carbon.engine import MeasuredFactor
from greenrong.domain.carbon.errors import LowConfidenceFactor, NotSupported
from greenrong.domain.carbon.industrial import INDUSTRIES, industry
from tests.carbon.helpers import lines, run


def test_common_structure_fuel_process_electricity_heat_minus_exports() -> None:
    # 发电-like boundary without process inputs; 2022 Sichuan grid factor 0.1404 kgCO2/kWh,
    # heat 0.11 tCO2/GJ.
    #   柴油 20 t: 20 × 42.652 GJ/t = 853.04 GJ = 0.85304 TJ × 20.2 tC/TJ = 17.231408 tC × 0.98
    #     = 16.88677984 tC × 44/12 = 61.91819275 → 61.918
    #   购入电力 10 000 MWh × 0.1404 = 1404.000; 输出电力 2 000 MWh × 0.1404 = −280.800
    #   购入热力 5 000 GJ × 0.11 = 550.000; 输出热力 1 000 GJ × 0.11 = −110.000
    #   total 61.918 + 1404 − 280.8 + 550 − 110 = 1625.118
    result = run(
        "industrial.power",
        ("fuel:柴油", "20", "t"),
        ("electricity:purchased", "10000", "MWh"),
        ("electricity:exported", "2000", "MWh"),
        ("heat:purchased", "5000", "GJ"),
        ("heat:exported", "1000", "GJ"),
        grid="2022.四川",
    )
    assert lines(result) == {
        "化石燃料燃烧/柴油": Decimal("61.918"),
        "净购入电力/购入电力": Decimal("1404.000"),
        "净购入电力/输出电力": Decimal("-280.800"),
        "净购入热力/购入热力": Decimal("550.000"),
        "净购入热力/输出热力": Decimal("-110.000"),
    }
    assert result.section("净购入电力") == Decimal("1123.200")
    assert result.total == Decimal("1625.118")


def test_power_generation_desulfurisation() -> None:
    # 中国发电企业指南: E_脱硫 = Σ B_k × I_k × EF_k × TR, EF(CaCO3) = 0.440 tCO2/t, TR = 100 %.
    #   石灰石 12 000 t, CaCO3 含量 92 %: 12000 × 0.92 × 0.440 × 1 = 4857.600 tCO2
    # plus 天然气 300 × 10⁴ Nm³ (medium-confidence defaults):
    #   300 × 389.31 = 116793 GJ = 116.793 TJ × 15.3 = 1786.9329 tC × 0.99 = 1769.063571 tC
    #   × 44/12 = 6486.566427 → 6486.566
    # total 6486.566 + 4857.600 = 11344.166
    result = run(
        "industrial.power",
        ("fuel:天然气", "300", "tenk_Nm3"),
        ("desulfurant:CaCO3", "12000", "t"),
        ("desulfurant_content:CaCO3", "92", "percent"),
    )
    assert lines(result) == {
        "化石燃料燃烧/天然气": Decimal("6486.566"),
        "工业生产过程/脱硫 (CaCO3)": Decimal("4857.600"),
    }
    assert result.total == Decimal("11344.166")


def test_cement_raw_material_decomposition_and_organic_carbon() -> None:
    # 中国水泥生产企业指南: E = (Q + Q_ckd + Q_byd) × [(FR1 − FR1₀) × 44/56 + (FR2 − FR2₀) × 44/40]
    #   + Q_生料 × FR_toc × 44/12.
    #   Q = 800 000 t, Q_ckd = 4 000 t, Q_byd = 1 000 t → 805 000 t
    #   FR1 = 65.5 %, FR1₀ = 0.5 % → 0.65;  805000 × 0.65 × 44/56 = 523250 × 11/14 = 411125.000
    #   FR2 = 2.0 %, FR2₀ = 0.4 % → 0.016;  805000 × 0.016 × 1.1 = 14168.000
    #   生料 1 250 000 t × 0.1 % (default, low confidence) × 44/12 = 1250 × 11/3 = 4583.3333 → 4583.333
    #   total 411125 + 14168 + 4583.333 = 429876.333
    activities = (
        ("clinker", "800000", "t"),
        ("kiln_dust", "4000", "t"),
        ("bypass_dust", "1000000", "kg"),
        ("clinker_cao", "65.5", "percent"),
        ("clinker_cao_noncarbonate", "0.5", "percent"),
        ("clinker_mgo", "2.0", "percent"),
        ("clinker_mgo_noncarbonate", "0.4", "percent"),
        ("raw_meal", "1250000", "t"),
    )
    with pytest.raises(LowConfidenceFactor) as e:
        run("industrial.cement", *activities)
    assert e.value.keys == ["process.cement.raw_meal_toc"]
    result = run("industrial.cement", *activities, accept=("process.cement.raw_meal_toc",))
    assert lines(result) == {
        "工业生产过程/原料碳酸盐分解 (CaO)": Decimal("411125.000"),
        "工业生产过程/原料碳酸盐分解 (MgO)": Decimal("14168.000"),
        "工业生产过程/生料中非燃料碳煅烧": Decimal("4583.333"),
    }
    assert result.total == Decimal("429876.333")
    cao = result.lines[0].factors[0]
    assert (cao.value, cao.source) == (Decimal("0.650"), "企业填报: 0.655 − 0.005")


def test_iron_and_steel_fluxes_electrodes_materials_and_sequestration() -> None:
    # 中国钢铁生产企业指南: E_过程 = Σ P × DX × EF (熔剂) + P_电极 × EF_电极 + Σ M × EF − E_固碳
    #   石灰石 50 000 t × 90 % × 0.440 = 19800.000
    #   白云石 20 000 t × 95 % × 0.471 = 8949.000
    #   电极 1 200 t × 3.663 = 4395.600
    #   外购生铁 10 000 t × 0.172 = 1720.000 (low confidence: accepted)
    #   粗钢 1 000 000 t × 0.0154 = −15400.000 (low confidence: accepted)
    #   total 19800 + 8949 + 4395.6 + 1720 − 15400 = 19464.600
    result = run(
        "industrial.steel",
        ("flux:limestone", "50000", "t"),
        ("flux_purity:limestone", "90", "percent"),
        ("flux:dolomite", "20000", "t"),
        ("flux_purity:dolomite", "0.95", "dimensionless"),
        ("electrode", "1200", "t"),
        ("material:pig_iron", "10000", "t"),
        ("product:crude_steel", "1000000", "t"),
        accept=("process.steel.pig_iron", "process.steel.crude_steel_sequestration"),
    )
    assert lines(result) == {
        "工业生产过程/熔剂分解 (石灰石)": Decimal("19800.000"),
        "工业生产过程/熔剂分解 (白云石)": Decimal("8949.000"),
        "工业生产过程/电极消耗": Decimal("4395.600"),
        "工业生产过程/外购生铁": Decimal("1720.000"),
        "工业生产过程/固碳产品隐含排放 (粗钢)": Decimal("-15400.000"),
    }
    assert result.total == Decimal("19464.600")


def test_electrolytic_aluminium_anode_pfcs_and_limestone() -> None:
    # 中国电解铝生产企业指南, P = 100 000 t 原铝:
    #   阳极: P × NC × (1 − S − A) × 44/12 = 100000 × 0.42 × (1 − 0.02 − 0.004) × 44/12
    #        = 42000 × 0.976 = 40992 tC × 44/12 = 150304.000
    #   CF4: 100000 × 0.034 kg/t = 3400 kg = 3.4 t × 6500 (SAR) = 22100.000
    #   C2F6: 100000 × 0.0034 kg/t = 340 kg = 0.34 t × 9200 (SAR) = 3128.000
    #   石灰石 2 000 t × 0.405 (low: accepted) = 810.000
    #   total 150304 + 22100 + 3128 + 810 = 176342.000
    result = run(
        "industrial.aluminium",
        ("aluminium", "100000", "t"),
        ("limestone", "2000", "t"),
        accept=("process.aluminium.limestone",),
    )
    assert lines(result) == {
        "工业生产过程/阳极消耗": Decimal("150304.000"),
        "工业生产过程/阳极效应 (CF4)": Decimal("22100.000"),
        "工业生产过程/阳极效应 (C2F6)": Decimal("3128.000"),
        "工业生产过程/石灰石原料分解": Decimal("810.000"),
    }
    assert result.total == Decimal("176342.000")


def test_electrolytic_aluminium_with_a_measured_anode_consumption_and_ar5() -> None:
    # NC measured 0.405 t/t: 100000 × 0.405 × 0.976 = 39528 tC × 44/12 = 144936.000
    # AR5: CF4 3.4 t × 6630 = 22542.000; C2F6 0.34 t × 11100 = 3774.000
    result = run(
        "industrial.aluminium",
        ("aluminium", "100000", "t"),
        gwp="AR5",
        measured=(
            MeasuredFactor("process.aluminium.anode_net_consumption", Decimal("0.405"), "t/t"),
        ),
    )
    assert lines(result) == {
        "工业生产过程/阳极消耗": Decimal("144936.000"),
        "工业生产过程/阳极效应 (CF4)": Decimal("22542.000"),
        "工业生产过程/阳极效应 (C2F6)": Decimal("3774.000"),
    }
    assert result.lines[0].factors[0].replaces == Decimal("0.42")


def test_flat_glass_carbonates_and_carbon_powder() -> None:
    # 中国平板玻璃生产企业指南: E = Σ M_i × EF_i × F_i + Q_碳粉 × C_碳粉 × 44/12, F = 100 %
    #   纯碱 60 000 t × 0.415 = 24900.000
    #   白云石 50 000 t × 0.477 = 23850.000
    #   石灰石 10 000 t × 0.440 = 4400.000
    #   碳粉 300 t × 0.85 tC/t × 44/12 = 255 × 11/3 = 935.000
    #   total 24900 + 23850 + 4400 + 935 = 54085.000
    result = run(
        "industrial.flat_glass",
        ("carbonate:Na2CO3", "60000", "t"),
        ("carbonate:CaMg(CO3)2", "50000", "t"),
        ("carbonate:CaCO3", "10000", "t"),
        ("carbon_powder", "300", "t"),
        ("carbon_powder_content", "0.85", "tC/t"),
    )
    assert lines(result) == {
        "工业生产过程/碳酸盐分解 (Na2CO3)": Decimal("24900.000"),
        "工业生产过程/碳酸盐分解 (CaMg(CO3)2)": Decimal("23850.000"),
        "工业生产过程/碳酸盐分解 (CaCO3)": Decimal("4400.000"),
        "工业生产过程/碳粉氧化": Decimal("935.000"),
    }
    assert result.total == Decimal("54085.000")


def test_the_24_guidelines_are_listed_and_five_are_supported() -> None:
    assert len(INDUSTRIES) == 24
    assert [i.no for i in INDUSTRIES] == list(range(1, 25))
    assert {i.name_zh for i in INDUSTRIES if i.supported} == {
        "发电",
        "水泥",
        "钢铁",
        "电解铝",
        "平板玻璃",
    }
    assert (
        industry("ceramics").guideline == "中国陶瓷生产企业温室气体排放核算方法与报告指南（试行）"
    )


def test_an_unsupported_industry_answers_not_yet_supported() -> None:
    with pytest.raises(NotSupported) as e:
        run("industrial.ceramics", ("fuel:柴油", "1", "t"))
    assert e.value.message.startswith(
        "陶瓷: not yet supported (guideline: 中国陶瓷生产企业温室气体排放核算方法与报告指南（试行）)"
    )
