from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import IssueCollector
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.kit import rules, service
from greenrong.domain.technology.models import TechnologyListing, TechnologyNeed


async def validate_listing(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    rules.exactly_one(issues, values, "owner_enterprise_id", "owner_institution_id")
    await rules.reference(
        issues, session, values, "owner_enterprise_id", Enterprise, required=False
    )
    await rules.reference(
        issues, session, values, "owner_institution_id", FinancialInstitution, required=False
    )
    rules.text(issues, values, "title", max_length=200)
    rules.int_range(issues, values, "maturity", 1, 9)
    rules.money(issues, values, "asking_price", required=False)
    rules.region(issues, values)
    issues.raise_if_any()


async def validate_need(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    await rules.reference(issues, session, values, "enterprise_id", Enterprise)
    rules.text(issues, values, "title", max_length=200)
    rules.money(issues, values, "budget", required=False)
    if values.get("min_maturity") is not None:
        rules.int_range(issues, values, "min_maturity", 1, 9)
    rules.region(issues, values)
    issues.raise_if_any()


async def create_listing(session: AsyncSession, *, values: Mapping[str, Any]) -> TechnologyListing:
    return await service.create(session, TechnologyListing, values, validate=validate_listing)


async def update_listing(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> TechnologyListing:
    return await service.update(
        session,
        TechnologyListing,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_listing,
    )


async def create_need(session: AsyncSession, *, values: Mapping[str, Any]) -> TechnologyNeed:
    return await service.create(session, TechnologyNeed, values, validate=validate_need)


async def update_need(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> TechnologyNeed:
    return await service.update(
        session,
        TechnologyNeed,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_need,
    )
