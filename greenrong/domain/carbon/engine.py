"""The calculation engine: activity data × factors → emissions, line by line.

Rounding (stated once, here): every line's result is rounded to ``RESULT_QUANTUM`` (0.001 t,
one kilogram) with ``ROUND_HALF_UP``; section totals and the grand total are exact sums of the
rounded lines, so the breakdown always adds up. Intermediate products are exact ``Decimal``
arithmetic in a fixed context (``PRECISION`` significant digits), so the same inputs and factor
version always give the same result, on any machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from greenrong.core.errors import ErrorCode, IssueCollector, ValidationFailed
from greenrong.domain.carbon.errors import FactorNotFound, LowConfidenceFactor
from greenrong.domain.carbon.factors import Factor, FactorSet
from greenrong.domain.carbon.units import Quantity, check_unit, convert, quantity

#: the largest activity or amount taken (10^12 of any unit; the world emits about 4 × 10^10 t
#: a year): results stay inside their NUMERIC(20, 3) columns, which SQLite stores as 64-bit
#: integers of thousandths (below 9.2 × 10^15)
MAX_QUANTITY = Decimal(10) ** 12
_TOO_LARGE = "must not exceed 10^12"

RESULT_QUANTUM = Decimal("0.001")
ROUNDING = (
    "每行结果四舍五入 (ROUND_HALF_UP) 到 0.001 单位；合计为各行结果之和 / "
    "each line rounded half-up to 0.001; totals are exact sums of the lines"
)
PRECISION = 34
ACCEPT_ALL = "*"


@dataclass(frozen=True)
class Amount:
    value: Decimal
    unit: str


@dataclass(frozen=True)
class Activity:
    """One input; ``source`` names it (``fuel:烟煤``, ``clinker``, ``electricity:purchased``)."""

    source: str
    value: Decimal
    unit: str


@dataclass(frozen=True)
class MeasuredFactor:
    """A factor the caller measured; it replaces the default of the same key."""

    key: str
    value: Decimal
    unit: str
    note: str = ""


@dataclass(frozen=True)
class CalculationRequest:
    model: str
    activities: tuple[Activity, ...]
    factor_version: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    measured: tuple[MeasuredFactor, ...] = ()
    #: keys of low-confidence defaults the caller accepts, or ``("*",)`` for all
    accept_low_confidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    section: str
    label: str
    activity: Amount
    factors: tuple[Factor, ...]
    formula: str
    result: Amount


@dataclass(frozen=True)
class Section:
    """The sum of one section's lines (all lines of a section share one unit)."""

    name: str
    unit: str
    value: Decimal


@dataclass(frozen=True)
class Result:
    model: str
    factor_version: str
    lines: tuple[Line, ...]
    #: the unit of ``total``: the sum of the sections in that unit
    unit: str
    total: Decimal
    sections: tuple[Section, ...]
    rounding: str = ROUNDING
    notes: tuple[str, ...] = ()

    def section(self, name: str) -> Decimal:
        return next((s.value for s in self.sections if s.name == name), Decimal(0))


class Calculator:
    """Resolves factors (measured first, then defaults), checks units, and records lines."""

    def __init__(self, factors: FactorSet, request: CalculationRequest) -> None:
        self.factor_set = factors
        self.request = request
        self._lines: list[Line] = []
        self._notes: list[str] = []
        self._refused: list[str] = []
        self._measured = {m.key: m for m in request.measured}
        self._accepted = set(request.accept_low_confidence)
        self._used_sources: set[str] = set()
        issues = IssueCollector()
        seen: set[str] = set()
        for i, a in enumerate(request.activities):
            if a.source in seen:
                issues.add(f"activities.{i}.source", ErrorCode.DUPLICATE, f"{a.source} given twice")
            seen.add(a.source)
            if a.value < 0:
                issues.add(f"activities.{i}.value", ErrorCode.OUT_OF_RANGE, "must not be negative")
            elif a.value > MAX_QUANTITY:
                issues.add(f"activities.{i}.value", ErrorCode.OUT_OF_RANGE, _TOO_LARGE)
        issues.raise_if_any()
        self._activities = {a.source: a for a in request.activities}

    # inputs -----------------------------------------------------------------------------------
    def sources(self, prefix: str) -> list[Activity]:
        found = [a for s, a in self._activities.items() if s.startswith(prefix)]
        self._used_sources.update(a.source for a in found)
        return found  # in input order: the breakdown follows the caller's table

    def has(self, source: str) -> bool:
        return source in self._activities

    def activity(self, source: str, unit: str, *, label: str) -> tuple[Activity, Decimal]:
        """The input ``source``, checked against ``unit``; returns it and its value in ``unit``."""
        try:
            a = self._activities[source]
        except KeyError:
            raise ValidationFailed.one(
                "activities", ErrorCode.REQUIRED, f"{label} ({source}, in {unit}) is required"
            ) from None
        self._used_sources.add(source)
        return a, convert(quantity(a.value, a.unit, what=label), unit, what=f"{label} ({source})")

    def optional(self, source: str, unit: str, *, label: str) -> Decimal | None:
        if source not in self._activities:
            return None
        return self.activity(source, unit, label=label)[1]

    def parameter(self, name: str, default: str) -> str:
        return self.request.parameters.get(name, default)

    def note(self, text: str) -> None:
        self._notes.append(text)

    # factors ----------------------------------------------------------------------------------
    def factor(self, key: str) -> Factor:
        default = self.factor_set.factors.get(key)
        if default is None and key not in self._measured:
            raise FactorNotFound(key, self.factor_set.version)
        if key in self._measured:
            m = self._measured[key]
            check_unit(m.unit, what=f"measured factor {key}")
            if default is not None:
                # a measured value must be comparable with the default it replaces
                convert(
                    quantity(Decimal(1), m.unit, what=key),
                    default.unit,
                    what=f"measured factor {key}",
                )
            return Factor(
                key=key,
                name_zh=default.name_zh if default else key,
                value=m.value,
                unit=m.unit,
                source="企业实测值 / measured by the reporting entity"
                + (f": {m.note}" if m.note else ""),
                provenance="supplied with the calculation",
                confidence="measured",
                version=self.factor_set.version,
                measured=True,
                replaces=default.value if default else None,
            )
        if default is None:  # unreachable: checked above
            raise FactorNotFound(key, self.factor_set.version)
        if default.confidence == "low" and not ({key, ACCEPT_ALL} & self._accepted):
            self._refused.append(key)
        return default

    @staticmethod
    def given(key: str, name: str, value: Decimal, unit: str, source: str) -> Factor:
        """A parameter the caller reported (a content, a concentration): shown like a factor."""
        return Factor(
            key=key,
            name_zh=name,
            value=value,
            unit=unit,
            source=source,
            provenance="activity data supplied with the calculation",
            confidence="measured",
            version="-",
            measured=True,
        )

    # lines ------------------------------------------------------------------------------------
    def line(
        self,
        section: str,
        label: str,
        activity: Amount,
        factors: Iterable[Factor | str],
        *,
        formula: str,
        unit: str = "tCO2e",
        negative: bool = False,
    ) -> Decimal:
        used = tuple(self.factor(f) if isinstance(f, str) else f for f in factors)
        with localcontext(Context(prec=PRECISION)):
            q: Quantity = quantity(activity.value, activity.unit, what=label)
            for f in used:
                q = q * quantity(f.value, f.unit, what=f.key)
            exact = convert(q, unit, what=f"{section} / {label}")
            if negative:
                exact = -exact
            value = exact.quantize(RESULT_QUANTUM, rounding=ROUND_HALF_UP)
        self._lines.append(Line(section, label, activity, used, formula, Amount(value, unit)))
        return value

    def finish(self, unit: str = "tCO2e") -> Result:
        unused = sorted(set(self._activities) - self._used_sources)
        if unused:
            issues = IssueCollector()
            for s in unused:
                issues.add(
                    "activities",
                    ErrorCode.UNKNOWN_REFERENCE,
                    f"model {self.request.model} does not use {s}",
                )
            issues.raise_if_any()
        if self._refused:
            raise LowConfidenceFactor(sorted(set(self._refused)))
        sums: dict[tuple[str, str], Decimal] = {}
        for ln in self._lines:
            k = (ln.section, ln.result.unit)
            sums[k] = sums.get(k, Decimal(0)) + ln.result.value
        sections = tuple(Section(name, u, v) for (name, u), v in sums.items())
        total = sum((s.value for s in sections if s.unit == unit), Decimal(0))
        return Result(
            model=self.request.model,
            factor_version=self.factor_set.version,
            lines=tuple(self._lines),
            unit=unit,
            total=total.quantize(RESULT_QUANTUM),
            sections=sections,
            notes=tuple(self._notes),
        )


Model = Callable[[Calculator], None]
