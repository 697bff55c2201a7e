"""Carbon accounting as the API shows it: factor sets, calculations with their breakdown,
supported industries and project types, and the enterprise carbon account."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import strawberry

from greenrong.domain.access.principal import Role
from greenrong.domain.carbon import benefits, industrial
from greenrong.domain.carbon.factors import Factor, FactorSet
from greenrong.domain.carbon.models import CarbonCalculation as CalculationRow
from greenrong.domain.carbon.models import CarbonLedgerEntry as EntryRow
from greenrong.domain.carbon.models import DisclosureMetricSource as MetricSourceRow
from greenrong.domain.carbon.report import CarbonReport as Report
from greenrong.domain.carbon.service import AccountYear, Recheck
from greenrong.domain.disclosure.models import DisclosureMetric
from greenrong.schema.access import enums as _access_enums  # noqa: F401 - registers Role
from greenrong.schema.carbon.enums import CreditStandard, LedgerKind
from greenrong.schema.kit.ids import to_global_id


def _gid(type_name: str, id: Any) -> strawberry.ID | None:
    return None if id is None else strawberry.ID(to_global_id(type_name, id))


@strawberry.type(description="One emission factor or coefficient, with where it comes from.")
class CarbonFactor:
    key: str = strawberry.field(description="Stable key, e.g. `fuel.天然气.ncv`, `grid.2022.四川`.")
    name_zh: str = strawberry.field(description="Chinese name.")
    value: Decimal = strawberry.field(description="The value, exact.")
    unit: str = strawberry.field(description="Unit (pint notation, e.g. `GJ/tenk_Nm3`).")
    source: str = strawberry.field(description="The publication or method it comes from.")
    provenance: str = strawberry.field(description="How we know it (read, recalled, computed).")
    confidence: str = strawberry.field(
        description="`high`, `medium`, `low`, or `measured` (supplied by the caller)."
    )
    version: str = strawberry.field(description="The factor set version.")
    our_assumption: bool = strawberry.field(description="Added by us, not read in a source.")
    measured: bool = strawberry.field(description="Supplied by the caller, replacing a default.")
    replaces: Decimal | None = strawberry.field(
        description="The default a measured value replaced."
    )

    @classmethod
    def of(cls, f: Factor) -> CarbonFactor:
        return cls(
            key=f.key,
            name_zh=f.name_zh,
            value=f.value,
            unit=f.unit,
            source=f.source,
            provenance=f.provenance,
            confidence=f.confidence,
            version=f.version,
            our_assumption=f.our_assumption,
            measured=f.measured,
            replaces=f.replaces,
        )

    @classmethod
    def of_json(cls, d: dict[str, Any]) -> CarbonFactor:
        return cls(
            key=d["key"],
            name_zh=d["name_zh"],
            value=Decimal(d["value"]),
            unit=d["unit"],
            source=d["source"],
            provenance=d["provenance"],
            confidence=d["confidence"],
            version=d["version"],
            our_assumption=d["our_assumption"],
            measured=d["measured"],
            replaces=None if d["replaces"] is None else Decimal(d["replaces"]),
        )


@strawberry.type(description="A published, never-edited set of factors.")
class CarbonFactorSet:
    version: str = strawberry.field(description="Version, e.g. `CN-2025.1`.")
    published: str = strawberry.field(description="Publication date (ISO 8601).")
    factors: list[CarbonFactor] = strawberry.field(description="Its factors, by key.")

    @classmethod
    def of(cls, fs: FactorSet, prefix: str | None) -> CarbonFactorSet:
        return cls(
            version=fs.version,
            published=fs.published,
            factors=[
                CarbonFactor.of(f)
                for k, f in sorted(fs.factors.items())
                if prefix is None or k.startswith(prefix)
            ],
        )


@strawberry.type(description="A quantity with its unit.")
class CarbonAmount:
    value: Decimal = strawberry.field(description="The value, exact.")
    unit: str = strawberry.field(description="Its unit.")


@strawberry.type(description="One line of a breakdown: activity × factors = result.")
class CarbonBreakdownLine:
    section: str = strawberry.field(description="Section, e.g. 化石燃料燃烧, 范围二 外购电力.")
    label: str = strawberry.field(description="What the line is about (a fuel, a material…).")
    activity: CarbonAmount = strawberry.field(description="The activity data, in the line's unit.")
    factors: list[CarbonFactor] = strawberry.field(description="Every factor multiplied in.")
    formula: str = strawberry.field(description="The guideline's formula for the line.")
    result: CarbonAmount = strawberry.field(description="The line's result, rounded.")


@strawberry.type(description="The sum of one section's lines.")
class CarbonSection:
    name: str = strawberry.field(description="Section name.")
    unit: str = strawberry.field(description="Unit of the sum.")
    value: Decimal = strawberry.field(description="Exact sum of the rounded lines.")


def _amount(d: dict[str, Any]) -> CarbonAmount:
    return CarbonAmount(value=Decimal(d["value"]), unit=d["unit"])


@strawberry.type(description="A stored calculation: inputs, factor version, breakdown, result.")
class CarbonCalculation:
    id: strawberry.ID = strawberry.field(description="Global id.")
    enterprise_id: strawberry.ID | None = strawberry.field(description="The enterprise's id.")
    project_id: strawberry.ID | None = strawberry.field(description="The project's id.")
    model: str = strawberry.field(description="`industrial.<key>`, `non_industrial`, …")
    factor_version: str = strawberry.field(description="The factor set it used.")
    year: int = strawberry.field(description="The reporting year.")
    total: Decimal = strawberry.field(description="The result (sum of the sections in `unit`).")
    unit: str = strawberry.field(description="Unit of `total` (tCO2e).")
    rounding: str = strawberry.field(description="How results are rounded (stated once).")
    lines: list[CarbonBreakdownLine] = strawberry.field(description="The breakdown, in order.")
    sections: list[CarbonSection] = strawberry.field(description="Section sums.")
    notes: list[str] = strawberry.field(description="Notes of the model.")
    created_at: datetime.datetime = strawberry.field(description="When it ran.")

    @classmethod
    def of(cls, row: CalculationRow) -> CarbonCalculation:
        b = row.breakdown
        return cls(
            id=strawberry.ID(to_global_id("CarbonCalculation", row.id)),
            enterprise_id=_gid("Enterprise", row.enterprise_id),
            project_id=_gid("Project", row.project_id),
            model=row.model,
            factor_version=row.factor_version,
            year=row.year,
            total=row.total,
            unit=row.unit,
            rounding=b["rounding"],
            lines=[
                CarbonBreakdownLine(
                    section=ln["section"],
                    label=ln["label"],
                    activity=_amount(ln["activity"]),
                    factors=[CarbonFactor.of_json(f) for f in ln["factors"]],
                    formula=ln["formula"],
                    result=_amount(ln["result"]),
                )
                for ln in b["lines"]
            ],
            sections=[
                CarbonSection(name=s["name"], unit=s["unit"], value=Decimal(s["value"]))
                for s in b["sections"]
            ],
            notes=list(b["notes"]),
            created_at=row.created_at,
        )


@strawberry.type(description="A stored calculation re-run, and whether its result changed.")
class CarbonRecheck:
    calculation: CarbonCalculation = strawberry.field(description="The stored calculation.")
    factor_version: str = strawberry.field(description="The factor set of the re-run.")
    stored_total: Decimal = strawberry.field(description="The stored result.")
    recomputed_total: Decimal = strawberry.field(description="The re-run's result.")
    changed: bool = strawberry.field(description="The results differ.")
    breakdown_matches: bool = strawberry.field(description="The whole breakdown is identical.")

    @classmethod
    def of(cls, r: Recheck) -> CarbonRecheck:
        return cls(
            calculation=CarbonCalculation.of(r.calculation),
            factor_version=r.factor_version,
            stored_total=r.stored_total,
            recomputed_total=r.result.total,
            changed=r.changed,
            breakdown_matches=r.breakdown_matches,
        )


@strawberry.type(description="One of the NDRC's 24 industry guidelines.")
class CarbonIndustry:
    no: int = strawberry.field(description="Number in the list of 24.")
    key: str = strawberry.field(description="Model key: `industrial.<key>`.")
    name_zh: str = strawberry.field(description="Industry.")
    guideline: str = strawberry.field(description="The guideline's title.")
    supported: bool = strawberry.field(description="False: answers NOT_SUPPORTED, no number.")

    @classmethod
    def of(cls, i: industrial.Industry) -> CarbonIndustry:
        return cls(
            no=i.no, key=i.key, name_zh=i.name_zh, guideline=i.guideline, supported=i.supported
        )


@strawberry.type(description="An environmental-benefit indicator (绿色融资统计制度).")
class EnvironmentalIndicator:
    key: str = strawberry.field(description="Stable key.")
    name_zh: str = strawberry.field(description="Chinese name.")
    unit: str = strawberry.field(description="Unit.")
    confirmed: bool = strawberry.field(
        description="False: one of the four unconfirmed placeholders, always not available."
    )

    @classmethod
    def of(cls, i: benefits.Indicator) -> EnvironmentalIndicator:
        return cls(key=i.key, name_zh=i.name_zh, unit=i.unit, confirmed=i.confirmed)


@strawberry.type(description="A green project type with an environmental-benefit model.")
class CarbonProjectType:
    key: str = strawberry.field(description="Model key: `benefit.<key>`.")
    name_zh: str = strawberry.field(description="Project type.")
    indicators: list[EnvironmentalIndicator] = strawberry.field(
        description="The indicators it calculates."
    )

    @classmethod
    def of(cls, t: benefits.ProjectType) -> CarbonProjectType:
        return cls(
            key=t.key,
            name_zh=t.name_zh,
            indicators=[EnvironmentalIndicator.of(benefits.BY_KEY[k]) for k in t.indicators],
        )


@strawberry.type(description="One append-only entry of a carbon account.")
class CarbonLedgerEntry:
    id: strawberry.ID = strawberry.field(description="Global id.")
    kind: LedgerKind = strawberry.field(description="What it records.")
    year: int = strawberry.field(description="The year it counts for.")
    amount: Decimal = strawberry.field(description="tCO2e; negative for a reversing entry.")
    calculation_id: strawberry.ID | None = strawberry.field(description="The stored calculation.")
    project_id: strawberry.ID | None = strawberry.field(description="The project (reductions).")
    credit_standard: CreditStandard | None = strawberry.field(
        description="A retired credit's standard."
    )
    credit_serial: str | None = strawberry.field(description="A retired credit's serial number.")
    reverses_id: strawberry.ID | None = strawberry.field(description="The entry it reverses.")
    revenue_10k_cny: Decimal | None = strawberry.field(description="Revenue reported, 万元.")
    output: Decimal | None = strawberry.field(description="Output reported.")
    output_unit: str | None = strawberry.field(description="Unit of `output`.")
    verifier: str | None = strawberry.field(description="The verification body.")
    note: str | None = strawberry.field(description="Note, or why an entry was reversed.")
    recorded_at: datetime.datetime = strawberry.field(description="When it was recorded.")
    recorded_by_role: Role = strawberry.field(description="The recording caller's role.")

    @classmethod
    def of(cls, e: EntryRow) -> CarbonLedgerEntry:
        return cls(
            id=strawberry.ID(to_global_id("CarbonLedgerEntry", e.id)),
            kind=e.kind,
            year=e.year,
            amount=e.amount,
            calculation_id=_gid("CarbonCalculation", e.calculation_id),
            project_id=_gid("Project", e.project_id),
            credit_standard=e.credit_standard,
            credit_serial=e.credit_serial,
            reverses_id=_gid("CarbonLedgerEntry", e.reverses_id),
            revenue_10k_cny=e.revenue_10k_cny,
            output=e.output,
            output_unit=e.output_unit,
            verifier=e.verifier,
            note=e.note,
            recorded_at=e.recorded_at,
            recorded_by_role=e.recorded_by_role,
        )


@strawberry.type(description="One year of a carbon account. net = gross − offsets.")
class CarbonAccountYear:
    year: int = strawberry.field(description="The year.")
    gross: Decimal = strawberry.field(description="Gross emissions, tCO2e.")
    reductions: Decimal = strawberry.field(description="Project reductions, tCO2e (not deducted).")
    offsets: Decimal = strawberry.field(description="Retired credits, tCO2e.")
    net: Decimal = strawberry.field(description="gross − offsets, tCO2e.")
    revenue_10k_cny: Decimal | None = strawberry.field(description="Revenue reported, 万元.")
    output: Decimal | None = strawberry.field(description="Output reported.")
    output_unit: str | None = strawberry.field(description="Unit of `output`.")
    intensity_revenue: Decimal | None = strawberry.field(description="tCO2e per 万元 revenue.")
    intensity_output: Decimal | None = strawberry.field(description="tCO2e per unit of output.")
    gross_change: Decimal | None = strawberry.field(description="Against the previous year.")
    gross_change_rate: Decimal | None = strawberry.field(
        description="Fraction against the previous year (−0.2 = −20 %)."
    )
    verified: bool = strawberry.field(description="A third-party verification mark stands.")

    @classmethod
    def of(cls, y: AccountYear) -> CarbonAccountYear:
        return cls(**{f: getattr(y, f) for f in AccountYear.__dataclass_fields__})


@strawberry.type(description="An enterprise's carbon account (碳账户), shared only with consent.")
class CarbonAccount:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    years: list[CarbonAccountYear] = strawberry.field(description="The per-year view.")
    entries: list[CarbonLedgerEntry] = strawberry.field(description="Every entry, in order.")


@strawberry.type(
    description="Where a disclosure metric came from: one line of a stored calculation."
)
class DisclosureMetricSource:
    metric: DisclosureMetric = strawberry.field(description="The metric it went into.")
    calculation_id: strawberry.ID = strawberry.field(description="The stored calculation.")
    line_index: int = strawberry.field(
        description="The line's position in its breakdown (0-based)."
    )
    section: str = strawberry.field(description="The line's section, e.g. `范围一 固定燃烧`.")
    label: str = strawberry.field(description="The line's label.")
    value: Decimal = strawberry.field(description="The line's result, exact.")
    unit: str = strawberry.field(description="Unit of `value` (tCO2e).")
    factor_version: str = strawberry.field(description="The factor set the calculation used.")
    factor_keys: list[str] = strawberry.field(description="The factors the line used.")

    @classmethod
    def of(cls, row: MetricSourceRow) -> DisclosureMetricSource:
        return cls(
            metric=DisclosureMetric(row.metric),
            calculation_id=strawberry.ID(to_global_id("CarbonCalculation", row.calculation_id)),
            line_index=row.line_index,
            section=row.section,
            label=row.label,
            value=row.value,
            unit=row.unit,
            factor_version=row.factor_version,
            factor_keys=list(row.factor_keys),
        )


@strawberry.type(description="One line of a carbon report's breakdown table.")
class CarbonReportLine:
    calculation_id: strawberry.ID = strawberry.field(description="The stored calculation.")
    section: str = strawberry.field(description="Section, e.g. 净购入电力.")
    label: str = strawberry.field(description="What the line is about.")
    activity: str = strawberry.field(description="Activity data with its unit, e.g. `10000 MWh`.")
    factors: list[str] = strawberry.field(
        description="Each factor as `key = value unit (version)`, `(实测)` when measured."
    )
    value: Decimal = strawberry.field(description="The line's result.")
    unit: str = strawberry.field(description="Unit of `value`.")


@strawberry.type(description="A total of one emission source (section) in a carbon report.")
class CarbonSourceTotal:
    section: str = strawberry.field(description="The section.")
    value: Decimal = strawberry.field(description="tCO2e, exact sum of its lines.")


@strawberry.type(description="One year of the carbon account, for the report's chart by year.")
class CarbonYearTotal:
    year: int = strawberry.field(description="The year.")
    gross: Decimal = strawberry.field(description="Gross emissions, tCO2e.")
    net: Decimal = strawberry.field(description="gross − offsets, tCO2e.")


@strawberry.type(description="One ledger entry as the carbon report lists it.")
class CarbonReportEntry:
    recorded_at: datetime.datetime = strawberry.field(description="When it was recorded.")
    kind: LedgerKind = strawberry.field(description="What it records.")
    kind_zh: str = strawberry.field(description="The kind in Chinese.")
    amount: Decimal = strawberry.field(description="tCO2e; negative for a reversing entry.")
    detail: str = strawberry.field(description="Serial, verifier, revenue or note.")
    reversal: bool = strawberry.field(description="Whether it reverses an earlier entry.")


@strawberry.type(description="The carbon report of one enterprise-year (the page and the PDF).")
class CarbonReport:
    enterprise_id: strawberry.ID = strawberry.field(description="The enterprise.")
    enterprise_name: str = strawberry.field(description="Its name.")
    year: int = strawberry.field(description="The reporting year.")
    summary: CarbonAccountYear | None = strawberry.field(
        description="The year in the account; null when the account has no entry for it."
    )
    lines: list[CarbonReportLine] = strawberry.field(
        description="The lines of the calculations behind the year's emission reports."
    )
    lines_total: Decimal = strawberry.field(description="Sum of the tCO2e lines.")
    by_source: list[CarbonSourceTotal] = strawberry.field(description="By section, largest first.")
    by_year: list[CarbonYearTotal] = strawberry.field(description="Every year of the account.")
    entries: list[CarbonReportEntry] = strawberry.field(description="The year's ledger entries.")
    factor_versions: list[str] = strawberry.field(description="Factor sets the lines used.")
    rounding: str = strawberry.field(description="How results are rounded.")
    page_url: str = strawberry.field(
        description="The HTML page's path on this API's origin (send the same bearer credential)."
    )

    @classmethod
    def of(cls, r: Report, page_url: str) -> CarbonReport:
        return cls(
            enterprise_id=strawberry.ID(to_global_id("Enterprise", r.enterprise_id)),
            enterprise_name=r.enterprise_name,
            year=r.year,
            summary=None if r.summary is None else CarbonAccountYear.of(r.summary),
            lines=[
                CarbonReportLine(
                    calculation_id=strawberry.ID(
                        to_global_id("CarbonCalculation", ln.calculation_id)
                    ),
                    section=ln.section,
                    label=ln.label,
                    activity=ln.activity,
                    factors=list(ln.factors),
                    value=ln.value,
                    unit=ln.unit,
                )
                for ln in r.lines
            ],
            lines_total=r.lines_total,
            by_source=[CarbonSourceTotal(section=t.section, value=t.value) for t in r.by_source],
            by_year=[CarbonYearTotal(year=y.year, gross=y.gross, net=y.net) for y in r.by_year],
            entries=[
                CarbonReportEntry(
                    recorded_at=e.recorded_at,
                    kind=e.kind,
                    kind_zh=e.kind_zh,
                    amount=e.amount,
                    detail=e.detail,
                    reversal=e.reversal,
                )
                for e in r.entries
            ],
            factor_versions=list(r.factor_versions),
            rounding=r.rounding,
            page_url=page_url,
        )
