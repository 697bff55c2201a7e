"""Rules and writes for institutions, products and financing demands."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.access.guard import get_visible
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import (
    Collateral,
    DemandStatus,
    FinancialInstitution,
    FinancialProduct,
    FinancingDemand,
    ProductKind,
)
from greenrong.domain.kit import rules, service
from greenrong.domain.kit.types import utcnow
from greenrong.domain.projects.models import Project


async def validate_institution(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    rules.text(issues, values, "name", max_length=200)
    rules.region(issues, values)
    issues.raise_if_any()


async def validate_product(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    await rules.reference(issues, session, values, "institution_id", FinancialInstitution)
    rules.text(issues, values, "name", max_length=200)
    for key in ("min_amount", "max_amount"):
        rules.money(issues, values, key)
    for key in ("min_rate", "max_rate"):
        rules.rate(issues, values, key)
    rules.int_range(issues, values, "min_term_months", 1, 600)
    rules.int_range(issues, values, "max_term_months", 1, 600)
    rules.ordered(issues, values, "min_amount", "max_amount")
    rules.ordered(issues, values, "min_term_months", "max_term_months")
    rules.ordered(issues, values, "min_rate", "max_rate")
    rules.regions_list(issues, values, "eligible_region_codes")
    if not values.get("eligible_region_codes"):
        issues.add(
            "eligible_region_codes",
            ErrorCode.REQUIRED,
            "name at least one region (510000 = all of Sichuan)",
        )
    if not values.get("accepted_collateral"):
        issues.add(
            "accepted_collateral",
            ErrorCode.REQUIRED,
            f"name accepted collateral ({Collateral.NONE} when none is needed)",
        )
    issues.raise_if_any()


async def validate_demand(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    await rules.reference(issues, session, values, "enterprise_id", Enterprise)
    await rules.reference(issues, session, values, "project_id", Project, required=False)
    await rules.reference(issues, session, values, "product_id", FinancialProduct, required=False)
    if values.get("project_id") is not None and values.get("enterprise_id") is not None:
        # a project the caller cannot see was refused like a missing one (rules.reference)
        project = await get_visible(session, Project, values["project_id"])
        if project is not None and project.enterprise_id != values["enterprise_id"]:
            issues.add("project_id", ErrorCode.INVALID, "the project belongs to another enterprise")
    rules.money(issues, values, "amount")
    if values.get("amount") is not None and values["amount"] <= 0:
        issues.add("amount", ErrorCode.OUT_OF_RANGE, "amount must be positive")
    rules.int_range(issues, values, "term_months", 1, 600)
    rules.text(issues, values, "purpose", max_length=2000)
    rules.rate(issues, values, "max_rate", required=False)
    unknown_kinds = sorted(
        {str(k) for k in values.get("accepted_product_kinds") or []} - set(ProductKind)
    )
    if unknown_kinds:
        issues.add(
            "accepted_product_kinds", ErrorCode.INVALID, f"unknown product kinds: {unknown_kinds}"
        )
    rules.money(issues, values, "financed_amount", required=False)
    financed_amount = values.get("financed_amount")
    amount = values.get("amount")
    if financed_amount is not None and amount is not None and financed_amount > amount:
        issues.add("financed_amount", ErrorCode.OUT_OF_RANGE, "financedAmount exceeds amount")
    financed = financed_amount is not None and values.get("financed_at") is not None
    if values.get("status") == DemandStatus.FINANCED and not financed:
        issues.add(
            "financed_amount",
            ErrorCode.REQUIRED,
            "a financed demand needs financedAmount and financedAt",
        )
    issues.raise_if_any()


async def create_institution(
    session: AsyncSession, *, values: Mapping[str, Any]
) -> FinancialInstitution:
    return await service.create(
        session, FinancialInstitution, values, validate=validate_institution
    )


async def update_institution(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> FinancialInstitution:
    return await service.update(
        session,
        FinancialInstitution,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_institution,
    )


async def create_product(session: AsyncSession, *, values: Mapping[str, Any]) -> FinancialProduct:
    return await service.create(session, FinancialProduct, values, validate=validate_product)


async def update_product(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> FinancialProduct:
    return await service.update(
        session,
        FinancialProduct,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_product,
    )


async def create_demand(session: AsyncSession, *, values: Mapping[str, Any]) -> FinancingDemand:
    values = {**values, "submitted_at": values.get("submitted_at") or utcnow()}
    return await service.create(session, FinancingDemand, values, validate=validate_demand)


async def update_demand(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> FinancingDemand:
    return await service.update(
        session,
        FinancingDemand,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_demand,
    )
