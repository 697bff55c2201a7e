"""The write path's two access hooks: who is writing (bound to the session), whether they may,
and the audit entry every write leaves.

The GraphQL edge (``resolvers.common.mutate``) binds the caller to its write session with
``bind_actor``. ``kit.service.create``/``update`` call ``check_write``, and
``outbox.service.record_change`` (which every write calls) calls ``audit``, so every mutation,
including ones added later, is checked and audited in the same transaction as its change.
A session without a bound actor belongs to code outside a request (the CLI, workers, tests'
factories): it is trusted, and audited as the ``system`` subject.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access import policy
from greenrong.domain.access.models import AuditEntry
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.models import Operation

_ACTOR = "greenrong.actor"
#: set while the writes of an allowed party action run (see ``as_party``)
_PARTY = "greenrong.party"
SYSTEM_SUBJECT = "system"


@dataclass(frozen=True)
class Actor:
    principal: Principal
    request_id: str | None = None


def bind_actor(session: AsyncSession, principal: Principal, request_id: str | None) -> None:
    session.info[_ACTOR] = Actor(principal, request_id)


def actor_of(session: AsyncSession) -> Actor | None:
    actor = session.info.get(_ACTOR)
    return actor if isinstance(actor, Actor) else None


def check_party(
    session: AsyncSession,
    entity_type: str,
    parties: Mapping[Role, Collection[uuid.UUID | None]],
) -> None:
    """Raise ``Forbidden`` unless the session's caller is a party of this match or deal."""
    actor = actor_of(session)
    if actor is not None:
        policy.authorize_party(actor.principal, entity_type, parties)


@contextmanager
def as_party(session: AsyncSession) -> Iterator[None]:
    """The writes of an action ``check_party`` allowed: a party's match also moves the demand
    (which an institution does not own), so the owner check is the party check here. The
    writes are audited under the caller as usual."""
    session.info[_PARTY] = True
    try:
        yield
    finally:
        session.info.pop(_PARTY, None)


def check_write(
    session: AsyncSession,
    entity_type: str,
    operation: Operation,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> None:
    """Raise ``Forbidden`` unless the session's caller may make this change."""
    actor = actor_of(session)
    if actor is not None and not session.info.get(_PARTY):
        policy.authorize_write(actor.principal, entity_type, operation, before=before, after=after)


def audit(session: AsyncSession, row: Entity, operation: Operation) -> AuditEntry:
    """Add the audit entry of one write (after the flush that gave ``row`` its version)."""
    actor = actor_of(session)
    principal = actor.principal if actor is not None else None
    entry = AuditEntry(
        actor_role=Role.ADMIN if principal is None else principal.role,
        actor_key_id=None if principal is None else principal.key_id,
        actor_subject=SYSTEM_SUBJECT if principal is None else principal.subject,
        actor_org_id=None if principal is None else principal.org_id,
        entity_type=row.entity_type,
        entity_id=row.id,
        operation=operation,
        old_version=None if operation == Operation.CREATE else row.version - 1,
        new_version=row.version,
        request_id=None if actor is None else actor.request_id,
    )
    session.add(entry)
    return entry
