from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import IssueCollector
from greenrong.domain.experts.models import Expert
from greenrong.domain.kit import rules, service


async def validate_expert(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    rules.text(issues, values, "name", max_length=100)
    rules.text(issues, values, "field", max_length=100)
    rules.text(issues, values, "affiliation", max_length=200)
    rules.region(issues, values)
    issues.raise_if_any()


async def create_expert(session: AsyncSession, *, values: Mapping[str, Any]) -> Expert:
    return await service.create(session, Expert, values, validate=validate_expert)


async def update_expert(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> Expert:
    return await service.update(
        session, Expert, id, expected_version=version, changes=changes, validate=validate_expert
    )
