"""The carbon context's SQL."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.predicates import consenting_enterprises
from greenrong.domain.carbon.models import (
    CarbonAccount,
    CarbonCalculation,
    CarbonLedgerEntry,
    CarbonRecalcResult,
    CreditStandard,
    DisclosureMetricSource,
    LedgerKind,
)
from greenrong.domain.kit.types import utcnow

E = CarbonLedgerEntry
R = CarbonRecalcResult


async def ledger_consent_granted(
    session: AsyncSession, institution_id: uuid.UUID, enterprise_id: uuid.UUID
) -> bool:
    """Whether the enterprise's CARBON_LEDGER consent to the institution is valid now (read in
    every call, so a revocation counts at once)."""
    consenting = consenting_enterprises(institution_id, ConsentScope.CARBON_LEDGER, utcnow())
    found = await session.scalar(
        consenting.where(DataConsent.enterprise_id == enterprise_id).limit(1)
    )
    return found is not None


async def account_of(session: AsyncSession, enterprise_id: uuid.UUID) -> CarbonAccount | None:
    q = select(CarbonAccount).where(CarbonAccount.enterprise_id == enterprise_id)
    return (await session.execute(q)).scalar_one_or_none()


async def entries_of(session: AsyncSession, enterprise_id: uuid.UUID) -> list[CarbonLedgerEntry]:
    """The account's entries in the order they were recorded."""
    rows = await session.scalars(
        select(E).where(E.enterprise_id == enterprise_id).order_by(E.recorded_at, E.id)
    )
    return list(rows)


async def serial_retired(session: AsyncSession, standard: CreditStandard, serial: str) -> bool:
    found = await session.scalar(
        select(E.id).where(E.credit_standard == standard, E.credit_serial == serial).limit(1)
    )
    return found is not None


async def reversal_of(session: AsyncSession, entry_id: uuid.UUID) -> CarbonLedgerEntry | None:
    return (await session.execute(select(E).where(E.reverses_id == entry_id))).scalar_one_or_none()


async def live_emission_for(
    session: AsyncSession, calculation_id: uuid.UUID
) -> CarbonLedgerEntry | None:
    """An emission entry recorded from this calculation and not reversed."""
    reversed_ids = select(E.reverses_id).where(E.reverses_id.is_not(None))
    q = select(E).where(
        E.kind == LedgerKind.EMISSION,
        E.calculation_id == calculation_id,
        E.reverses_id.is_(None),
        E.id.not_in(reversed_ids),
    )
    return (await session.execute(q.limit(1))).scalar_one_or_none()


S = DisclosureMetricSource


async def replace_metric_sources(
    session: AsyncSession,
    disclosure_id: uuid.UUID,
    by_metric: Mapping[str, Sequence[DisclosureMetricSource]],
) -> None:
    """The metrics' links become ``by_metric``'s rows (other metrics' links stay)."""
    await session.execute(
        delete(S).where(S.disclosure_id == disclosure_id, S.metric.in_(list(by_metric)))
    )
    session.add_all([row for rows in by_metric.values() for row in rows])
    await session.flush()


async def metric_sources_of(
    session: AsyncSession, disclosure_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DisclosureMetricSource]]:
    """Per disclosure: its links, by metric, calculation and line (one statement)."""
    rows = await session.scalars(
        select(S)
        .where(S.disclosure_id.in_(list(disclosure_ids)))
        .order_by(S.disclosure_id, S.metric, S.calculation_id, S.line_index)
    )
    out: dict[uuid.UUID, list[DisclosureMetricSource]] = {i: [] for i in disclosure_ids}
    for row in rows:
        out[row.disclosure_id].append(row)
    return out


async def calculations_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[CarbonCalculation]:
    """The calculations in the order of ``ids`` (one statement)."""
    if not ids:
        return []
    rows = {
        c.id: c
        for c in await session.scalars(
            select(CarbonCalculation).where(CarbonCalculation.id.in_(list(ids)))
        )
    }
    return [rows[i] for i in ids if i in rows]


async def calculation_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Every stored calculation's id, oldest first."""
    rows = await session.scalars(
        select(CarbonCalculation.id).order_by(CarbonCalculation.created_at, CarbonCalculation.id)
    )
    return list(rows)


async def recalculated(
    session: AsyncSession, run_id: uuid.UUID, calculation_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of those calculations already have a result in the run."""
    rows = await session.scalars(
        select(R.calculation_id).where(
            R.run_id == run_id, R.calculation_id.in_(list(calculation_ids))
        )
    )
    return set(rows)


async def recalc_result_count(session: AsyncSession, run_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(CarbonRecalcResult)
        .where(CarbonRecalcResult.run_id == run_id)
    )
    return int(count or 0)


async def recalc_changes(session: AsyncSession, run_id: uuid.UUID) -> list[CarbonRecalcResult]:
    """The run's results that differ from the stored total or could not be computed, by year."""
    rows = await session.scalars(
        select(R)
        .where(R.run_id == run_id)
        .where((R.new_total.is_(None)) | (R.new_total != R.old_total))
        .order_by(R.year, R.calculation_id)
    )
    return list(rows)
