"""Non-industrial organisations (ISO 14064-1) and a financial institution's own operations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenrong.domain.carbon.errors import LowConfidenceFactor, UnitMismatch
from tests.carbon.helpers import lines, run

BANK_BRANCH = (
    ("fuel:天然气", "2", "tenk_Nm3"),
    ("mobile:汽油", "10", "t"),
    ("refrigerant:R-410A", "20", "kg"),
    ("electricity:purchased", "800", "MWh"),
    ("heat:purchased", "100", "GJ"),
    ("travel:flight", "200000", "pkm"),
    ("travel:rail", "50000", "pkm"),
    ("commute:metro", "300000", "pkm"),
    ("commute:bus", "100000", "pkm"),
    ("paper", "5", "t"),
    ("water", "20000", "t"),
)


def test_financial_institution_own_operations_scopes_1_2_3() -> None:
    # 范围一 固定燃烧 天然气 2 × 10⁴ Nm³: 2 × 389.31 = 778.62 GJ = 0.77862 TJ × 15.3 = 11.912886 tC
    #   × 0.99 = 11.79375714 tC × 44/12 = 43.24377618 → 43.244
    # 范围一 移动燃烧 汽油 10 t: 430.7 GJ = 0.4307 TJ × 18.9 = 8.14023 tC × 0.98 = 7.9774254 tC
    #   × 44/12 = 29.2505598 → 29.251
    # 范围一 制冷剂 R-410A 20 kg, AR5 GWP = 0.5 × 677 + 0.5 × 3170 = 1923.5: 0.02 t × 1923.5 = 38.470
    # 范围二 电力 800 MWh × 0.1404 (2022 四川) = 112.320; 热力 100 GJ × 0.11 = 11.000
    # 范围三 飞机 200 000 pkm × 0.15 kg = 30.000 t; 铁路 50 000 × 0.04 kg = 2.000 t
    #        地铁 300 000 × 0.03 kg = 9.000 t; 公交 100 000 × 0.08 kg = 8.000 t
    #        纸 5 t × 1.2 = 6.000; 水 20 000 t × 0.168 kg/t = 3.360 t
    # total 43.244 + 29.251 + 38.470 + 112.320 + 11 + 30 + 2 + 9 + 8 + 6 + 3.360 = 292.645
    scope3 = (
        "scope3.flight",
        "scope3.rail",
        "scope3.metro",
        "scope3.bus",
        "scope3.paper",
        "scope3.water",
    )
    result = run("financial_institution", *BANK_BRANCH, accept=scope3, grid="2022.四川")
    assert lines(result) == {
        "范围一 固定燃烧/天然气": Decimal("43.244"),
        "范围一 移动燃烧/汽油": Decimal("29.251"),
        "范围一 制冷剂逸散/R-410A": Decimal("38.470"),
        "范围二 外购电力/外购电力": Decimal("112.320"),
        "范围二 外购热力/外购热力": Decimal("11.000"),
        "范围三 商务差旅/飞机": Decimal("30.000"),
        "范围三 商务差旅/铁路": Decimal("2.000"),
        "范围三 员工通勤/地铁": Decimal("9.000"),
        "范围三 员工通勤/公交": Decimal("8.000"),
        "范围三 办公用纸/办公用纸": Decimal("6.000"),
        "范围三 用水/自来水": Decimal("3.360"),
    }
    assert result.total == Decimal("292.645")
    assert result.notes == (
        "金融机构经营活动碳排放 (JR/T 0227-2021 金融机构环境信息披露指南), ISO 14064-1 边界",
    )


def test_scope3_assumed_factors_need_acceptance() -> None:
    with pytest.raises(LowConfidenceFactor) as e:
        run("non_industrial", ("paper", "5", "t"), ("travel:flight", "1", "pkm"))
    assert e.value.keys == ["scope3.flight", "scope3.paper"]


def test_refrigerant_with_the_guidelines_sar_gwp() -> None:
    # HFC-134a 50 kg × 1300 (SAR) = 0.05 t × 1300 = 65.000
    result = run("non_industrial", ("refrigerant:HFC-134a", "50", "kg"), gwp="SAR")
    assert result.total == Decimal("65.000")


def test_travel_in_kilometres_without_passengers_is_a_unit_mismatch() -> None:
    with pytest.raises(UnitMismatch):
        run("non_industrial", ("travel:flight", "1000", "km"), accept=("*",))
