"""The platform figures, kept up to date in the transactions that change the rows they count.

One row per (scope, figure, key): how many rows of a scope count towards a figure's key, and
the sum of their amounts. A scope is the base rows a group of roles sees (``scopes.py``); a
figure is one part of ``figures.PARTS`` (``received_year`` keyed by year, ``enterprise_category``
by category, ``listings`` with the empty key...). Keys with no rows have no row. Each scope also
has one ``built`` row whose key is the fingerprint of the rules it was built with
(``scopes.Scope.fingerprint``): a scope without it is not read (the figures are recomputed).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Base
from greenrong.domain.kit.types import ScaledDecimal


def FigureAmount() -> ScaledDecimal:  # noqa: N802 - reads as a type in column declarations
    """A sum of Money amounts: NUMERIC(30, 2) (a scaled BIGINT on SQLite)."""
    return ScaledDecimal(30, 2)


class PlatformFigure(Base):
    __tablename__ = "platform_figure"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    figure: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(FigureAmount())
