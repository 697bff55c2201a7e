"""Unique, valid 统一社会信用代码 for demo enterprises (GB 32100-2015).

Layout: ``91`` (registered by 市场监管, an enterprise) + the enterprise's six-digit region code +
a nine-character organisation code (GB 11714: eight characters and its own check character) +
the GB 32100 check character from ``credit_code.complete``.
"""

from __future__ import annotations

import random

from greenrong.domain.enterprises.credit_code import CHARSET, complete

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS = "0123456789"
_MAX_TRIES = 1000


def organisation_check(first8: str) -> str:
    """GB 11714 check character: 11 - Σ value·weight mod 11, with 10 -> X and 11 -> 0."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


class CreditCodes:
    """Hands out codes that are valid and never repeat within one instance."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, rng: random.Random, region_code: str) -> str:
        for _ in range(_MAX_TRIES):
            if rng.random() < 0.6:  # codes issued since 2015 start with MA
                body = "MA6" + "".join(rng.choices(CHARSET, k=5))
            else:
                body = "".join(rng.choices(_DIGITS, k=8))
            code = complete("91" + region_code + body + organisation_check(body))
            if code not in self._taken:
                self._taken.add(code)
                return code
        raise RuntimeError(f"ran out of unique credit codes for region {region_code}")
