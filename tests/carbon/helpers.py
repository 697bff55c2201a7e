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
