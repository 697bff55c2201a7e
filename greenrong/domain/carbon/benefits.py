"""Environmental benefits of green projects (银保监会《绿色融资统计制度》 indicators).

Seven indicators are confirmed (节约标准煤, CO2 减排, COD, 氨氮, SO2, NOx, 节水). The statistics
system counts "11 kinds"; the other four are not confirmed in any source we have, so they are
declared placeholders that always answer "not available" (``UNCONFIRMED``).

Eight project types are calculated (``PROJECT_TYPES``); their coefficients are in the factor set,
and where a coefficient is our own assumption the factor says so (``our_assumption``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from greenrong.domain.carbon.engine import Amount, Calculator, Result
from greenrong.domain.carbon.errors import NotSupported
from greenrong.domain.carbon.industrial import C_TO_CO2, DEFAULT_GRID


@dataclass(frozen=True)
class Indicator:
    key: str
    name_zh: str
    unit: str
    confirmed: bool


INDICATORS: tuple[Indicator, ...] = (
    Indicator("standard_coal_saved", "节约标准煤", "tce", True),
    Indicator("co2e_reduced", "二氧化碳当量减排量", "tCO2e", True),
    Indicator("cod_reduced", "化学需氧量减排量", "t", True),
    Indicator("nh3n_reduced", "氨氮减排量", "t", True),
    Indicator("so2_reduced", "二氧化硫减排量", "t", True),
    Indicator("nox_reduced", "氮氧化物减排量", "t", True),
    Indicator("water_saved", "节水量", "t", True),
    # placeholders: candidates only (INFERRED in the shared reference), never calculated
    Indicator("particulates_reduced", "颗粒物（烟粉尘）减排量", "t", False),
    Indicator("total_nitrogen_reduced", "总氮减排量", "t", False),
    Indicator("total_phosphorus_reduced", "总磷减排量", "t", False),
    Indicator("vocs_reduced", "挥发性有机物减排量", "t", False),
)
BY_KEY = {i.key: i for i in INDICATORS}
NAME = {i.key: i.name_zh for i in INDICATORS}
UNCONFIRMED = tuple(i for i in INDICATORS if not i.confirmed)
NOT_AVAILABLE = "not available: this indicator of the 11 is not confirmed in any source we have"


def _power(calc: Calculator) -> None:
    """Q: 上网电量. E_煤 = Q × b_供电; E_CO2 = Q × EF_电网; E_SO2 = Q × e_SO2;
    E_NOx = Q × e_NOx."""
    q = calc.activity("generation", "MWh", label="年上网电量")[1]
    gen = Amount(q, "MWh")
    grid = f"grid.{calc.parameter('grid', DEFAULT_GRID)}"
    calc.line(
        NAME["standard_coal_saved"],
        "替代火电供电煤耗",
        gen,
        ["benefit.thermal_coal_rate"],
        formula="Q × b_供电",
        unit="tce",
    )
    calc.line(NAME["co2e_reduced"], "替代电网电量", gen, [grid], formula="Q × EF_电网")
    calc.line(
        NAME["so2_reduced"],
        "替代火电 SO2 排放",
        gen,
        ["benefit.thermal_so2_rate"],
        formula="Q × e_SO2",
        unit="t",
    )
    calc.line(
        NAME["nox_reduced"],
        "替代火电 NOx 排放",
        gen,
        ["benefit.thermal_nox_rate"],
        formula="Q × e_NOx",
        unit="t",
    )


def _biomass(calc: Calculator) -> None:
    _power(calc)
    calc.note("生物质燃烧的 CO2 视为生物源碳, 不计入项目排放 (IPCC)")


_COAL_NAME = {
    "烟煤": "原煤",
    "无烟煤": "原煤",
    "褐煤": "原煤",
    "一般煤油": "煤油",
    "天然气": "油田天然气",
}


def _energy_saving(calc: Calculator) -> None:
    """节能改造: 节约标准煤 = Σ 节能量 × 折标系数;
    CO2 = 节电量 × EF_电网 + Σ 节约燃料 × NCV × CC × OF × 44/12
    + 节约热力 × EF_热; 节水量 = 报告的节水量."""
    kwh = calc.optional("saved:electricity", "kWh", label="年节电量")
    if kwh is not None:
        calc.line(
            NAME["standard_coal_saved"],
            "节电",
            Amount(kwh, "kWh"),
            ["coal.电力（当量值）"],
            formula="AD × 折标系数",
            unit="tce",
        )
        grid = f"grid.{calc.parameter('grid', DEFAULT_GRID)}"
        calc.line(NAME["co2e_reduced"], "节电", Amount(kwh, "kWh"), [grid], formula="AD × EF_电网")
    gj = calc.optional("saved:heat", "GJ", label="年节约热力")
    if gj is not None:
        calc.line(
            NAME["standard_coal_saved"],
            "节约热力",
            Amount(gj, "GJ"),
            ["coal.热力（当量值）"],
            formula="AD × 折标系数",
            unit="tce",
        )
        calc.line(
            NAME["co2e_reduced"],
            "节约热力",
            Amount(gj, "GJ"),
            ["heat.default"],
            formula="AD × EF_热",
        )
    for a in calc.sources("saved:fuel:"):
        fuel = a.source.removeprefix("saved:fuel:")
        ncv = calc.factor(f"fuel.{fuel}.ncv")
        unit = ncv.unit.split("/", 1)[1]
        _, fc = calc.activity(a.source, unit, label=f"年节约{fuel}")
        coal = f"coal.{_COAL_NAME.get(fuel, fuel)}"
        calc.line(
            NAME["standard_coal_saved"],
            f"节约{fuel}",
            Amount(fc, unit),
            [coal],
            formula="AD × 折标系数",
            unit="tce",
        )
        calc.line(
            NAME["co2e_reduced"],
            f"节约{fuel}",
            Amount(fc, unit),
            [ncv, f"fuel.{fuel}.cc", f"fuel.{fuel}.of", C_TO_CO2],
            formula="AD × NCV × CC × OF × 44/12",
        )
    _water_saved(calc)


def _water_saved(calc: Calculator) -> None:
    t = calc.optional("water_saved", "t", label="年节水量")
    if t is not None:
        calc.line(NAME["water_saved"], "节水", Amount(t, "t"), [], formula="报告值", unit="t")


def _concentration_removal(
    calc: Calculator,
    volume_source: str,
    volume_unit: str,
    conc_unit: str,
    pollutants: tuple[tuple[str, str], ...],
) -> None:
    """削减量 = V × (C_进 − C_出)."""
    v = calc.activity(volume_source, volume_unit, label="处理量")[1]
    for pollutant, indicator in pollutants:
        c_in = calc.optional(f"{pollutant}_in", conc_unit, label=f"{pollutant} 进口浓度")
        if c_in is None:
            continue
        c_out = calc.activity(f"{pollutant}_out", conc_unit, label=f"{pollutant} 出口浓度")[1]
        removed = calc.given(
            f"{pollutant}_in-{pollutant}_out",
            f"{pollutant.upper()} 进出口浓度差",
            c_in - c_out,
            conc_unit,
            f"企业填报/监测: {c_in} − {c_out}",
        )
        calc.line(
            NAME[indicator],
            f"{pollutant.upper()} 削减",
            Amount(v, volume_unit),
            [removed],
            formula="V × (C_进 − C_出)",
            unit="t",
        )


def _wastewater(calc: Calculator) -> None:
    _concentration_removal(
        calc, "treated_water", "m3", "mg/L", (("cod", "cod_reduced"), ("nh3n", "nh3n_reduced"))
    )
    _water_saved(calc)


def _flue_gas(calc: Calculator) -> None:
    _concentration_removal(
        calc, "flue_gas", "Nm3", "mg/Nm3", (("so2", "so2_reduced"), ("nox", "nox_reduced"))
    )


def _new_energy_vehicles(calc: Calculator) -> None:
    """新能源汽车: 替代燃油 = L × f_油 × ρ; 节约标准煤 = 替代燃油 × 折标 − L × f_电 × b_供电;
    CO2 = 替代燃油 × NCV × CC × OF × 44/12 − L × f_电 × EF_电网 (L: 年行驶里程)."""
    fuel = calc.parameter("fuel", "汽油")
    km = calc.activity("distance", "km", label="年行驶里程")[1]
    fuel_rate = calc.activity("fuel_rate", "L/km", label="被替代燃油车百公里油耗")[1]
    power_rate = calc.activity("electricity_rate", "kWh/km", label="新能源车单位里程电耗")[1]
    dist = Amount(km, "km")
    fr = calc.given("fuel_rate", f"被替代车辆{fuel}消耗", fuel_rate, "L/km", "企业填报")
    pr = calc.given("electricity_rate", "新能源车电耗", power_rate, "kWh/km", "企业填报")
    density = f"density.{fuel}"
    coal = f"coal.{_COAL_NAME.get(fuel, fuel)}"
    calc.line(
        NAME["standard_coal_saved"],
        f"替代{fuel}",
        dist,
        [fr, density, coal],
        formula="L × f_油 × ρ × 折标系数",
        unit="tce",
    )
    calc.line(
        NAME["standard_coal_saved"],
        "新增用电",
        dist,
        [pr, "benefit.thermal_coal_rate"],
        formula="−L × f_电 × b_供电",
        unit="tce",
        negative=True,
    )
    calc.line(
        NAME["co2e_reduced"],
        f"替代{fuel}",
        dist,
        [fr, density, f"fuel.{fuel}.ncv", f"fuel.{fuel}.cc", f"fuel.{fuel}.of", C_TO_CO2],
        formula="L × f_油 × ρ × NCV × CC × OF × 44/12",
    )
    grid = f"grid.{calc.parameter('grid', DEFAULT_GRID)}"
    calc.line(
        NAME["co2e_reduced"],
        "新增用电",
        dist,
        [pr, grid],
        formula="−L × f_电 × EF_电网",
        negative=True,
    )


@dataclass(frozen=True)
class ProjectType:
    key: str
    name_zh: str
    indicators: tuple[str, ...]
    run: Callable[[Calculator], None]


_POWER = ("standard_coal_saved", "co2e_reduced", "so2_reduced", "nox_reduced")
PROJECT_TYPES: tuple[ProjectType, ...] = (
    ProjectType("photovoltaic", "光伏发电", _POWER, _power),
    ProjectType("wind", "风力发电", _POWER, _power),
    ProjectType("hydro", "水力发电", _POWER, _power),
    ProjectType("biomass_power", "生物质发电", _POWER, _biomass),
    ProjectType(
        "energy_saving_retrofit",
        "节能改造",
        ("standard_coal_saved", "co2e_reduced", "water_saved"),
        _energy_saving,
    ),
    ProjectType(
        "wastewater_treatment",
        "污水处理",
        ("cod_reduced", "nh3n_reduced", "water_saved"),
        _wastewater,
    ),
    ProjectType(
        "desulphurisation_denitrification", "脱硫脱硝", ("so2_reduced", "nox_reduced"), _flue_gas
    ),
    ProjectType(
        "new_energy_vehicles",
        "新能源汽车",
        ("standard_coal_saved", "co2e_reduced"),
        _new_energy_vehicles,
    ),
)
TYPES = {t.key: t for t in PROJECT_TYPES}


def project_model(key: str) -> Callable[[Calculator], None]:
    try:
        return TYPES[key].run
    except KeyError:
        raise NotSupported(f"project type {key!r} is not supported") from None


def result_unit(model: str) -> str:
    return "tCO2e"


@dataclass(frozen=True)
class IndicatorValue:
    indicator: Indicator
    #: ``None``: not applicable to this project type, or (unconfirmed indicators) not available
    value: Decimal | None
    status: str


def indicators(result: Result) -> list[IndicatorValue]:
    """All eleven indicators for a benefit result: value, not applicable, or not available."""
    ptype = TYPES[result.model.removeprefix("benefit.")]
    out: list[IndicatorValue] = []
    for ind in INDICATORS:
        if not ind.confirmed:
            out.append(IndicatorValue(ind, None, NOT_AVAILABLE))
        elif ind.key in ptype.indicators:
            out.append(IndicatorValue(ind, result.section(ind.name_zh), "calculated"))
        else:
            out.append(IndicatorValue(ind, None, f"not applicable to {ptype.name_zh}"))
    return out


def unconfirmed_indicator(key: str) -> Indicator:
    """Asking for a placeholder indicator's value answers ``NotSupported`` ("not available")."""
    ind = BY_KEY.get(key)
    if ind is None:
        raise NotSupported(f"unknown indicator {key!r}")
    if not ind.confirmed:
        raise NotSupported(f"{ind.name_zh}: {NOT_AVAILABLE}")
    return ind
