"""Exact integer splits by the largest-remainder (Hamilton) method.

Shared by the live statistics (``libraries.statistics``' share percentages) and the demo
generator (``seed.apportion``), so the live code never imports the demo generator.
"""

from __future__ import annotations

from collections.abc import Sequence


def largest_remainder(total: int, weights: Sequence[int], *, minimum: int = 0) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights``; the parts sum to ``total``.

    Every part first gets ``minimum``; the rest is split by quota ``rest * w / sum(w)``: each part
    takes the floor of its quota, and the units left over go to the largest fractional remainders
    (ties to the earlier index). A zero weight gets exactly ``minimum``.
    """
    if total < 0 or minimum < 0:
        raise ValueError("total and minimum must not be negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} out of {total}")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if rest == 0:
            return [minimum] * len(weights)
        raise ValueError("cannot split a positive total by weights that are all zero")
    parts: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        whole, remainder = divmod(rest * weight, weight_sum)
        parts.append(whole)
        remainders.append(remainder)
    left = rest - sum(parts)
    if left:
        order = sorted(range(len(weights)), key=lambda i: -remainders[i])
        for i in order[:left]:
            parts[i] += 1
    return [minimum + part for part in parts]
