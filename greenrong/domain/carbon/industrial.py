"""Industrial enterprises: the common structure of the NDRC's 24 guidelines and five industries'
process-emission models.

E = E_燃烧 + E_过程 + E_购入电 + E_购入热 − E_输出电 − E_输出热 (every guideline, tCO2).
Inputs (``Activity.source``):

- ``fuel:<燃料>`` (t, or 10⁴ Nm³ for gases): the fuel's unit comes from its NCV factor;
- ``electricity:purchased`` / ``electricity:exported`` (MWh or kWh), factor
  ``grid.<parameter grid>``;
- ``heat:purchased`` / ``heat:exported`` (GJ), factor ``heat.default``;
- the industry's process inputs, listed with each model below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from greenrong.domain.carbon.engine import Amount, Calculator
from greenrong.domain.carbon.errors import NotSupported

FUEL = "化石燃料燃烧"
PROCESS = "工业生产过程"
ELECTRICITY = "净购入电力"
HEAT = "净购入热力"
DEFAULT_GRID = "2023.全国"
C_TO_CO2 = "process.c_to_co2"


def fuel_combustion(calc: Calculator) -> None:
    """E = Σ FC × NCV × CC × OF × 44/12 (FC in t or 10⁴ Nm³, NCV GJ/unit, CC tC/TJ)."""
    for a in calc.sources("fuel:"):
        fuel = a.source.removeprefix("fuel:")
        ncv = calc.factor(f"fuel.{fuel}.ncv")
        unit = ncv.unit.split("/", 1)[1]
        _, fc = calc.activity(a.source, unit, label=f"{fuel} 消耗量")
        calc.line(
            FUEL,
            fuel,
            Amount(fc, unit),
            [ncv, f"fuel.{fuel}.cc", f"fuel.{fuel}.of", C_TO_CO2],
            formula="FC × NCV × CC × OF × 44/12",
        )


def electricity_and_heat(calc: Calculator) -> None:
    """E = AD_电 × EF_电网 − AD_输出电 × EF_电网; E = AD_热 × EF_热 − AD_输出热 × EF_热."""
    grid = f"grid.{calc.parameter('grid', DEFAULT_GRID)}"
    for source, label, negative in (
        ("electricity:purchased", "购入电力", False),
        ("electricity:exported", "输出电力", True),
    ):
        mwh = calc.optional(source, "MWh", label=label)
        if mwh is not None:
            calc.line(
                ELECTRICITY,
                label,
                Amount(mwh, "MWh"),
                [grid],
                formula="AD × EF_电网",
                negative=negative,
            )
    for source, label, negative in (
        ("heat:purchased", "购入热力", False),
        ("heat:exported", "输出热力", True),
    ):
        gj = calc.optional(source, "GJ", label=label)
        if gj is not None:
            calc.line(
                HEAT,
                label,
                Amount(gj, "GJ"),
                ["heat.default"],
                formula="AD × EF_热",
                negative=negative,
            )


def _fraction(calc: Calculator, source: str, name: str, unit: str = "dimensionless") -> Decimal:
    return calc.activity(source, unit, label=name)[1]


# 发电 ----------------------------------------------------------------------------------------
def power_process(calc: Calculator) -> None:
    """脱硫过程: E = Σ B_k × I_k × EF_k × TR
    (B: 脱硫剂消耗量 t, I: 碳酸盐含量, EF: 0.440 for CaCO3)."""
    for a in calc.sources("desulfurant:"):
        carbonate = a.source.removeprefix("desulfurant:")
        _, b = calc.activity(a.source, "t", label=f"脱硫剂 {carbonate} 消耗量")
        content = _fraction(calc, f"desulfurant_content:{carbonate}", f"脱硫剂 {carbonate} 含量")
        calc.line(
            PROCESS,
            f"脱硫 ({carbonate})",
            Amount(b, "t"),
            [
                calc.given(
                    f"desulfurant_content:{carbonate}",
                    "脱硫剂中碳酸盐含量",
                    content,
                    "dimensionless",
                    "企业填报",
                ),
                f"process.carbonate.{carbonate}",
                "process.power.desulfurisation_conversion",
            ],
            formula="B × I × EF × TR",
        )


# 水泥 ----------------------------------------------------------------------------------------
def cement_process(calc: Calculator) -> None:
    """原料碳酸盐分解: E = (Q + Q_ckd + Q_byd) × [(FR1 − FR1₀) × 44/56 + (FR2 − FR2₀) × 44/40];
    生料非燃料碳: E = Q_生料 × FR_toc × 44/12."""
    clinker = calc.activity("clinker", "t", label="熟料产量")[1]
    dust = calc.optional("kiln_dust", "t", label="窑头粉尘") or Decimal(0)
    bypass = calc.optional("bypass_dust", "t", label="旁路放风粉尘") or Decimal(0)
    total = clinker + dust + bypass
    for oxide, fr, fr0, name in (
        ("CaO", "clinker_cao", "clinker_cao_noncarbonate", "熟料中 CaO 含量"),
        ("MgO", "clinker_mgo", "clinker_mgo_noncarbonate", "熟料中 MgO 含量"),
    ):
        content = _fraction(calc, fr, name)
        non_carbonate = calc.optional(
            fr0, "dimensionless", label=f"{name}（非碳酸盐来源）"
        ) or Decimal(0)
        calc.line(
            PROCESS,
            f"原料碳酸盐分解 ({oxide})",
            Amount(total, "t"),
            [
                calc.given(
                    f"{fr}-{fr0}",
                    f"{name} − 非碳酸盐 {oxide}",
                    content - non_carbonate,
                    "dimensionless",
                    f"企业填报: {content} − {non_carbonate}",
                ),
                f"process.cement.{oxide}",
            ],
            formula=f"(Q + Q_ckd + Q_byd) × (FR − FR₀) × {'44/56' if oxide == 'CaO' else '44/40'}",
        )
    raw_meal = calc.optional("raw_meal", "t", label="生料消耗量")
    if raw_meal is not None:
        calc.line(
            PROCESS,
            "生料中非燃料碳煅烧",
            Amount(raw_meal, "t"),
            ["process.cement.raw_meal_toc", C_TO_CO2],
            formula="Q_生料 × FR_toc × 44/12",
        )


# 钢铁 ----------------------------------------------------------------------------------------
_STEEL_FLUXES = {"limestone": "石灰石", "dolomite": "白云石"}
_STEEL_MATERIALS = {"pig_iron": "外购生铁", "dri": "外购直接还原铁"}


def steel_process(calc: Calculator) -> None:
    """熔剂: E = Σ P × DX × EF; 电极: E = P_电极 × EF; 外购含碳原料: E = Σ M × EF;
    固碳产品: E_固碳 = Σ AD × EF (subtracted)."""
    for key, name in _STEEL_FLUXES.items():
        p = calc.optional(f"flux:{key}", "t", label=f"{name}消耗量")
        if p is None:
            continue
        purity = _fraction(calc, f"flux_purity:{key}", f"{name}纯度")
        calc.line(
            PROCESS,
            f"熔剂分解 ({name})",
            Amount(p, "t"),
            [
                calc.given(
                    f"flux_purity:{key}", f"{name}纯度", purity, "dimensionless", "企业填报"
                ),
                f"process.steel.{key}",
            ],
            formula="P × DX × EF",
        )
    electrode = calc.optional("electrode", "t", label="电极消耗量")
    if electrode is not None:
        calc.line(
            PROCESS,
            "电极消耗",
            Amount(electrode, "t"),
            ["process.steel.electrode"],
            formula="P_电极 × EF_电极",
        )
    for key, name in _STEEL_MATERIALS.items():
        m = calc.optional(f"material:{key}", "t", label=name)
        if m is not None:
            calc.line(PROCESS, name, Amount(m, "t"), [f"process.steel.{key}"], formula="M × EF")
    steel = calc.optional("product:crude_steel", "t", label="粗钢产量")
    if steel is not None:
        calc.line(
            PROCESS,
            "固碳产品隐含排放 (粗钢)",
            Amount(steel, "t"),
            ["process.steel.crude_steel_sequestration"],
            formula="−AD × EF_固碳",
            negative=True,
        )


# 电解铝 --------------------------------------------------------------------------------------
def aluminium_process(calc: Calculator) -> None:
    """阳极消耗: E = P × NC × (1 − S − A) × 44/12; 阳极效应: E = P × (EF_CF4 × GWP_CF4 + EF_C2F6 ×
    GWP_C2F6) / 1000; 石灰石分解: E = AD × EF."""
    p = calc.activity("aluminium", "t", label="原铝产量")[1]
    s = calc.factor("process.aluminium.anode_sulfur")
    a = calc.factor("process.aluminium.anode_ash")
    carbon = calc.given(
        "process.aluminium.anode_carbon",
        "炭阳极含碳量 1 − S − A",
        Decimal(1) - s.value - a.value,
        "tC/t",
        f"1 − S ({s.value}, {s.source}, {s.confidence})"
        f" − A ({a.value}, {a.source}, {a.confidence})",
    )
    calc.line(
        PROCESS,
        "阳极消耗",
        Amount(p, "t"),
        ["process.aluminium.anode_net_consumption", carbon, C_TO_CO2],
        formula="P × NC × (1 − S − A) × 44/12",
    )
    gwp = calc.parameter("gwp", "SAR")
    for gas, key in (("CF4", "process.aluminium.cf4"), ("C2F6", "process.aluminium.c2f6")):
        calc.line(
            PROCESS,
            f"阳极效应 ({gas})",
            Amount(p, "t"),
            [key, f"gwp.{gwp}.{gas}"],
            formula=f"P × EF_{gas} × GWP_{gas}",
        )
    limestone = calc.optional("limestone", "t", label="石灰石消耗量")
    if limestone is not None:
        calc.line(
            PROCESS,
            "石灰石原料分解",
            Amount(limestone, "t"),
            ["process.aluminium.limestone"],
            formula="AD × EF",
        )


# 平板玻璃 ------------------------------------------------------------------------------------
def flat_glass_process(calc: Calculator) -> None:
    """原料配料中碳粉氧化: E = Q_碳粉 × C_碳粉 × 44/12; 原料碳酸盐分解: E = Σ M_i × EF_i × F_i."""
    for a in calc.sources("carbonate:"):
        formula_ = a.source.removeprefix("carbonate:")
        _, m = calc.activity(a.source, "t", label=f"碳酸盐 {formula_} 消耗量")
        calc.line(
            PROCESS,
            f"碳酸盐分解 ({formula_})",
            Amount(m, "t"),
            [f"process.carbonate.{formula_}", "process.glass.calcination"],
            formula="M × EF × F",
        )
    powder = calc.optional("carbon_powder", "t", label="碳粉消耗量")
    if powder is not None:
        content = calc.activity("carbon_powder_content", "tC/t", label="碳粉含碳量")[1]
        calc.line(
            PROCESS,
            "碳粉氧化",
            Amount(powder, "t"),
            [
                calc.given("carbon_powder_content", "碳粉含碳量", content, "tC/t", "企业填报"),
                C_TO_CO2,
            ],
            formula="Q × C × 44/12",
        )


@dataclass(frozen=True)
class Industry:
    no: int
    key: str
    name_zh: str
    guideline: str
    process: Callable[[Calculator], None] | None

    @property
    def supported(self) -> bool:
        return self.process is not None


_G = "中国{}企业温室气体排放核算方法与报告指南（试行）"
INDUSTRIES: tuple[Industry, ...] = (
    Industry(1, "power", "发电", _G.format("发电"), power_process),
    Industry(2, "grid", "电网", _G.format("电网"), None),
    Industry(3, "steel", "钢铁", _G.format("钢铁生产"), steel_process),
    Industry(4, "chemicals", "化工", _G.format("化工生产"), None),
    Industry(5, "aluminium", "电解铝", _G.format("电解铝生产"), aluminium_process),
    Industry(6, "magnesium", "镁冶炼", _G.format("镁冶炼"), None),
    Industry(7, "flat_glass", "平板玻璃", _G.format("平板玻璃生产"), flat_glass_process),
    Industry(8, "cement", "水泥", _G.format("水泥生产"), cement_process),
    Industry(9, "ceramics", "陶瓷", _G.format("陶瓷生产"), None),
    Industry(10, "civil_aviation", "民航", _G.format("民航"), None),
    Industry(11, "oil_gas", "石油和天然气生产", _G.format("石油和天然气生产"), None),
    Industry(12, "petrochemicals", "石油化工", _G.format("石油化工"), None),
    Industry(13, "coking", "独立焦化", _G.format("独立焦化"), None),
    Industry(14, "coal", "煤炭生产", _G.format("煤炭生产"), None),
    Industry(
        15,
        "paper",
        "造纸和纸制品生产",
        "造纸和纸制品生产企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(
        16,
        "other_nonferrous",
        "其他有色金属冶炼和压延加工业",
        "其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(
        17,
        "electronics",
        "电子设备制造",
        "电子设备制造企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(
        18,
        "machinery",
        "机械设备制造",
        "机械设备制造企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(19, "mining", "矿山", "矿山企业温室气体排放核算方法与报告指南（试行）", None),
    Industry(
        20,
        "food",
        "食品、烟草及酒、饮料和精制茶",
        "食品、烟草及酒、饮料和精制茶企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(
        21,
        "public_buildings",
        "公共建筑运营",
        "公共建筑运营单位（企业）温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(
        22,
        "land_transport",
        "陆上交通运输",
        "陆上交通运输企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
    Industry(
        23, "fluorochemicals", "氟化工", "氟化工企业温室气体排放核算方法与报告指南（试行）", None
    ),
    Industry(
        24,
        "other_industry",
        "工业其他行业",
        "工业其他行业企业温室气体排放核算方法与报告指南（试行）",
        None,
    ),
)
BY_KEY = {i.key: i for i in INDUSTRIES}


def industry(key: str) -> Industry:
    try:
        return BY_KEY[key]
    except KeyError:
        raise NotSupported(f"unknown industry {key!r}") from None


def industrial_model(key: str) -> Callable[[Calculator], None]:
    ind = industry(key)
    process = ind.process
    if process is None:
        raise NotSupported(
            f"{ind.name_zh}: not yet supported (guideline: {ind.guideline}); "
            "no number is calculated rather than a wrong one"
        )

    def run(calc: Calculator) -> None:
        fuel_combustion(calc)
        process(calc)
        electricity_and_heat(calc)

    return run
