"""Disclosure metrics filled from stored calculations, each with a link to the lines it came from.

Which metric a calculation can supply (``derivable``), from the lines of its stored breakdown
(only lines whose result is in tCO2e count):

- ``scope1_tco2e``: industrial models (the 24 guidelines): the sections 化石燃料燃烧 and
  工业生产过程; non-industrial and financial-institution models (ISO 14064-1): every 范围一
  section (stationary, mobile combustion, refrigerant leakage);
- ``scope2_tco2e``: industrial models: 净购入电力 and 净购入热力 (purchased minus exported, as the
  guidelines net them; our mapping of the guidelines' terms onto scope 2); non-industrial models:
  every 范围二 section;
- ``carbon_reduction_tco2e``: a project benefit model's 二氧化碳当量减排量 section.

No other metric (green loan balance, energy use, water, employees, ...) comes from a
calculation: asking for one is a ``NOT_SUPPORTED`` error on ``metrics``.

Rounding: a metric is the exact sum of the contributing lines' stored results, each already
rounded half-up to 0.001 t by the engine (``engine.ROUNDING``); nothing is rounded again. With
several calculations (several sites of one enterprise), their lines add up.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, Forbidden, IssueCollector, ValidationFailed
from greenrong.domain.access.guard import visible_or_raise
from greenrong.domain.access.principal import Role
from greenrong.domain.carbon import consent, industrial, non_industrial, repository
from greenrong.domain.carbon.benefits import NAME as BENEFIT_NAME
from greenrong.domain.carbon.models import CarbonCalculation, DisclosureMetricSource
from greenrong.domain.disclosure.models import Disclosure, DisclosureMetric
from greenrong.domain.disclosure.service import update_disclosure

M = DisclosureMetric
_INDUSTRIAL: dict[DisclosureMetric, tuple[str, ...]] = {
    M.SCOPE1_TCO2E: (industrial.FUEL, industrial.PROCESS),
    M.SCOPE2_TCO2E: (industrial.ELECTRICITY, industrial.HEAT),
}
_ORGANISATION: dict[DisclosureMetric, tuple[str, ...]] = {
    M.SCOPE1_TCO2E: (
        non_industrial.SCOPE1_STATIONARY,
        non_industrial.SCOPE1_MOBILE,
        non_industrial.SCOPE1_REFRIGERANT,
    ),
    M.SCOPE2_TCO2E: (non_industrial.SCOPE2_ELECTRICITY, non_industrial.SCOPE2_HEAT),
}
_BENEFIT: dict[DisclosureMetric, tuple[str, ...]] = {
    M.CARBON_REDUCTION_TCO2E: (BENEFIT_NAME["co2e_reduced"],),
}
#: what any calculation could supply, in the vocabulary's order
SUPPLIABLE = (M.SCOPE1_TCO2E, M.SCOPE2_TCO2E, M.CARBON_REDUCTION_TCO2E)


def _sections(model: str) -> dict[DisclosureMetric, tuple[str, ...]]:
    family = model.partition(".")[0]
    if family == "industrial":
        return _INDUSTRIAL
    if family in ("non_industrial", "financial_institution"):
        return _ORGANISATION
    if family == "benefit":
        return _BENEFIT
    return {}


@dataclass(frozen=True)
class LineRef:
    """One line of a stored calculation that goes into a metric."""

    calculation_id: uuid.UUID
    line_index: int
    section: str
    label: str
    value: Decimal
    unit: str
    factor_version: str
    factor_keys: tuple[str, ...]


def derivable(calc: CarbonCalculation) -> dict[DisclosureMetric, list[LineRef]]:
    """The metrics this calculation supplies, each with its lines (metrics without a line are
    left out: a scope-1 model run with only electricity supplies no scope 1)."""
    out: dict[DisclosureMetric, list[LineRef]] = {}
    for metric, sections in _sections(calc.model).items():
        refs = [
            _ref(calc, i, line)
            for i, line in enumerate(calc.breakdown["lines"])
            if line["section"] in sections and line["result"]["unit"] == "tCO2e"
        ]
        if refs:
            out[metric] = refs
    return out


def _ref(calc: CarbonCalculation, index: int, line: dict[str, Any]) -> LineRef:
    return LineRef(
        calculation_id=calc.id,
        line_index=index,
        section=line["section"],
        label=line["label"],
        value=Decimal(line["result"]["value"]),
        unit=line["result"]["unit"],
        factor_version=calc.factor_version,
        factor_keys=tuple(f["key"] for f in line["factors"]),
    )


def _authorize(session: AsyncSession, disclosure: Disclosure) -> None:
    """The disclosing enterprise itself or an admin (or trusted code); nobody else."""
    p = consent.caller(session)
    if p.role == Role.ADMIN:
        return
    if p.role == Role.ENTERPRISE and p.org_id == disclosure.subject_enterprise_id:
        return
    raise Forbidden("only the disclosing enterprise (or an admin) fills its disclosure")


async def fill_from_calculations(
    session: AsyncSession,
    *,
    disclosure_id: uuid.UUID,
    version: int,
    calculation_ids: Sequence[uuid.UUID],
    metrics: Sequence[DisclosureMetric] | None = None,
) -> Disclosure:
    """Set the disclosure's metrics that the calculations supply (all of them, or ``metrics``),
    replace those metrics' links, and keep every other metric as it was.

    Refused, with nothing changed: another enterprise's calculation, a calculation for another
    year than the disclosure's, a metric none of the calculations supplies, an institution's
    disclosure (calculations are stored per enterprise), a stale ``version``."""
    # a disclosure the caller may not see answers like a missing one
    disclosure = await visible_or_raise(session, Disclosure, disclosure_id, field="disclosure_id")
    _authorize(session, disclosure)
    issues = IssueCollector()
    if disclosure.subject_enterprise_id is None:
        raise ValidationFailed.one(
            "disclosure_id",
            ErrorCode.NOT_SUPPORTED,
            "an institution's disclosure: stored calculations belong to enterprises",
        )
    if not calculation_ids:
        issues.add("calculation_ids", ErrorCode.REQUIRED, "name at least one calculation")
    if len(set(calculation_ids)) != len(calculation_ids):
        issues.add("calculation_ids", ErrorCode.DUPLICATE, "a calculation is named twice")
    found: dict[DisclosureMetric, list[LineRef]] = {}
    for calc_id in dict.fromkeys(calculation_ids):
        calc = await session.get(CarbonCalculation, calc_id)
        if calc is None or calc.enterprise_id != disclosure.subject_enterprise_id:
            issues.add(
                "calculation_ids",
                ErrorCode.UNKNOWN_REFERENCE,
                f"{calc_id} is not a calculation of the disclosing enterprise",
            )
            continue
        await consent.authorize_read(session, calc.enterprise_id)
        if calc.year != disclosure.year:
            issues.add(
                "calculation_ids",
                ErrorCode.OUT_OF_RANGE,
                f"{calc_id} is for {calc.year}, the disclosure for {disclosure.year}",
            )
            continue
        for metric, refs in derivable(calc).items():
            found.setdefault(metric, []).extend(refs)
    wanted = list(dict.fromkeys(metrics)) if metrics else [m for m in SUPPLIABLE if m in found]
    missing = [m.value for m in wanted if m not in found]
    if missing or (not wanted and not issues.issues):
        issues.add(
            "metrics",
            ErrorCode.NOT_SUPPORTED,
            "the calculations supply none of: " + ", ".join(missing)
            if missing
            else "the calculations supply no disclosure metric",
        )
    issues.raise_if_any()
    values = dict(disclosure.metrics)
    for metric in wanted:
        values[metric.value] = str(sum((r.value for r in found[metric]), Decimal("0.000")))
    updated = await update_disclosure(
        session, id=disclosure.id, version=version, changes={"metrics": values}
    )
    who = consent.who(session)[1]
    await repository.replace_metric_sources(
        session,
        disclosure.id,
        {
            metric.value: [_source(disclosure.id, metric, r, who) for r in found[metric]]
            for metric in wanted
        },
    )
    return updated


def _source(
    disclosure_id: uuid.UUID, metric: DisclosureMetric, r: LineRef, who: str
) -> DisclosureMetricSource:
    return DisclosureMetricSource(
        disclosure_id=disclosure_id,
        metric=metric.value,
        calculation_id=r.calculation_id,
        line_index=r.line_index,
        section=r.section,
        label=r.label,
        value=r.value,
        unit=r.unit,
        factor_version=r.factor_version,
        factor_keys=list(r.factor_keys),
        created_by=who,
    )
