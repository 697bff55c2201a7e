"""Who may record into and read an enterprise's carbon account: the one place for it.

- Recording needs the enterprise's own grant: its carbon account must be open (opened by the
  enterprise itself), and the caller must be the enterprise itself, an admin, or trusted code
  outside a request (CLI, workers).
- Reading: the enterprise itself, an admin or trusted code; a financial institution only under a
  valid ``CARBON_LEDGER`` consent (``access.predicates.consenting_enterprises``, read at the
  moment of each call, so a revocation stops reading at once). Nobody else, regulators included:
  the account shares nothing without the enterprise's consent.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ConsentRequired, Forbidden
from greenrong.domain.access.guard import principal_of
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.carbon import repository
from greenrong.domain.carbon.models import CarbonAccount


def caller(session: AsyncSession) -> Principal:
    """The principal bound to the session (``SYSTEM`` for trusted code: CLI, workers);
    ``guard.NoPrincipal`` when none is bound."""
    return principal_of(session)


def who(session: AsyncSession) -> tuple[Role, str]:
    """The role and name recorded with a write (``system`` for trusted code)."""
    p = caller(session)
    return p.role, p.subject or str(p.key_id or p.org_id or p.role)


def _acts_for(p: Principal, enterprise_id: uuid.UUID) -> bool:
    return p.role == Role.ADMIN or (p.role == Role.ENTERPRISE and p.org_id == enterprise_id)


def authorize_open(session: AsyncSession, enterprise_id: uuid.UUID) -> None:
    if not _acts_for(caller(session), enterprise_id):
        raise Forbidden("only the enterprise itself opens or closes its carbon account")


async def authorize_record(session: AsyncSession, enterprise_id: uuid.UUID) -> CarbonAccount:
    """The open account to record into, or ``Forbidden`` / ``ConsentRequired``."""
    if not _acts_for(caller(session), enterprise_id):
        raise Forbidden(
            "only the enterprise itself (or the platform) records into its carbon account"
        )
    account = await repository.account_of(session, enterprise_id)
    if account is None or account.closed_at is not None:
        raise ConsentRequired(
            f"enterprise {enterprise_id} has no open carbon account: nothing is recorded "
            "without its grant (经企业授权)"
        )
    return account


async def may_read(session: AsyncSession, enterprise_id: uuid.UUID) -> bool:
    """Whether the caller may read the enterprise's ledger (``authorize_read`` would pass): a
    write on a ledger row the caller cannot read answers like a missing row."""
    try:
        await authorize_read(session, enterprise_id)
    except (Forbidden, ConsentRequired):
        return False
    return True


async def authorize_read(session: AsyncSession, enterprise_id: uuid.UUID) -> None:
    p = caller(session)
    if _acts_for(p, enterprise_id):
        return
    if p.role == Role.INSTITUTION and p.org_id is not None:
        if await repository.ledger_consent_granted(session, p.org_id, enterprise_id):
            return
        raise ConsentRequired(
            f"enterprise {enterprise_id} has not granted you CARBON_LEDGER consent"
        )
    raise Forbidden("the carbon account is shared only with the enterprise's consent")
