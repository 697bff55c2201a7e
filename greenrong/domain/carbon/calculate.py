"""Run one calculation request against its factor set: the one entry point of the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NoReturn

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.carbon import benefits, industrial, non_industrial
from greenrong.domain.carbon.engine import CalculationRequest, Calculator, Result
from greenrong.domain.carbon.factors import load_factor_set


def model_runner(model: str) -> Callable[[Calculator], None]:
    """``industrial.<industry>``, ``non_industrial``, ``financial_institution``,
    ``benefit.<type>``; an unknown one is refused on ``model`` with the valid values."""
    family, _, key = model.partition(".")
    if family == "industrial":
        if key not in industrial.BY_KEY:
            _unknown(f"unknown industry {key!r}", "industrial", industrial.BY_KEY)
        return industrial.industrial_model(key)
    if family == "non_industrial" and not key:
        return non_industrial.organisation
    if family == "financial_institution" and not key:
        return non_industrial.financial_institution
    if family == "benefit":
        if key not in benefits.TYPES:
            _unknown(f"unknown project type {key!r}", "benefit", benefits.TYPES)
        return benefits.project_model(key)
    raise ValidationFailed.one(
        "model",
        ErrorCode.NOT_SUPPORTED,
        f"unknown model {model!r}: give industrial.<industry>, non_industrial, "
        "financial_institution or benefit.<project type>",
    )


def _unknown(what: str, family: str, known: Iterable[str]) -> NoReturn:
    raise ValidationFailed.one(
        "model",
        ErrorCode.NOT_SUPPORTED,
        f"{what}: {family}.<key> takes one of {', '.join(sorted(known))}",
    )


def calculate(request: CalculationRequest) -> Result:
    """Deterministic: the same inputs, parameters and factor version give the same result."""
    run = model_runner(request.model)
    calc = Calculator(load_factor_set(request.factor_version), request)
    run(calc)
    return calc.finish(benefits.result_unit(request.model))
