"""The carbon context's rules and writes: stored calculations and the carbon account ledger.

Services take the session first and keyword arguments after ``*``; they flush, never commit.
Every write and read of an account goes through ``consent`` first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import (
    ErrorCode,
    IssueCollector,
    NotFound,
    ValidationFailed,
)
from greenrong.domain.access.principal import Role
from greenrong.domain.carbon import consent, repository
from greenrong.domain.carbon.calculate import calculate
from greenrong.domain.carbon.engine import MAX_QUANTITY, CalculationRequest, Result
from greenrong.domain.carbon.errors import CreditAlreadyRetired
from greenrong.domain.carbon.models import (
    CarbonAccount,
    CarbonCalculation,
    CarbonLedgerEntry,
    CreditStandard,
    LedgerKind,
)
from greenrong.domain.carbon.serialize import request_from_json, request_to_json, result_to_json
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.types import utcnow
from greenrong.domain.projects.models import Project

INTENSITY_QUANTUM = Decimal("0.000001")
RATE_QUANTUM = Decimal("0.0001")


def _who(session: AsyncSession) -> tuple[Role, str]:
    return consent.who(session)


# -------------------------------------------------------------------- stored calculations
async def store_calculation(
    session: AsyncSession,
    *,
    request: CalculationRequest,
    year: int,
    enterprise_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> CarbonCalculation:
    """Run ``request`` and store it with its inputs, factor version and breakdown.

    A calculation for an enterprise (or its project) is the enterprise's data: it needs the
    enterprise's own grant, like every ledger entry."""
    if project_id is not None:
        project = await session.get(Project, project_id)
        if project is None:
            raise ValidationFailed.one("project_id", ErrorCode.UNKNOWN_REFERENCE, "no such project")
        if enterprise_id is not None and project.enterprise_id != enterprise_id:
            raise ValidationFailed.one(
                "project_id", ErrorCode.UNKNOWN_REFERENCE, "the project is not the enterprise's"
            )
        enterprise_id = project.enterprise_id
    if enterprise_id is not None:
        await consent.authorize_record(session, enterprise_id)
    if not 1990 <= year <= 2100:
        raise ValidationFailed.one("year", ErrorCode.OUT_OF_RANGE, "between 1990 and 2100")
    result = calculate(request)
    row = CarbonCalculation(
        enterprise_id=enterprise_id,
        project_id=project_id,
        model=request.model,
        factor_version=request.factor_version,
        year=year,
        request=request_to_json(request),
        breakdown=result_to_json(result),
        total=result.total,
        unit=result.unit,
        created_by=_who(session)[1],
    )
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class Recheck:
    calculation: CarbonCalculation
    factor_version: str
    stored_total: Decimal
    result: Result

    @property
    def changed(self) -> bool:
        return self.result.total != self.stored_total

    @property
    def breakdown_matches(self) -> bool:
        return result_to_json(self.result) == self.calculation.breakdown


async def recheck(
    session: AsyncSession, *, id: uuid.UUID, factor_version: str | None = None
) -> Recheck:
    """Re-run a stored calculation (with its own factor version, or another) and compare."""
    row = await session.get(CarbonCalculation, id)
    if row is None:
        raise NotFound("CarbonCalculation", id)
    if row.enterprise_id is not None:
        await consent.authorize_read(session, row.enterprise_id)
    request = request_from_json(row.request, factor_version=factor_version)
    return Recheck(row, request.factor_version, row.total, calculate(request))


# ---------------------------------------------------------------------------- the account
async def open_account(session: AsyncSession, *, enterprise_id: uuid.UUID) -> CarbonAccount:
    """The enterprise's own grant to record: opens (or re-opens) its carbon account."""
    consent.authorize_open(session, enterprise_id)
    if await session.get(Enterprise, enterprise_id) is None:
        raise NotFound("Enterprise", enterprise_id)
    account = await repository.account_of(session, enterprise_id)
    if account is None:
        account = CarbonAccount(enterprise_id=enterprise_id, opened_by=_who(session)[1])
        session.add(account)
    elif account.closed_at is not None:
        account.closed_at = None
        account.opened_at = utcnow()
        account.opened_by = _who(session)[1]
    await session.flush()
    return account


async def close_account(session: AsyncSession, *, enterprise_id: uuid.UUID) -> CarbonAccount:
    """Withdraws the grant: nothing more is recorded; recorded entries stay (append-only)."""
    consent.authorize_open(session, enterprise_id)
    account = await repository.account_of(session, enterprise_id)
    if account is None:
        raise NotFound("CarbonAccount", enterprise_id)
    if account.closed_at is None:
        account.closed_at = utcnow()
    await session.flush()
    return account


async def _append(session: AsyncSession, entry: CarbonLedgerEntry) -> CarbonLedgerEntry:
    entry.recorded_by_role, entry.recorded_by = _who(session)
    entry.recorded_at = utcnow()
    session.add(entry)
    await session.flush()
    return entry


def _check_year(issues: IssueCollector, year: int) -> None:
    if not 1990 <= year <= 2100:
        issues.add("year", ErrorCode.OUT_OF_RANGE, "between 1990 and 2100")


async def record_emission(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID,
    calculation_id: uuid.UUID,
    revenue_10k_cny: Decimal | None = None,
    output: Decimal | None = None,
    output_unit: str | None = None,
    note: str | None = None,
) -> CarbonLedgerEntry:
    """An emission report for the calculation's year, for the amount the calculation stored."""
    await consent.authorize_record(session, enterprise_id)
    calc = await session.get(CarbonCalculation, calculation_id)
    if calc is None:
        raise NotFound("CarbonCalculation", calculation_id)
    issues = IssueCollector()
    if calc.enterprise_id != enterprise_id:
        issues.add(
            "calculation_id", ErrorCode.UNKNOWN_REFERENCE, "not this enterprise's calculation"
        )
    if calc.model.startswith("benefit."):
        issues.add(
            "calculation_id", ErrorCode.INVALID, "a project benefit is a reduction, not an emission"
        )
    if await repository.live_emission_for(session, calculation_id) is not None:
        issues.add("calculation_id", ErrorCode.DUPLICATE, "already recorded (reverse it first)")
    if revenue_10k_cny is not None and revenue_10k_cny <= 0:
        issues.add("revenue_10k_cny", ErrorCode.OUT_OF_RANGE, "must be positive")
    if (output is None) != (output_unit is None) or (output is not None and output <= 0):
        issues.add("output", ErrorCode.INVALID, "a positive output needs its unit, and vice versa")
    elif output is not None and output > MAX_QUANTITY:
        issues.add("output", ErrorCode.OUT_OF_RANGE, "must not exceed 10^12")
    issues.raise_if_any()
    return await _append(
        session,
        CarbonLedgerEntry(
            enterprise_id=enterprise_id,
            kind=LedgerKind.EMISSION,
            year=calc.year,
            amount=calc.total,
            calculation_id=calc.id,
            revenue_10k_cny=revenue_10k_cny,
            output=output,
            output_unit=output_unit,
            note=note,
        ),
    )


async def record_reduction(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID,
    year: int,
    amount: Decimal,
    project_id: uuid.UUID,
    calculation_id: uuid.UUID | None = None,
    note: str | None = None,
) -> CarbonLedgerEntry:
    await consent.authorize_record(session, enterprise_id)
    issues = IssueCollector()
    _check_year(issues, year)
    if amount <= 0:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "must be positive")
    elif amount > MAX_QUANTITY:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "must not exceed 10^12")
    project = await session.get(Project, project_id)
    if project is None or project.enterprise_id != enterprise_id:
        issues.add(
            "project_id", ErrorCode.UNKNOWN_REFERENCE, "not one of the enterprise's projects"
        )
    if calculation_id is not None:
        calc = await session.get(CarbonCalculation, calculation_id)
        if calc is None or calc.project_id != project_id:
            issues.add(
                "calculation_id", ErrorCode.UNKNOWN_REFERENCE, "not this project's calculation"
            )
    issues.raise_if_any()
    return await _append(
        session,
        CarbonLedgerEntry(
            enterprise_id=enterprise_id,
            kind=LedgerKind.REDUCTION,
            year=year,
            amount=amount,
            project_id=project_id,
            calculation_id=calculation_id,
            note=note,
        ),
    )


async def retire_credit(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID,
    year: int,
    standard: CreditStandard,
    serial: str,
    amount: Decimal,
    note: str | None = None,
) -> CarbonLedgerEntry:
    """Neutralisation: a retired credit. A serial number is retired once only, ever."""
    await consent.authorize_record(session, enterprise_id)
    issues = IssueCollector()
    _check_year(issues, year)
    serial = serial.strip()
    if not serial:
        issues.add("serial", ErrorCode.REQUIRED, "is required")
    if amount <= 0:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "must be positive")
    elif amount > MAX_QUANTITY:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "must not exceed 10^12")
    issues.raise_if_any()
    if await repository.serial_retired(session, standard, serial):
        raise CreditAlreadyRetired(standard.value, serial)
    entry = CarbonLedgerEntry(
        enterprise_id=enterprise_id,
        kind=LedgerKind.OFFSET,
        year=year,
        amount=amount,
        credit_standard=standard,
        credit_serial=serial,
        note=note,
    )
    try:
        async with session.begin_nested():
            return await _append(session, entry)
    except IntegrityError:
        # a concurrent retirement of the same serial won the unique constraint
        raise CreditAlreadyRetired(standard.value, serial) from None


async def record_verification(
    session: AsyncSession,
    *,
    enterprise_id: uuid.UUID,
    year: int,
    verifier: str,
    note: str | None = None,
) -> CarbonLedgerEntry:
    await consent.authorize_record(session, enterprise_id)
    issues = IssueCollector()
    _check_year(issues, year)
    if not verifier.strip():
        issues.add("verifier", ErrorCode.REQUIRED, "is required")
    issues.raise_if_any()
    return await _append(
        session,
        CarbonLedgerEntry(
            enterprise_id=enterprise_id,
            kind=LedgerKind.VERIFICATION,
            year=year,
            amount=Decimal(0),
            verifier=verifier.strip(),
            note=note,
        ),
    )


async def reverse_entry(session: AsyncSession, *, id: uuid.UUID, note: str) -> CarbonLedgerEntry:
    """A correction: a new entry with the negated amounts. The original is never edited, and a
    reversed credit's serial stays retired."""
    original = await session.get(CarbonLedgerEntry, id)
    if original is None or not await consent.may_read(session, original.enterprise_id):
        raise NotFound("CarbonLedgerEntry", id)  # hidden answers like missing
    await consent.authorize_record(session, original.enterprise_id)
    issues = IssueCollector()
    if original.reverses_id is not None:
        issues.add("id", ErrorCode.INVALID, "a reversing entry is not reversed: record a new entry")
    if await repository.reversal_of(session, id) is not None:
        issues.add("id", ErrorCode.DUPLICATE, "this entry has already been reversed")
    if not note.strip():
        issues.add("note", ErrorCode.REQUIRED, "say why the entry is reversed")
    issues.raise_if_any()
    return await _append(
        session,
        CarbonLedgerEntry(
            enterprise_id=original.enterprise_id,
            kind=original.kind,
            year=original.year,
            amount=-original.amount,
            calculation_id=original.calculation_id,
            project_id=original.project_id,
            reverses_id=original.id,
            revenue_10k_cny=None if original.revenue_10k_cny is None else -original.revenue_10k_cny,
            output=None if original.output is None else -original.output,
            output_unit=original.output_unit,
            verifier=original.verifier,
            note=note.strip(),
        ),
    )


# ---------------------------------------------------------------------------- the view
@dataclass(frozen=True)
class AccountYear:
    """One year of the account. ``net = gross − offsets``: project reductions are shown but not
    deducted (they are already in a lower emission report; deducting them would count twice)."""

    year: int
    gross: Decimal
    reductions: Decimal
    offsets: Decimal
    net: Decimal
    revenue_10k_cny: Decimal | None
    output: Decimal | None
    output_unit: str | None
    #: tCO2e per 万元 revenue, and per unit of output (of gross emissions), 6 decimals half-up
    intensity_revenue: Decimal | None
    intensity_output: Decimal | None
    #: against the previous year in the account (None for the first)
    gross_change: Decimal | None
    #: fraction, 4 decimals half-up (−0.1250 = −12.5 %)
    gross_change_rate: Decimal | None
    verified: bool


def _ratio(a: Decimal, b: Decimal | None, quantum: Decimal) -> Decimal | None:
    if b is None or b == 0:
        return None
    return (a / b).quantize(quantum, rounding=ROUND_HALF_UP)


def account_years(entries: list[CarbonLedgerEntry]) -> list[AccountYear]:
    """The per-year view of an account's entries (reversals cancel what they reverse)."""
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    years = sorted({e.year for e in entries})
    out: list[AccountYear] = []
    previous: AccountYear | None = None
    for year in years:
        mine = [e for e in entries if e.year == year]

        def total(kind: LedgerKind, of: list[CarbonLedgerEntry] = mine) -> Decimal:
            return sum((e.amount for e in of if e.kind == kind), Decimal("0.000"))

        emissions = [e for e in mine if e.kind == LedgerKind.EMISSION]
        revenues = [e.revenue_10k_cny for e in emissions if e.revenue_10k_cny is not None]
        revenue = sum(revenues, Decimal("0.00")) if revenues else None
        outputs = [e for e in emissions if e.output is not None]
        units = {e.output_unit for e in outputs}
        output = (
            sum((e.output or Decimal(0) for e in outputs), Decimal("0.000")) if outputs else None
        )
        output_unit = units.pop() if len(units) == 1 else None
        gross = total(LedgerKind.EMISSION)
        offsets = total(LedgerKind.OFFSET)
        verified = any(
            e.kind == LedgerKind.VERIFICATION and e.reverses_id is None and e.id not in reversed_ids
            for e in mine
        )
        view = AccountYear(
            year=year,
            gross=gross,
            reductions=total(LedgerKind.REDUCTION),
            offsets=offsets,
            net=gross - offsets,
            revenue_10k_cny=revenue or None,
            output=output or None,
            output_unit=output_unit if output else None,
            intensity_revenue=_ratio(gross, revenue, INTENSITY_QUANTUM),
            intensity_output=_ratio(gross, output, INTENSITY_QUANTUM) if output_unit else None,
            gross_change=None if previous is None else gross - previous.gross,
            gross_change_rate=None
            if previous is None
            else _ratio(gross - previous.gross, previous.gross, RATE_QUANTUM),
            verified=verified,
        )
        out.append(view)
        previous = view
    return out


async def account(session: AsyncSession, *, enterprise_id: uuid.UUID) -> list[AccountYear]:
    await consent.authorize_read(session, enterprise_id)
    return account_years(await repository.entries_of(session, enterprise_id))


async def ledger(session: AsyncSession, *, enterprise_id: uuid.UUID) -> list[CarbonLedgerEntry]:
    await consent.authorize_read(session, enterprise_id)
    return await repository.entries_of(session, enterprise_id)
