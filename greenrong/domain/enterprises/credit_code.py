"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character set (digits and capitals without I, O, Z, S, V); the 18th is a
check character: C18 = charset[(31 - Σ value(Ci)·Wi mod 31) mod 31], Wi = 3^(i-1) mod 31.
Source: ../shared/reference/uscc_gb32100.json (verified by computation against its test vectors).
"""

from __future__ import annotations

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUES = {c: i for i, c in enumerate(CHARSET)}
_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"统一社会信用代码必须是18位 (got {len(code)} characters)"
    if not _PATTERN.match(code):
        return "统一社会信用代码含有非法字符 (allowed: digits and capitals except I, O, Z, S, V)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"统一社会信用代码校验位错误: the check character should be {expected}, not {code[17]}"
        )
    return None


def complete(first17: str) -> str:
    """Append the check character (used by the demo-data generator and tests)."""
    return first17 + check_character(first17)
