"""Identification requests and the review of suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.reference.catalog import regions

#: the longest description the engine reads
MAX_TEXT = 5000


@dataclass(frozen=True)
class IdentifyRequest:
    text: str
    amount: Decimal | None = None
    region_code: str | None = None


def validate_request(request: IdentifyRequest) -> IdentifyRequest:
    """Raise ``ValidationFailed`` naming every bad field; the request with its text trimmed."""
    issues = IssueCollector()
    text = request.text.strip()
    if not text:
        issues.add("text", ErrorCode.REQUIRED, "describe the project")
    elif len(text) > MAX_TEXT:
        issues.add("text", ErrorCode.OUT_OF_RANGE, f"at most {MAX_TEXT} characters")
    if request.amount is not None and request.amount < 0:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "must not be negative")
    if request.region_code is not None and request.region_code not in regions():
        issues.add("region_code", ErrorCode.UNKNOWN_REFERENCE, "not a Sichuan GB/T 2260 code")
    issues.raise_if_any()
    return IdentifyRequest(text=text, amount=request.amount, region_code=request.region_code)
