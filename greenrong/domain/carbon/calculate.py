"""Run one calculation request against its factor set: the one entry point of the engine."""

from __future__ import annotations

from collections.abc import Callable

from greenrong.domain.carbon import benefits, industrial, non_industrial
from greenrong.domain.carbon.engine import CalculationRequest, Calculator, Result
from greenrong.domain.carbon.errors import NotSupported
from greenrong.domain.carbon.factors import load_factor_set


def model_runner(model: str) -> Callable[[Calculator], None]:
    """``industrial.<industry>``, ``non_industrial``, ``financial_institution``,
    ``benefit.<type>``."""
    family, _, key = model.partition(".")
    if family == "industrial":
        return industrial.industrial_model(key)
    if family == "non_industrial" and not key:
        return non_industrial.organisation
    if family == "financial_institution" and not key:
        return non_industrial.financial_institution
    if family == "benefit":
        return benefits.project_model(key)
    raise NotSupported(f"unknown model {model!r}")


def calculate(request: CalculationRequest) -> Result:
    """Deterministic: the same inputs, parameters and factor version give the same result."""
    run = model_runner(request.model)
    calc = Calculator(load_factor_set(request.factor_version), request)
    run(calc)
    return calc.finish(benefits.result_unit(request.model))
