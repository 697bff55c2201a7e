from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector, ValidationFailed
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


#: ``libraries`` mirrors the project's open library memberships (``libraries.service`` keeps it
#: in sync): it is never written directly
_LIBRARIES_FOLLOW = (
    "libraries follow the project's library memberships: use admitToLibrary, "
    "endLibraryMembership or the cultivation workflow"
)


async def create_project(session: AsyncSession, *, values: Mapping[str, Any]) -> Project:
    async def validate(s: AsyncSession, checked: Mapping[str, Any]) -> None:
        await validate_project(s, checked)
        if checked.get("libraries"):
            raise ValidationFailed.one("libraries", ErrorCode.INVALID, _LIBRARIES_FOLLOW)

    return await service.create(session, Project, values, validate=validate)


async def update_project(
    session: AsyncSession, *, id: uuid.UUID, version: int, changes: Mapping[str, Any]
) -> Project:
    async def validate(s: AsyncSession, checked: Mapping[str, Any]) -> None:
        await validate_project(s, checked)
        row = await s.get(Project, id)  # loaded already; the changes are not applied yet
        current = list(row.libraries or []) if row is not None else []
        if "libraries" in changes and list(changes["libraries"] or []) != current:
            raise ValidationFailed.one("libraries", ErrorCode.INVALID, _LIBRARIES_FOLLOW)

    return await service.update(
        session, Project, id, expected_version=version, changes=changes, validate=validate
    )
