"""Column types that behave the same on PostgreSQL and SQLite.

- ``Money`` / ``Rate``: exact ``Decimal``. PostgreSQL stores ``NUMERIC(p, s)``; SQLite, which has
  no exact decimal, stores a scaled integer (fen for money), so sums and comparisons stay exact.
- ``UTCDateTime``: always timezone-aware UTC in Python, whatever the database returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

from greenrong.domain.kit.clock import CLOCK


class ScaledDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` with a fixed scale: NUMERIC on PostgreSQL, scaled BIGINT on SQLite."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._factor = Decimal(10) ** scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        quantized = Decimal(value).quantize(self._quantum, rounding=ROUND_HALF_EVEN)
        if dialect.name == "sqlite":
            return int(quantized * self._factor)
        return quantized

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self._factor).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def Money() -> ScaledDecimal:  # noqa: N802 - reads as a type in column declarations
    """CNY amount, ``NUMERIC(18, 2)``."""
    return ScaledDecimal(18, 2)


def Rate() -> ScaledDecimal:  # noqa: N802
    """Annual rate as a fraction (0.0385 = 3.85 %), ``NUMERIC(6, 4)``."""
    return ScaledDecimal(6, 4)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases; naive input is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stamp: datetime = value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


def utcnow() -> datetime:
    """The current instant by the process clock (``kit.clock.CLOCK``), tz-aware UTC."""
    return CLOCK.now()
