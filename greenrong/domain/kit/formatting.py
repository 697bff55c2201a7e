"""Money and rates as the platform writes them in Chinese text (match reasons, messages): one
formatter for every context, so ¥150,000,000 reads ¥1.5亿 wherever it appears, and a rate reads
4.35% (a rate difference 0.35 percentage points)."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["money", "percent", "points"]

_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)


def money(amount: Decimal) -> str:
    """CNY as the enterprise reads it: ¥5,000万, ¥1.5亿, ¥8,000, ¥0.01 (always exact)."""
    if amount >= _YI and amount % (_YI / 100) == 0:
        return f"¥{_plain(amount / _YI)}亿"
    if amount >= _WAN and amount % (_WAN / 100) == 0:
        return f"¥{_plain(amount / _WAN)}万"
    return f"¥{_plain(amount)}"


def _plain(value: Decimal) -> str:
    """Thousands separators, no trailing zeros: 5000 -> 5,000; 1.50 -> 1.5."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(rate: Decimal) -> str:
    """A rate fraction as a percentage with two decimals: 0.0435 -> 4.35%."""
    return f"{rate * 100:.2f}%"


def points(rate: Decimal) -> str:
    """A rate difference in percentage points, two decimals: 0.0035 -> 0.35."""
    return f"{rate * 100:.2f}"
