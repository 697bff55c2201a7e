"""Enterprise rules and writes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.enterprises.credit_code import credit_code_problem
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.repository import credit_code_taken
from greenrong.domain.kit import rules, service
from greenrong.domain.matching.leads import refresh_leads
from greenrong.domain.reference.catalog import industry_sections
from greenrong.domain.reference.vocab import GreenLevel


async def validate_enterprise(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    rules.text(issues, values, "name", max_length=200)
    rules.region(issues, values)
    code = values.get("credit_code") or ""
    problem = credit_code_problem(code)
    if problem:
        issues.add(
            "credit_code",
            ErrorCode.INVALID_CHECKSUM if len(code) == 18 else ErrorCode.INVALID_FORMAT,
            problem,
        )
    elif await credit_code_taken(session, code, except_id=values.get("id")):
        issues.add(
            "credit_code", ErrorCode.DUPLICATE, f"统一社会信用代码 {code} is already registered"
        )
    section = industry_sections().get(values.get("industry_section") or "")
    if section is None:
        issues.add(
            "industry_section", ErrorCode.UNKNOWN_REFERENCE, "not a GB/T 4754-2017 section (A–T)"
        )
    elif values.get("industry_division") not in section.divisions:
        issues.add(
            "industry_division",
            ErrorCode.UNKNOWN_REFERENCE,
            f"division {values.get('industry_division')!r} is not in section "
            f"{section.code} ({section.name})",
        )
    level = values.get("green_level") or GreenLevel.NONE
    if level != GreenLevel.NONE and values.get("green_level_valid_until") is None:
        issues.add(
            "green_level_valid_until", ErrorCode.REQUIRED, "a green level needs a validity date"
        )
    issues.raise_if_any()


async def create_enterprise(session: AsyncSession, *, values: Mapping[str, Any]) -> Enterprise:
    row = await service.create(session, Enterprise, values, validate=validate_enterprise)
    await refresh_leads(session, [row.id])  # its industry may make it a technology lead
    return row


async def update_enterprise(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> Enterprise:
    row = await service.update(
        session,
        Enterprise,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_enterprise,
    )
    if {"industry_division", "region_code"} & set(changes):
        await refresh_leads(session, [row.id])
    return row
