"""Small, reusable input rules. Each adds an issue to a collector instead of raising at once."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.reference.catalog import regions


def text(issues: IssueCollector, values: Mapping[str, Any], key: str, *, max_length: int) -> None:
    value = values.get(key)
    if value is None or not str(value).strip():
        issues.add(key, ErrorCode.REQUIRED, "must not be empty")
    elif len(value) > max_length:
        issues.add(key, ErrorCode.OUT_OF_RANGE, f"is longer than {max_length} characters")


def region(issues: IssueCollector, values: Mapping[str, Any], key: str = "region_code") -> None:
    code = values.get(key)
    if code not in regions():
        issues.add(
            key, ErrorCode.UNKNOWN_REFERENCE, f"{code!r} is not a Sichuan GB/T 2260 region code"
        )


def regions_list(issues: IssueCollector, values: Mapping[str, Any], key: str) -> None:
    unknown = [c for c in values.get(key) or [] if c not in regions()]
    if unknown:
        issues.add(key, ErrorCode.UNKNOWN_REFERENCE, f"unknown GB/T 2260 region codes: {unknown}")


def money(
    issues: IssueCollector, values: Mapping[str, Any], key: str, *, required: bool = True
) -> None:
    """A CNY amount: not negative, at most 2 decimal places, below 10^16."""
    value = values.get(key)
    if value is None:
        if required:
            issues.add(key, ErrorCode.REQUIRED, "is required")
        return
    amount = Decimal(value)
    if amount < 0:
        issues.add(key, ErrorCode.OUT_OF_RANGE, "must not be negative")
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
        issues.add(key, ErrorCode.INVALID_FORMAT, "has more than 2 decimal places (fen)")
    elif amount >= Decimal("1e16"):
        issues.add(key, ErrorCode.OUT_OF_RANGE, "is too large")


def rate(
    issues: IssueCollector, values: Mapping[str, Any], key: str, *, required: bool = True
) -> None:
    """An annual rate as a fraction: 0 ≤ r < 1, at most 4 decimal places (0.0385 = 3.85 %)."""
    value = values.get(key)
    if value is None:
        if required:
            issues.add(key, ErrorCode.REQUIRED, "is required")
        return
    r = Decimal(value)
    if not Decimal(0) <= r < Decimal(1):
        issues.add(
            key,
            ErrorCode.OUT_OF_RANGE,
            "must be a fraction from 0 to below 1 (0.0385 = 3.85 %)",
        )
    elif r.as_tuple().exponent < -4:  # type: ignore[operator]
        issues.add(key, ErrorCode.INVALID_FORMAT, "has more than 4 decimal places")


def int_range(
    issues: IssueCollector, values: Mapping[str, Any], key: str, low: int, high: int
) -> None:
    value = values.get(key)
    if value is None:
        issues.add(key, ErrorCode.REQUIRED, "is required")
    elif not low <= value <= high:
        issues.add(key, ErrorCode.OUT_OF_RANGE, f"must be between {low} and {high}")


def ordered(issues: IssueCollector, values: Mapping[str, Any], low_key: str, high_key: str) -> None:
    low, high = values.get(low_key), values.get(high_key)
    if low is not None and high is not None and low > high:
        issues.add(high_key, ErrorCode.OUT_OF_RANGE, f"{high_key} must not be below {low_key}")


def exactly_one(issues: IssueCollector, values: Mapping[str, Any], *keys: str) -> None:
    if sum(values.get(k) is not None for k in keys) != 1:
        issues.add(keys[0], ErrorCode.INVALID, f"give exactly one of {', '.join(keys)}")


async def reference(
    issues: IssueCollector,
    session: Any,
    values: Mapping[str, Any],
    key: str,
    model: type[Any],
    *,
    required: bool = True,
) -> None:
    """``values[key]`` is the id of a ``model`` row the session's caller may see: a row hidden
    from the caller is refused exactly like a missing one (``access.guard.get_visible``)."""
    from greenrong.domain.access.guard import get_visible

    target = values.get(key)
    if target is None:
        if required:
            issues.add(key, ErrorCode.REQUIRED, "is required")
        return
    if await get_visible(session, model, target) is None:
        issues.add(key, ErrorCode.UNKNOWN_REFERENCE, f"{model.entity_type} {target} does not exist")
