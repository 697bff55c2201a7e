"""Requests and results as JSON, for storage: decimals as strings, so nothing is rounded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greenrong.domain.carbon.engine import (
    Activity,
    CalculationRequest,
    Line,
    MeasuredFactor,
    Result,
)
from greenrong.domain.carbon.factors import Factor


def request_to_json(r: CalculationRequest) -> dict[str, Any]:
    return {
        "model": r.model,
        "factor_version": r.factor_version,
        "activities": [
            {"source": a.source, "value": str(a.value), "unit": a.unit} for a in r.activities
        ],
        "parameters": dict(sorted(r.parameters.items())),
        "measured": [
            {"key": m.key, "value": str(m.value), "unit": m.unit, "note": m.note}
            for m in r.measured
        ],
        "accept_low_confidence": list(r.accept_low_confidence),
    }


def request_from_json(
    d: dict[str, Any], *, factor_version: str | None = None
) -> CalculationRequest:
    return CalculationRequest(
        model=d["model"],
        factor_version=factor_version or d["factor_version"],
        activities=tuple(
            Activity(a["source"], Decimal(a["value"]), a["unit"]) for a in d["activities"]
        ),
        parameters=dict(d["parameters"]),
        measured=tuple(
            MeasuredFactor(m["key"], Decimal(m["value"]), m["unit"], m["note"])
            for m in d["measured"]
        ),
        accept_low_confidence=tuple(d["accept_low_confidence"]),
    )


def _factor(f: Factor) -> dict[str, Any]:
    return {
        "key": f.key,
        "name_zh": f.name_zh,
        "value": str(f.value),
        "unit": f.unit,
        "source": f.source,
        "provenance": f.provenance,
        "confidence": f.confidence,
        "version": f.version,
        "our_assumption": f.our_assumption,
        "measured": f.measured,
        "replaces": None if f.replaces is None else str(f.replaces),
    }


def _line(ln: Line) -> dict[str, Any]:
    return {
        "section": ln.section,
        "label": ln.label,
        "activity": {"value": str(ln.activity.value), "unit": ln.activity.unit},
        "factors": [_factor(f) for f in ln.factors],
        "formula": ln.formula,
        "result": {"value": str(ln.result.value), "unit": ln.result.unit},
    }


def result_to_json(r: Result) -> dict[str, Any]:
    return {
        "model": r.model,
        "factor_version": r.factor_version,
        "lines": [_line(ln) for ln in r.lines],
        "sections": [{"name": s.name, "unit": s.unit, "value": str(s.value)} for s in r.sections],
        "unit": r.unit,
        "total": str(r.total),
        "rounding": r.rounding,
        "notes": list(r.notes),
    }
