"""Glue shared by every resolver: inputs to domain values, list queries, connections, mutations."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry
from sqlalchemy import ColumnElement, and_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from greenrong.core.errors import DomainError, ErrorCode, Forbidden, ValidationFailed
from greenrong.domain.access.guard import bind_actor
from greenrong.domain.kit import listing
from greenrong.domain.kit.listing import Listing, ListQuery, PageArgs, SortKey
from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox import signal as outbox_signal
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.errors import MutationError, to_error
from greenrong.schema.kit.filters import IDFilter, SortDirection
from greenrong.schema.kit.ids import expect_global_id, from_global_id
from greenrong.schema.kit.relay import Connection

T = TypeVar("T")
R = TypeVar("R", bound=Entity)
A = TypeVar("A")


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


def where_tree(where: Any, path: str = "where") -> dict[str, Any]:
    """A strawberry `where` input as the domain's plain filter tree."""
    if where is None or not _given(where):
        return {}
    tree: dict[str, Any] = {}
    for f in dataclasses.fields(where):
        value = getattr(where, f.name)
        if not _given(value) or value is None:
            continue
        key = f.name.rstrip("_")
        if key in ("and", "or"):
            tree[key] = [where_tree(item, f"{path}.{key}") for item in value]
        elif key == "not":
            tree[key] = where_tree(value, f"{path}.not")
        else:
            tree[key] = _operators(value, f"{path}.{key}")
    return tree


def _operators(conditions: Any, path: str) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for f in dataclasses.fields(conditions):
        value = getattr(conditions, f.name)
        name = f.name.rstrip("_")
        if not _given(value) or (value is None and name not in ("eq", "ne")):
            continue
        if isinstance(conditions, IDFilter) and name in ("eq", "ne", "in") and value is not None:
            ids = [from_global_id(v, field=path)[1] for v in (value if name == "in" else [value])]
            value = ids if name == "in" else ids[0]
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValidationFailed.one(
                path, ErrorCode.INVALID_FORMAT, "timestamps need a time zone"
            )
        ops[name] = value
    return ops


def list_query(
    info: Info,
    *,
    where: Any,
    order_by: Sequence[Any] | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> ListQuery:
    """Validated list arguments. Without `first` or `last`, the first default-size page."""
    if first is None and last is None:
        first = info.context.settings.default_page_size
    order = tuple(
        SortKey(o.field.value, descending=o.direction == SortDirection.DESC) for o in order_by or ()
    )
    return ListQuery(where_tree(where), order, PageArgs(first, after, last, before))


async def root_connection(
    info: Info,
    of: Listing[R],
    query: ListQuery,
    to_node: Callable[[R], T],
    *,
    scope: ColumnElement[bool] | None = None,
) -> Connection[T]:
    sessionmaker = info.context.sessionmaker
    loaders = info.context.loaders
    visible = loaders.scope(of.model)  # the caller's rows (access policy)
    if visible is not None:
        scope = visible if scope is None else and_(scope, visible)
    async with sessionmaker() as session:
        page = await listing.fetch_page(
            session,
            of,
            query,
            max_page_size=info.context.settings.max_page_size,
            readable=loaders.readable,  # the caller's fields (access policy)
            scope=scope,
        )

    async def count() -> int:
        async with sessionmaker() as session:
            return await listing.count(session, of, query, readable=loaders.readable, scope=scope)

    return Connection.from_page(page, to_node, count)


async def child_connection(
    info: Info,
    of: Listing[R],
    parent: InstrumentedAttribute[Any],
    parent_id: Any,
    query: ListQuery,
    to_node: Callable[[R], T],
) -> Connection[T]:
    loaders = info.context.loaders
    page = await loaders.children(of, parent, query).load(parent_id)

    async def count() -> int:
        return await loaders.child_counts(of, parent, query).load(parent_id)

    return Connection.from_page(page, to_node, count)


async def load_one(info: Info, model: type[R], id: Any, to_node: Callable[[R], T]) -> T | None:
    if id is None:
        return None
    row = await info.context.loaders.entity(model).load(id)
    return None if row is None else to_node(row)


def input_values(data: Any, *, skip: Sequence[str] = ()) -> dict[str, Any]:
    """The fields a client gave (UNSET ones left out), global ids of `*_id` fields decoded."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(data):
        value = getattr(data, f.name)
        if f.name in skip or not _given(value):
            continue
        if f.name.endswith("_id") and value is not None:
            value = from_global_id(value, field=f.name)[1]
        if isinstance(value, list):
            value = [v.value if isinstance(v, Enum) else v for v in value]
        values[f.name] = value
    return values


#: appended to a refused anonymous write: what to send to write at all
SIGN_IN = (
    "Writing needs a signed-in caller: send an API key (`greenrong keys create`) or a token "
    "as the header `Authorization: Bearer <key or token>`"
)


async def mutate(
    info: Info, action: Callable[[AsyncSession], Awaitable[A]], wrap: Callable[[A], T]
) -> T | MutationError:
    """THE write edge: every mutation runs its write here, in its own transaction, with the
    request's caller bound to the session, and wraps the result.

    The services ask the bound principal (``domain/access/guard.py``); a write session without
    one raises, so this is the only way a request writes. A DomainError rolls the transaction
    back and comes back as a typed error, so a failed mutation changes nothing; a write the
    caller may not make is a ``ForbiddenError``, one on a row it may not see a
    ``NotFoundError``. Anything else propagates and is masked by the schema.
    """
    try:
        async with info.context.sessionmaker.begin() as session:
            # the caller, for the write check and the audit entry (domain/access/guard.py)
            bind_actor(session, info.context.principal, info.context.request_id)
            result = wrap(await action(session))
    except Forbidden as error:
        if info.context.principal.is_anonymous:  # say what a visitor needs to write at all
            return to_error(Forbidden(f"{error.message}. {SIGN_IN}"))
        return to_error(error)
    except DomainError as error:
        return to_error(error)
    outbox_signal.changes_committed()  # wake the relay: index the change now, not at next poll
    return result


async def write(info: Info, action: Callable[[AsyncSession], Awaitable[A]]) -> A | MutationError:
    """``mutate`` for an action that builds its own payload."""
    return await mutate(info, action, _as_is)


def _as_is(value: A) -> A:
    return value


def update_args(data: Any, type_name: str) -> dict[str, Any]:
    """``id``, ``version`` and ``changes`` of an `Update…Input`, for a domain update service."""
    return {
        "id": expect_global_id(data.id, type_name),
        "version": data.version,
        "changes": input_values(data, skip=("id", "version")),
    }
