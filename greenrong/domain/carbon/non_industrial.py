"""Non-industrial organisations (ISO 14064-1 boundaries, IPCC emission-factor method), and a
financial institution's own operations (JR/T 0227-2021 金融机构环境信息披露指南).

Inputs (``Activity.source``):

- scope 1: ``fuel:<燃料>`` stationary combustion and ``mobile:<燃料>`` mobile combustion (t or
  10⁴ Nm³; E = FC × NCV × CC × OF × 44/12); ``refrigerant:<gas>`` (kg refilled = leaked;
  E = m × GWP, GWP set by the ``gwp`` parameter, default AR5);
- scope 2: ``electricity:purchased`` (MWh/kWh) × ``grid.<grid>``; ``heat:purchased`` (GJ) × 0.11;
- scope 3: ``travel:flight`` / ``travel:rail`` (pkm, business travel, category 6),
  ``commute:car`` / ``commute:bus`` / ``commute:metro`` / ``commute:rail`` (pkm, category 7),
  ``paper`` (t, category 1), ``water`` (t, category 1). Their factors are our assumptions
  (low confidence): a calculation needs them accepted or measured.
"""

from __future__ import annotations

from greenrong.domain.carbon.engine import Amount, Calculator
from greenrong.domain.carbon.industrial import C_TO_CO2, DEFAULT_GRID

SCOPE1_STATIONARY = "范围一 固定燃烧"
SCOPE1_MOBILE = "范围一 移动燃烧"
SCOPE1_REFRIGERANT = "范围一 制冷剂逸散"
SCOPE2_ELECTRICITY = "范围二 外购电力"
SCOPE2_HEAT = "范围二 外购热力"
SCOPE3_TRAVEL = "范围三 商务差旅"
SCOPE3_COMMUTING = "范围三 员工通勤"
SCOPE3_PAPER = "范围三 办公用纸"
SCOPE3_WATER = "范围三 用水"

_MODES = {"flight": "飞机", "rail": "铁路", "car": "小汽车", "bus": "公交", "metro": "地铁"}


def _combustion(calc: Calculator, prefix: str, section: str) -> None:
    for a in calc.sources(prefix):
        fuel = a.source.removeprefix(prefix)
        ncv = calc.factor(f"fuel.{fuel}.ncv")
        unit = ncv.unit.split("/", 1)[1]
        _, fc = calc.activity(a.source, unit, label=f"{fuel} 消耗量")
        calc.line(
            section,
            fuel,
            Amount(fc, unit),
            [ncv, f"fuel.{fuel}.cc", f"fuel.{fuel}.of", C_TO_CO2],
            formula="FC × NCV × CC × OF × 44/12",
        )


def organisation(calc: Calculator) -> None:
    _combustion(calc, "fuel:", SCOPE1_STATIONARY)
    _combustion(calc, "mobile:", SCOPE1_MOBILE)
    gwp = calc.parameter("gwp", "AR5")
    for a in calc.sources("refrigerant:"):
        gas = a.source.removeprefix("refrigerant:")
        _, kg = calc.activity(a.source, "kg", label=f"{gas} 补充量")
        calc.line(
            SCOPE1_REFRIGERANT, gas, Amount(kg, "kg"), [f"gwp.{gwp}.{gas}"], formula="m × GWP"
        )
    mwh = calc.optional("electricity:purchased", "MWh", label="外购电力")
    if mwh is not None:
        grid = f"grid.{calc.parameter('grid', DEFAULT_GRID)}"
        calc.line(
            SCOPE2_ELECTRICITY, "外购电力", Amount(mwh, "MWh"), [grid], formula="AD × EF_电网"
        )
    gj = calc.optional("heat:purchased", "GJ", label="外购热力")
    if gj is not None:
        calc.line(SCOPE2_HEAT, "外购热力", Amount(gj, "GJ"), ["heat.default"], formula="AD × EF_热")
    for prefix, section in (("travel:", SCOPE3_TRAVEL), ("commute:", SCOPE3_COMMUTING)):
        for a in calc.sources(prefix):
            mode = a.source.removeprefix(prefix)
            _, pkm = calc.activity(a.source, "pkm", label=f"{_MODES.get(mode, mode)} 人公里")
            calc.line(
                section,
                _MODES.get(mode, mode),
                Amount(pkm, "pkm"),
                [f"scope3.{mode}"],
                formula="pkm × EF",
            )
    for source, section, label in (
        ("paper", SCOPE3_PAPER, "办公用纸"),
        ("water", SCOPE3_WATER, "自来水"),
    ):
        t = calc.optional(source, "t", label=label)
        if t is not None:
            calc.line(section, label, Amount(t, "t"), [f"scope3.{source}"], formula="AD × EF")


def financial_institution(calc: Calculator) -> None:
    """The same boundaries, reported as a financial institution's own operations."""
    organisation(calc)
    calc.note("金融机构经营活动碳排放 (JR/T 0227-2021 金融机构环境信息披露指南), ISO 14064-1 边界")
