"""Demo carbon accounts and data consents, so a newcomer can open a carbon report and see
consent at work without building data by hand.

For a deterministic subset of the seeded enterprises (``ACCOUNTS`` at scale 1, in id
order after a seeded shuffle), each with:

- an open carbon account;
- one stored calculation per reported year, run by the real engine with the packaged factor
  set: ``industrial.power`` for power companies (GB/T 4754 division 44), the ISO 14064-1
  organisation model (scopes 1 and 2) for the others;
- a ledger: an EMISSION entry per calculation (with revenue); for 2021 also a VERIFICATION
  mark, a REDUCTION for a photovoltaic project where the enterprise has a project, and a
  retired CCER credit for every third enterprise;
- for the first half, a consent to one or two institutions (CARBON_LEDGER, FINANCING_DEMANDS,
  and CONTACT_DETAILS for every other one), valid for a year from ``as_of``.

Years: 2021 is reported in spring 2022 (before the report's cut-off); 2022 is reported in spring
2023, and so only when ``as_of`` is after that spring (``greenrong seed`` passes today).
Activity amounts are our own assumptions, drawn from seeded streams: plausible for a Sichuan
SME, not taken from any report. Nothing here changes a figure of ``platformStatistics``.
Rows are inserted directly (ids and times from the seeded streams), like the rest of the seed;
calculations and totals come from ``carbon.calculate``, so they are what the API would store.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.principal import SYSTEM_SUBJECT, Role
from greenrong.domain.carbon.calculate import calculate
from greenrong.domain.carbon.engine import Activity, CalculationRequest
from greenrong.domain.carbon.factors import DEFAULT_VERSION
from greenrong.domain.carbon.models import (
    CarbonAccount,
    CarbonCalculation,
    CarbonLedgerEntry,
    CreditStandard,
    LedgerKind,
)
from greenrong.domain.carbon.serialize import request_to_json, result_to_json
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.projects.models import Project
from greenrong.domain.seed.randomness import new_uuid, stream
from greenrong.domain.seed.report import EntityLoad
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import moment

#: enterprises with a carbon account at scale 1 (at least ``MIN_ACCOUNTS`` at any scale)
ACCOUNTS = 24
MIN_ACCOUNTS = 4
#: a year is reported in the spring after it
REPORTED = {2021: (datetime(2022, 3, 1, tzinfo=UTC), datetime(2022, 5, 31, tzinfo=UTC))}
REPORTED[2022] = (datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 5, 31, tzinfo=UTC))
#: the grid factor each year's calculation uses (the latest published for it)
GRID = {2021: "2021.全国", 2022: "2022.四川"}
VERIFIERS = ("中环联合（北京）认证中心", "四川省环境科学研究院", "中国质量认证中心成都分中心")


@dataclass(frozen=True)
class _Subject:
    id: uuid.UUID
    division: str
    projects: list[uuid.UUID]


async def seed_carbon(
    session: AsyncSession, *, seed: int, scale: float, as_of: date
) -> tuple[EntityLoad, ...]:
    """Insert the carbon accounts, calculations, ledger entries and consents; returns the
    rows per table (for the seed's summary)."""
    rng = stream(seed, "carbon")
    subjects = await _subjects(session, rng, max(MIN_ACCOUNTS, round(ACCOUNTS * scale)))
    banks = list(
        await session.scalars(select(FinancialInstitution.id).order_by(FinancialInstitution.id))
    )
    years = [y for y, (_, end) in REPORTED.items() if end.date() < as_of] or [2021]
    accounts: list[Row] = []
    calculations: list[Row] = []
    entries: list[Row] = []
    consents: list[Row] = []
    for n, subject in enumerate(subjects):
        opened = moment(rng, REPORTED[years[0]][0] - timedelta(days=60), REPORTED[years[0]][0])
        accounts.append(
            {
                "id": new_uuid(rng),
                "enterprise_id": subject.id,
                "opened_at": opened,
                "opened_by": SYSTEM_SUBJECT,
                "closed_at": None,
            }
        )
        size = Decimal(rng.randint(5, 40)) / 10  # our assumption: 0.5–4.0 × a base amount
        for year in years:
            calc = _calculation(rng, subject, year, size)
            calculations.append(calc)
            entries.append(
                _entry(
                    rng,
                    subject.id,
                    year,
                    LedgerKind.EMISSION,
                    calc["total"],
                    calculation_id=calc["id"],
                    revenue_10k_cny=Decimal(rng.randint(800, 20000)),
                )
            )
        entries.append(
            _entry(rng, subject.id, years[0], LedgerKind.VERIFICATION, Decimal(0),
                   verifier=VERIFIERS[n % len(VERIFIERS)])
        )  # fmt: skip
        if subject.projects:
            project = subject.projects[0]
            benefit = _benefit(rng, subject.id, project, years[0], size)
            calculations.append(benefit)
            entries.append(
                _entry(rng, subject.id, years[0], LedgerKind.REDUCTION, benefit["total"],
                       calculation_id=benefit["id"], project_id=project)
            )  # fmt: skip
        if n % 3 == 0:
            entries.append(
                _entry(rng, subject.id, years[0], LedgerKind.OFFSET, Decimal(rng.randint(20, 200)),
                       credit_standard=CreditStandard.CCER,
                       credit_serial=f"CCER-510000-{years[0]}-{n + 1:06d}")
            )  # fmt: skip
        if n < len(subjects) // 2 and banks:
            consents.extend(_consents(rng, subject.id, banks, n, as_of))
    for model, rows in (
        (CarbonAccount, accounts),
        (CarbonCalculation, calculations),
        (CarbonLedgerEntry, entries),
        (DataConsent, consents),
    ):
        if rows:
            await session.execute(insert(model), rows)
    return (
        EntityLoad("CarbonAccount", len(accounts), 0.0),
        EntityLoad("CarbonCalculation", len(calculations), 0.0),
        EntityLoad("CarbonLedgerEntry", len(entries), 0.0),
        EntityLoad("DataConsent", len(consents), 0.0),
    )


async def _subjects(session: AsyncSession, rng: random.Random, wanted: int) -> list[_Subject]:
    rows = (
        await session.execute(
            select(Enterprise.id, Enterprise.industry_division).order_by(Enterprise.id)
        )
    ).all()
    chosen = sorted(rng.sample(range(len(rows)), min(wanted, len(rows))))
    picked = [rows[i] for i in chosen]
    projects: dict[uuid.UUID, list[uuid.UUID]] = {}
    for project_id, owner in (
        await session.execute(
            select(Project.id, Project.enterprise_id)
            .where(Project.enterprise_id.in_([r.id for r in picked]))
            .order_by(Project.created_at, Project.id)
        )
    ).all():
        projects.setdefault(owner, []).append(project_id)
    return [_Subject(r.id, r.industry_division, projects.get(r.id, [])) for r in picked]


def _activities(division: str, size: Decimal) -> tuple[str, tuple[Activity, ...]]:
    """The model and activity data of an enterprise (our own assumptions, scaled by size)."""
    if division == "44":  # 电力、热力生产和供应业
        return "industrial.power", (
            Activity("fuel:柴油", (20 * size).quantize(Decimal("0.1")), "t"),
            Activity("electricity:purchased", (3000 * size).quantize(Decimal("1")), "MWh"),
            Activity("electricity:exported", (800 * size).quantize(Decimal("1")), "MWh"),
        )
    return "non_industrial", (
        Activity("fuel:天然气", (2 * size).quantize(Decimal("0.01")), "tenk_Nm3"),
        Activity("mobile:汽油", (10 * size).quantize(Decimal("0.1")), "t"),
        Activity("electricity:purchased", (800 * size).quantize(Decimal("1")), "MWh"),
    )


def _stored(
    rng: random.Random,
    request: CalculationRequest,
    year: int,
    enterprise_id: uuid.UUID,
    project_id: uuid.UUID | None = None,
) -> Row:
    result = calculate(request)
    start, end = REPORTED[year]
    return {
        "id": new_uuid(rng),
        "enterprise_id": enterprise_id,
        "project_id": project_id,
        "model": request.model,
        "factor_version": request.factor_version,
        "year": year,
        "request": request_to_json(request),
        "breakdown": result_to_json(result),
        "total": result.total,
        "unit": result.unit,
        "created_at": moment(rng, start, end),
        "created_by": SYSTEM_SUBJECT,
    }


def _calculation(rng: random.Random, subject: _Subject, year: int, size: Decimal) -> Row:
    model, activities = _activities(subject.division, size)
    request = CalculationRequest(
        model=model,
        activities=activities,
        factor_version=DEFAULT_VERSION,
        parameters={"grid": GRID[year]},
    )
    return _stored(rng, request, year, subject.id)


def _benefit(
    rng: random.Random, enterprise_id: uuid.UUID, project_id: uuid.UUID, year: int, size: Decimal
) -> Row:
    """A rooftop photovoltaic project's generation replacing grid power (the coefficients are
    low-confidence assumptions of the factor set, accepted here as the API's caller would)."""
    request = CalculationRequest(
        model="benefit.photovoltaic",
        activities=(Activity("generation", (1500 * size).quantize(Decimal("1")), "MWh"),),
        factor_version=DEFAULT_VERSION,
        parameters={"grid": GRID[year]},
        accept_low_confidence=("*",),
    )
    return _stored(rng, request, year, enterprise_id, project_id)


def _entry(
    rng: random.Random,
    enterprise_id: uuid.UUID,
    year: int,
    kind: LedgerKind,
    amount: Decimal,
    **fields: Any,
) -> Row:
    start, end = REPORTED[year]
    return {
        "id": new_uuid(rng),
        "enterprise_id": enterprise_id,
        "kind": kind,
        "year": year,
        "amount": amount,
        "calculation_id": None,
        "project_id": None,
        "credit_standard": None,
        "credit_serial": None,
        "reverses_id": None,
        "revenue_10k_cny": None,
        "output": None,
        "output_unit": None,
        "verifier": None,
        "note": None,
        "recorded_at": moment(rng, start, end),
        "recorded_by_role": Role.ADMIN,
        "recorded_by": SYSTEM_SUBJECT,
        **fields,
    }


def _consents(
    rng: random.Random, enterprise_id: uuid.UUID, banks: list[uuid.UUID], n: int, as_of: date
) -> list[Row]:
    scopes = [ConsentScope.CARBON_LEDGER.value, ConsentScope.FINANCING_DEMANDS.value]
    if n % 2 == 0:
        scopes.append(ConsentScope.CONTACT_DETAILS.value)
    granted = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) - timedelta(days=30)
    expires = granted + timedelta(days=395)
    return [
        entity_columns(new_uuid(rng), granted)
        | {
            "enterprise_id": enterprise_id,
            "institution_id": bank,
            "scopes": scopes,
            "expires_at": expires,
            "revoked_at": None,
        }
        for bank in rng.sample(banks, min(len(banks), 1 + n % 2))
    ]
