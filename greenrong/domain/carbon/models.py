"""Stored calculations and the enterprise carbon account (碳账户).

``carbon_calculation`` and ``carbon_ledger_entry`` are append-only: rows are inserted, never
updated or deleted (triggers enforce it on both databases). A correction is a new ledger entry
that reverses an earlier one (``reverses_id``, unique: an entry is reversed at most once).
A credit serial number is retired once only: ``(credit_standard, credit_serial)`` is unique.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.access.principal import Role
from greenrong.domain.kit.models import Base, enum_column
from greenrong.domain.kit.types import ScaledDecimal, utcnow


def Tonnes() -> ScaledDecimal:  # noqa: N802 - reads as a type in column declarations
    """tCO2e to the kilogram, ``NUMERIC(20, 3)`` (the engine's result quantum)."""
    return ScaledDecimal(20, 3)


class LedgerKind(StrEnum):
    EMISSION = "EMISSION"  # an emission report for a year, from a stored calculation
    REDUCTION = "REDUCTION"  # a project's emission reduction
    OFFSET = "OFFSET"  # neutralisation by a retired CCER or forestry-sink credit
    VERIFICATION = "VERIFICATION"  # a third-party verification mark for a year


class CreditStandard(StrEnum):
    CCER = "CCER"  # 国家核证自愿减排量
    FORESTRY = "FORESTRY"  # 林业碳汇 (e.g. a provincial forestry-sink scheme)


class CarbonCalculation(Base):
    """One calculation as it ran: inputs, factor version, breakdown and result."""

    __tablename__ = "carbon_calculation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), index=True)
    model: Mapped[str] = mapped_column(String(80))
    factor_version: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    #: the CalculationRequest as JSON (activities, parameters, measured factors, acceptances)
    request: Mapped[dict[str, Any]] = mapped_column()
    #: the Result as JSON (every line with its factors, sections, rounding, notes)
    breakdown: Mapped[dict[str, Any]] = mapped_column()
    total: Mapped[Decimal] = mapped_column(Tonnes())
    unit: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))


class CarbonAccount(Base):
    """An enterprise's carbon account: opened by the enterprise itself (经企业授权); nothing is
    recorded for an enterprise without one, nor after it is closed."""

    __tablename__ = "carbon_account"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column()


class CarbonLedgerEntry(Base):
    """One append-only entry of an enterprise's carbon account. ``amount`` is in tCO2e and
    positive for an original entry; a reversing entry carries the negated amount."""

    __tablename__ = "carbon_ledger_entry"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind, "ledger_kind"))
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Tonnes())
    calculation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("carbon_calculation.id"))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"))
    credit_standard: Mapped[CreditStandard | None] = mapped_column(
        enum_column(CreditStandard, "credit_standard")
    )
    credit_serial: Mapped[str | None] = mapped_column(String(100))
    #: the entry this one reverses (a correction); an entry is reversed at most once
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("carbon_ledger_entry.id"), unique=True
    )
    #: intensity bases reported with an emission entry: revenue in 万元 and output
    revenue_10k_cny: Mapped[Decimal | None] = mapped_column(ScaledDecimal(20, 2))
    output: Mapped[Decimal | None] = mapped_column(Tonnes())
    output_unit: Mapped[str | None] = mapped_column(String(20))
    verifier: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    recorded_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("credit_standard", "credit_serial"),
        Index("ix_carbon_ledger_entry_account", "enterprise_id", "year", "recorded_at"),
    )


class DisclosureMetricSource(Base):
    """Where one structured metric of a disclosure came from: one line of a stored calculation.

    A metric filled from calculations has one row per contributing line; the metric's value is
    the sum of their ``value``. Filling the metric again replaces its rows (the disclosure is an
    editable, versioned record; the calculations it points at are append-only)."""

    __tablename__ = "disclosure_metric_source"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    disclosure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disclosure.id"), index=True)
    #: a ``DisclosureMetric`` value
    metric: Mapped[str] = mapped_column(String(40))
    calculation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("carbon_calculation.id"), index=True
    )
    #: the line's position in the calculation's stored breakdown (0-based)
    line_index: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(Tonnes())
    unit: Mapped[str] = mapped_column(String(20))
    factor_version: Mapped[str] = mapped_column(String(20))
    #: the keys of the factors the line used, in its order
    factor_keys: Mapped[list[str]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("disclosure_id", "metric", "calculation_id", "line_index"),)


class CarbonRecalcRun(Base):
    """One ``greenrong carbon recalc`` run: which factor set, how many calculations."""

    __tablename__ = "carbon_recalc_run"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    factor_version: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CarbonRecalcResult(Base):
    """One stored calculation re-run within a recalc run (written by the ``carbon.recalculate``
    handler; a second delivery of the same chunk finds its rows and skips them)."""

    __tablename__ = "carbon_recalc_result"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("carbon_recalc_run.id"))
    calculation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("carbon_calculation.id"))
    model: Mapped[str] = mapped_column(String(80))
    year: Mapped[int] = mapped_column(Integer)
    old_version: Mapped[str] = mapped_column(String(20))
    old_total: Mapped[Decimal] = mapped_column(Tonnes())
    #: None when the calculation cannot run against the run's factor set (``error`` says why)
    new_total: Mapped[Decimal | None] = mapped_column(Tonnes())
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("run_id", "calculation_id"),)
