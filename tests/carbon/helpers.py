"""Small builders for carbon calculation requests in tests."""

from __future__ import annotations

from decimal import Decimal

from greenrong.domain.carbon.calculate import calculate
from greenrong.domain.carbon.engine import Activity, CalculationRequest, MeasuredFactor, Result

VERSION = "CN-2025.1"


def run(
    model: str,
    *activities: tuple[str, str, str],
    accept: tuple[str, ...] = (),
    measured: tuple[MeasuredFactor, ...] = (),
    **parameters: str,
) -> Result:
    return calculate(request(model, *activities, accept=accept, measured=measured, **parameters))


def request(
    model: str,
    *activities: tuple[str, str, str],
    accept: tuple[str, ...] = (),
    measured: tuple[MeasuredFactor, ...] = (),
    **parameters: str,
) -> CalculationRequest:
    return CalculationRequest(
        model=model,
        activities=tuple(Activity(s, Decimal(v), u) for s, v, u in activities),
        factor_version=VERSION,
        parameters=parameters,
        measured=measured,
        accept_low_confidence=accept,
    )


def lines(result: Result) -> dict[str, Decimal]:
    return {f"{ln.section}/{ln.label}": ln.result.value for ln in result.lines}


def office_request() -> CalculationRequest:
    """An office (non-industrial, 2022 四川 grid): 范围一 HFC-134a 10 kg × GWP 1300 = 13.000 t;
    范围二 1000 MWh × 0.1404 = 140.400 t and 500 GJ × 0.11 = 55.000 t; 范围三 commuting
    10 000 pkm × 0.03 kg = 0.300 t. Total 208.700 tCO2e."""
    return request(
        "non_industrial",
        ("refrigerant:HFC-134a", "10", "kg"),
        ("electricity:purchased", "1000", "MWh"),
        ("heat:purchased", "500", "GJ"),
        ("commute:metro", "10000", "pkm"),
        accept=("scope3.metro",),
        grid="2022.四川",
    )


def plant_request() -> CalculationRequest:
    """A flat-glass plant buying 10 000 MWh (2022 四川): 净购入电力 1404.000 tCO2e."""
    return request(
        "industrial.flat_glass", ("electricity:purchased", "10000", "MWh"), grid="2022.四川"
    )
