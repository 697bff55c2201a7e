"""Exact splits of money and scaled counts for the demo (``largest_remainder`` is in ``kit``).

Everything here is integer or ``Decimal`` arithmetic, so a split always adds up to its total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from greenrong.domain.kit.apportion import largest_remainder

FEN = Decimal("0.01")


def split_money(
    total: Decimal, weights: Sequence[int], *, unit: Decimal = FEN, minimum_units: int = 0
) -> list[Decimal]:
    """Split a CNY amount into parts proportional to ``weights`` that sum to it exactly.

    Parts are whole multiples of ``unit`` (e.g. ``Decimal("10000")`` for round 万元 amounts), each
    at least ``minimum_units`` units. When ``total`` is not a multiple of ``unit``, the odd fen go
    to the part with the largest weight, so the sum is still exact to the fen.
    """
    if total != total.quantize(FEN):
        raise ValueError(f"{total} is not a whole number of fen")
    if unit <= 0 or unit != unit.quantize(FEN):
        raise ValueError(f"unit {unit} must be a positive whole number of fen")
    units, odd = divmod(total, unit)
    parts = [unit * n for n in largest_remainder(int(units), weights, minimum=minimum_units)]
    if odd:
        largest = max(range(len(weights)), key=lambda i: weights[i])
        parts[largest] += odd
    return [part.quantize(FEN) for part in parts]


def scaled_count(base: int, scale: float, *, minimum: int = 0) -> int:
    """``base × scale`` rounded half up (exact in decimal), and at least ``minimum``."""
    value = (Decimal(base) * _decimal(scale)).to_integral_value(rounding=ROUND_HALF_UP)
    return max(minimum, int(value))


def scaled_money(base: Decimal, scale: float) -> Decimal:
    """``base × scale`` rounded half up to the fen (exact in decimal)."""
    return (base * _decimal(scale)).quantize(FEN, rounding=ROUND_HALF_UP)


def _decimal(scale: float) -> Decimal:
    # str() gives the shortest repr, so 0.1 is Decimal("0.1"), not the binary float's expansion
    value = Decimal(str(scale))
    if value <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return value
