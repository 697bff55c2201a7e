"""Data consent (经企业授权): an enterprise grants one institution scopes of its data, until a
time, and may revoke it. Both are ordinary entity writes: checked by the access policy (only
the enterprise itself, or an admin), audited, and recorded as change events.

Whether consent is valid is decided by SQL at the moment of each read
(``predicates.consenting_enterprises``), so a revocation counts from the next statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.predicates import consenting_enterprises
from greenrong.domain.access.principal import Principal
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancialInstitution
from greenrong.domain.kit import rules
from greenrong.domain.kit import service as kit
from greenrong.domain.kit.types import utcnow


async def validate_consent(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    await rules.reference(issues, session, values, "enterprise_id", Enterprise)
    await rules.reference(issues, session, values, "institution_id", FinancialInstitution)
    scopes = values.get("scopes") or []
    if not scopes:
        issues.add("scopes", ErrorCode.REQUIRED, "grant at least one scope")
    elif any(s not in ConsentScope.__members__ for s in scopes) or len(set(scopes)) != len(scopes):
        issues.add("scopes", ErrorCode.INVALID, "scopes must be distinct ConsentScope values")
    expires_at = values.get("expires_at")
    if expires_at is None:
        issues.add("expires_at", ErrorCode.REQUIRED, "is required")
    elif expires_at.tzinfo is None:
        issues.add("expires_at", ErrorCode.INVALID_FORMAT, "needs a time zone")
    elif values.get("revoked_at") is None and expires_at <= utcnow():
        issues.add("expires_at", ErrorCode.OUT_OF_RANGE, "must be in the future")
    issues.raise_if_any()


async def grant_consent(session: AsyncSession, *, values: Mapping[str, Any]) -> DataConsent:
    """A new consent: ``enterprise_id``, ``institution_id``, ``scopes``, ``expires_at``."""
    return await kit.create(session, DataConsent, values, validate=validate_consent)


async def revoke_consent(session: AsyncSession, *, id: uuid.UUID, version: int) -> DataConsent:
    """Revoke a consent now; revoking a revoked consent keeps the first revocation time."""
    row = await kit.get_or_raise(session, DataConsent, id)
    changes = {} if row.revoked_at is not None else {"revoked_at": utcnow()}
    return await kit.update(
        session,
        DataConsent,
        id,
        expected_version=version,
        changes=changes,
        validate=validate_consent,
    )


async def valid_consents(
    session: AsyncSession,
    principal: Principal,
    needed: Collection[tuple[uuid.UUID, ConsentScope]],
) -> frozenset[tuple[uuid.UUID, ConsentScope]]:
    """Which of the ``needed`` (enterprise, scope) consents to the calling institution are valid
    now: one statement per scope, read at each call (a revocation counts at once)."""
    if principal.org_id is None or not needed:
        return frozenset()
    now = utcnow()
    valid: set[tuple[uuid.UUID, ConsentScope]] = set()
    for scope in {s for _, s in needed}:
        granted = set(
            (await session.scalars(consenting_enterprises(principal.org_id, scope, now))).all()
        )
        valid |= {(e, s) for e, s in needed if s is scope and e in granted}
    return frozenset(valid)
