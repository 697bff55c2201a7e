"""The names of the demand ↔ product eligibility rules (``finance_rules.py`` applies them)."""

from __future__ import annotations

from enum import StrEnum


class EligibilityRule(StrEnum):
    ACTIVE = "ACTIVE"
    KIND = "KIND"
    AMOUNT = "AMOUNT"
    TERM = "TERM"
    REGION = "REGION"
    GREEN_CATEGORY = "GREEN_CATEGORY"
    GREEN_LEVEL = "GREEN_LEVEL"
    COLLATERAL = "COLLATERAL"
    RATE = "RATE"
