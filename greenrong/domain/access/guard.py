"""The write path's access hooks: who is writing (bound to the session), which rows they may
act on, whether they may make the change, and the audit entry every write leaves.

The one GraphQL write edge (``resolvers.common.mutate``) binds the caller to its write session
with ``bind_actor``. Code that writes outside a request (the CLI, workers, the demo seed, tests'
factories) binds the named system principal with ``bind_system``. There is no third case: a
write session without a principal raises ``NoPrincipal`` (``principal_of``), so a new write
path that forgets to bind one fails instead of running unchecked.

``kit.service.get_or_raise`` loads the rows a write acts on through ``visible_or_raise``: a row
the caller may not see (``policy.visible_rows``) answers exactly like a missing one, before
anything reads its state or version. ``kit.service.create``/``update`` call ``check_write``, and
``outbox.service.record_change`` (which every write calls) calls ``audit``, so every mutation,
including ones added later, is checked and audited in the same transaction as its change.

Every process that writes imports this module, so it also installs the session listener that
keeps the platform figures with the rows they count (``statistics/upkeep.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from greenrong.core.errors import NotFound
from greenrong.domain.access import policy, repository
from greenrong.domain.access.models import AuditEntry
from greenrong.domain.access.predicates import to_sql
from greenrong.domain.access.principal import SYSTEM, Principal, Role
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox.models import Operation
from greenrong.domain.statistics import upkeep as _statistics_upkeep  # noqa: F401 - its listener

_ACTOR = "greenrong.actor"
#: set while the writes of an allowed party action run (see ``as_party``)
_PARTY = "greenrong.party"

E = TypeVar("E", bound=Entity)


class NoPrincipal(RuntimeError):
    """A write ran on a session with no caller bound: a programming error, never a pass."""

    def __init__(self) -> None:
        super().__init__(
            "this write session has no principal: the GraphQL edge binds the caller "
            "(resolvers.common.mutate), trusted code binds SYSTEM (access.guard.bind_system)"
        )


@dataclass(frozen=True)
class Actor:
    principal: Principal
    request_id: str | None = None


def bind_actor(session: AsyncSession, principal: Principal, request_id: str | None) -> None:
    session.info[_ACTOR] = Actor(principal, request_id)


def bind_system(session: AsyncSession) -> AsyncSession:
    """Bind the system principal: the session belongs to trusted code outside a request."""
    session.info[_ACTOR] = Actor(SYSTEM)
    return session


def system_sessionmaker(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    """A copy of ``sessionmaker`` whose sessions have the system principal bound: for trusted
    code that opens many sessions (the CLI, a worker's runtime, tests' factories). Never give
    one to request handling."""
    info = {**sessionmaker.kw.get("info", {}), _ACTOR: Actor(SYSTEM)}
    return async_sessionmaker(class_=sessionmaker.class_, **{**sessionmaker.kw, "info": info})


def actor_of(session: AsyncSession) -> Actor:
    """The caller bound to ``session``; ``NoPrincipal`` when there is none."""
    actor = session.info.get(_ACTOR)
    if not isinstance(actor, Actor):
        raise NoPrincipal()
    return actor


def principal_of(session: AsyncSession) -> Principal:
    """The principal bound to ``session``; ``NoPrincipal`` when there is none."""
    return actor_of(session).principal


async def get_visible(session: AsyncSession, model: type[E], id: uuid.UUID) -> E | None:
    """The row ``id`` of ``model`` if the session's caller may see it, else None (missing and
    hidden alike). Inside ``as_party`` the action was allowed already, on records the caller
    sees, and the rows it loads are its consequences: they load unscoped."""
    if session.info.get(_PARTY):
        return await session.get(model, id)
    condition = to_sql(
        model, policy.visible_rows(principal_of(session), model.entity_type), now=utcnow()
    )
    if condition is None:
        return await session.get(model, id)
    return await repository.row_within(session, model, id, condition)


async def visible_or_raise(
    session: AsyncSession, model: type[E], id: uuid.UUID, *, field: str = "id"
) -> E:
    """The row ``id`` of ``model`` if the session's caller may see it, else ``NotFound`` (on
    the input ``field`` that named it) exactly as for an id that does not exist. Writes load
    the rows they act on through this (``kit.service.get_or_raise``), before reading their
    state or version."""
    row = await get_visible(session, model, id)
    if row is None:
        raise NotFound(model.entity_type, id, field=field)
    return row


def check_party(
    session: AsyncSession,
    entity_type: str,
    parties: Mapping[Role, Collection[uuid.UUID | None]],
) -> None:
    """Raise ``Forbidden`` unless the session's caller is a party of this match or deal.
    Its service first loads the rows it acts on through ``visible_or_raise``."""
    policy.authorize_party(principal_of(session), entity_type, parties)


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
    principal = principal_of(session)
    if not session.info.get(_PARTY):
        policy.authorize_write(principal, entity_type, operation, before=before, after=after)


def audit(session: AsyncSession, row: Entity, operation: Operation) -> AuditEntry:
    """Add the audit entry of one write (after the flush that gave ``row`` its version)."""
    actor = actor_of(session)
    principal = actor.principal
    entry = AuditEntry(
        actor_role=principal.role,
        actor_key_id=principal.key_id,
        actor_subject=principal.subject,
        actor_org_id=principal.org_id,
        entity_type=row.entity_type,
        entity_id=row.id,
        operation=operation,
        old_version=None if operation == Operation.CREATE else row.version - 1,
        new_version=row.version,
        request_id=actor.request_id,
    )
    session.add(entry)
    return entry
