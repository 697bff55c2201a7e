from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import IssueCollector
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit import rules, service
from greenrong.domain.projects.models import Project


async def validate_project(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    await rules.reference(issues, session, values, "enterprise_id", Enterprise)
    rules.text(issues, values, "title", max_length=200)
    rules.money(issues, values, "total_investment")
    rules.region(issues, values)
    issues.raise_if_any()


async def create_project(session: AsyncSession, *, values: Mapping[str, Any]) -> Project:
    return await service.create(session, Project, values, validate=validate_project)


async def update_project(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> Project:
    return await service.update(
        session, Project, id, expected_version=version, changes=changes, validate=validate_project
    )
