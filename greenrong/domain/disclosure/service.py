from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.kit import rules, service


class DisclosureMetric(StrEnum):
    """Structured metrics a disclosure may carry, with their units."""

    SCOPE1_TCO2E = "scope1_tco2e"  # 范围一排放, tCO2e
    SCOPE2_TCO2E = "scope2_tco2e"  # 范围二排放, tCO2e
    GREEN_LOAN_BALANCE_CNY = "green_loan_balance_cny"  # 绿色贷款余额, CNY
    CARBON_REDUCTION_TCO2E = "carbon_reduction_tco2e"  # 碳减排量, tCO2e
    ENERGY_CONSUMPTION_TCE = "energy_consumption_tce"  # 综合能耗, tce
    WATER_USE_T = "water_use_t"  # 用水量, t


async def validate_disclosure(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    rules.exactly_one(issues, values, "subject_enterprise_id", "subject_institution_id")
    await rules.reference(
        issues, session, values, "subject_enterprise_id", Enterprise, required=False
    )
    await rules.reference(
        issues, session, values, "subject_institution_id", FinancialInstitution, required=False
    )
    rules.text(issues, values, "title", max_length=300)
    rules.int_range(issues, values, "year", 2000, 2100)
    for key, value in (values.get("metrics") or {}).items():
        if key not in DisclosureMetric.__members__.values():
            issues.add("metrics", ErrorCode.UNKNOWN_REFERENCE, f"unknown metric {key!r}")
            continue
        try:
            Decimal(value)
        except (InvalidOperation, TypeError):
            issues.add("metrics", ErrorCode.INVALID_FORMAT, f"metric {key} is not a decimal number")
    issues.raise_if_any()


async def create_disclosure(session: AsyncSession, *, values: Mapping[str, Any]) -> Disclosure:
    return await service.create(session, Disclosure, values, validate=validate_disclosure)


async def update_disclosure(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> Disclosure:
    return await service.update(
        session,
        Disclosure,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_disclosure,
    )
