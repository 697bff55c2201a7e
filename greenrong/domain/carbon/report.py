"""The carbon report of one enterprise-year: the one model behind the page, the PDF and
``carbonReport`` in GraphQL, so the three cannot disagree.

What it holds:

- the year's account figures (``service.AccountYear``: gross, reductions, offsets, net,
  intensity, change against the previous year);
- the breakdown table: every line of the calculations behind the year's emission reports (the
  live, not reversed, ``EMISSION`` entries), with activity, factors and result;
- by source: the breakdown's section sums, largest first (the chart by source);
- by year: gross and net of every year in the account (the chart by year);
- the ledger: the year's entries in the order they were recorded.

Reading it follows the account's rules (``consent.authorize_read``): the enterprise itself,
an admin or trusted code, or an institution under a valid CARBON_LEDGER consent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import NotFound
from greenrong.domain.carbon import consent, repository
from greenrong.domain.carbon.engine import ROUNDING
from greenrong.domain.carbon.models import CarbonCalculation, CarbonLedgerEntry, LedgerKind
from greenrong.domain.carbon.service import AccountYear, account_years
from greenrong.domain.enterprises.models import Enterprise

KIND_ZH = {
    LedgerKind.EMISSION: "排放报告",
    LedgerKind.REDUCTION: "项目减排",
    LedgerKind.OFFSET: "碳信用注销（中和）",
    LedgerKind.VERIFICATION: "第三方核查",
}


@dataclass(frozen=True)
class ReportLine:
    calculation_id: uuid.UUID
    section: str
    label: str
    activity: str  # "10000 MWh"
    factors: tuple[str, ...]  # "grid.2022.四川 = 0.1404 kgCO2/kWh (CN-2025.1)"
    value: Decimal
    unit: str


@dataclass(frozen=True)
class SourceTotal:
    section: str
    value: Decimal


@dataclass(frozen=True)
class YearTotal:
    year: int
    gross: Decimal
    net: Decimal


@dataclass(frozen=True)
class ReportEntry:
    recorded_at: datetime
    kind: LedgerKind
    kind_zh: str
    amount: Decimal
    detail: str
    reversal: bool


@dataclass(frozen=True)
class CarbonReport:
    enterprise_id: uuid.UUID
    enterprise_name: str
    credit_code: str
    year: int
    #: None when the account has no entry for the year
    summary: AccountYear | None
    lines: tuple[ReportLine, ...]
    by_source: tuple[SourceTotal, ...]
    by_year: tuple[YearTotal, ...]
    entries: tuple[ReportEntry, ...]
    factor_versions: tuple[str, ...]
    rounding: str = ROUNDING

    @property
    def lines_total(self) -> Decimal:
        """The sum of the breakdown's tCO2e lines (equals ``summary.gross``)."""
        return sum((ln.value for ln in self.lines if ln.unit == "tCO2e"), Decimal("0.000"))


def shown(value: Decimal | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


#: the column heads of the tables, shared by the page and the PDF
SUMMARY_HEAD = ("指标", "数值")
BREAKDOWN_HEAD = ("排放源类别", "项目", "活动数据", "排放因子", "排放量")
LEDGER_HEAD = ("记录时间 (UTC)", "类型", "数量 (tCO2e)", "说明")


def summary_rows(r: CarbonReport) -> list[tuple[str, str]]:
    """The year's figures as (label, value) rows; none when the account has no entry."""
    s = r.summary
    if s is None:
        return []
    return [
        ("排放总量", f"{s.gross} tCO2e"),
        ("项目减排量（不抵扣）", f"{s.reductions} tCO2e"),
        ("碳信用抵消", f"{s.offsets} tCO2e"),
        ("净排放（排放总量 − 抵消）", f"{s.net} tCO2e"),
        ("排放强度（每万元营业收入）", shown(s.intensity_revenue, " tCO2e/万元")),
        ("较上年变化", shown(s.gross_change, " tCO2e")),
        ("较上年变化率", shown(_percent(s.gross_change_rate), " %")),
        ("第三方核查", "已核查" if s.verified else "未核查"),
    ]


def _percent(fraction: Decimal | None) -> Decimal | None:
    """A fraction of 4 decimals as a percentage of 2 (exact: a shift of the point)."""
    return None if fraction is None else (fraction * 100).quantize(Decimal("0.01"))


def breakdown_rows(r: CarbonReport) -> list[tuple[str, ...]]:
    return [
        (ln.section, ln.label, ln.activity, "；".join(ln.factors), f"{ln.value} {ln.unit}")
        for ln in r.lines
    ]


def ledger_rows(r: CarbonReport) -> list[tuple[str, ...]]:
    return [
        (
            e.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.kind_zh + ("（冲正）" if e.reversal else ""),
            str(e.amount),
            e.detail,
        )
        for e in r.entries
    ]


def title(r: CarbonReport) -> str:
    return f"{r.enterprise_name} {r.year} 年度碳排放报告"


def subtitle(r: CarbonReport) -> str:
    return (
        f"统一社会信用代码 {r.credit_code}；排放因子版本 "
        f"{'、'.join(r.factor_versions) or '—'}；{r.rounding}"
    )


def _amount(d: dict[str, str]) -> str:
    return f"{d['value']} {d['unit']}"


def _lines(calc: CarbonCalculation) -> list[ReportLine]:
    return [
        ReportLine(
            calculation_id=calc.id,
            section=ln["section"],
            label=ln["label"],
            activity=_amount(ln["activity"]),
            factors=tuple(
                f"{f['key']} = {f['value']} {f['unit']}"
                + (" (实测)" if f["measured"] else f" ({f['version']})")
                for f in ln["factors"]
            ),
            value=Decimal(ln["result"]["value"]),
            unit=ln["result"]["unit"],
        )
        for ln in calc.breakdown["lines"]
    ]


def _detail(e: CarbonLedgerEntry) -> str:
    parts: list[str] = []
    if e.credit_serial:
        parts.append(f"{e.credit_standard} {e.credit_serial}")
    if e.verifier:
        parts.append(f"核查机构 {e.verifier}")
    if e.revenue_10k_cny is not None:
        parts.append(f"营业收入 {e.revenue_10k_cny} 万元")
    if e.note:
        parts.append(e.note)
    return "；".join(parts)


async def carbon_report(
    session: AsyncSession, *, enterprise_id: uuid.UUID, year: int
) -> CarbonReport:
    enterprise = await session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("Enterprise", enterprise_id)
    await consent.authorize_read(session, enterprise_id)
    entries = await repository.entries_of(session, enterprise_id)
    years = account_years(entries)
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    live_emissions = [
        e.calculation_id
        for e in entries
        if e.year == year
        and e.kind == LedgerKind.EMISSION
        and e.reverses_id is None
        and e.id not in reversed_ids
        and e.calculation_id is not None
    ]
    calcs = await repository.calculations_by_ids(session, live_emissions)
    lines = [ln for c in calcs for ln in _lines(c)]
    sums: dict[str, Decimal] = {}
    for ln in lines:
        if ln.unit == "tCO2e":
            sums[ln.section] = sums.get(ln.section, Decimal("0.000")) + ln.value
    return CarbonReport(
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        credit_code=enterprise.credit_code,
        year=year,
        summary=next((y for y in years if y.year == year), None),
        lines=tuple(lines),
        by_source=tuple(
            SourceTotal(s, v) for s, v in sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        by_year=tuple(YearTotal(y.year, y.gross, y.net) for y in years),
        entries=tuple(
            ReportEntry(
                recorded_at=e.recorded_at,
                kind=e.kind,
                kind_zh=KIND_ZH[e.kind],
                amount=e.amount,
                detail=_detail(e),
                reversal=e.reverses_id is not None,
            )
            for e in entries
            if e.year == year
        ),
        factor_versions=tuple(sorted({c.factor_version for c in calcs})),
    )
