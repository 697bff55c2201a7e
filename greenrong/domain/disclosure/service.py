from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.disclosure.models import Disclosure, DisclosureMetric
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.kit import rules, service


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
        if key not in set(DisclosureMetric):
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
