"""Row predicates of the access policy, and their SQL.

The policy says which rows a caller sees as a small tree of these predicates rather than as SQL,
so the same rule filters SQL lists (``to_sql``) and search queries
(``greenrong.indexers.kit.access``). Fields are column names, which the search documents share.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, false, or_, select, true

from greenrong.domain.access.models import ConsentScope, DataConsent


@dataclass(frozen=True)
class Everything:
    """Every row."""


@dataclass(frozen=True)
class Nothing:
    """No row."""


@dataclass(frozen=True)
class FieldIn:
    """``field`` is one of ``values`` (ids, enum values or booleans)."""

    field: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Consented:
    """``field`` holds an enterprise that granted ``institution_id`` valid ``scope`` consent now."""

    field: str
    institution_id: uuid.UUID
    scope: ConsentScope


@dataclass(frozen=True)
class InQuery:
    """``field`` is among the ids a subquery selects (SQL only; search treats it as Nothing)."""

    field: str
    query: Callable[[datetime], Select[Any]]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Predicate, ...]


Predicate = Everything | Nothing | FieldIn | Consented | InQuery | AnyOf | AllOf
EVERYTHING = Everything()
NOTHING = Nothing()


def any_of(*parts: Predicate) -> Predicate:
    kept = tuple(p for p in parts if not isinstance(p, Nothing))
    if any(isinstance(p, Everything) for p in kept):
        return EVERYTHING
    return kept[0] if len(kept) == 1 else AnyOf(kept) if kept else NOTHING


def all_of(*parts: Predicate) -> Predicate:
    kept = tuple(p for p in parts if not isinstance(p, Everything))
    if any(isinstance(p, Nothing) for p in kept):
        return NOTHING
    return kept[0] if len(kept) == 1 else AllOf(kept) if kept else EVERYTHING


def eq(field: str, value: Any) -> Predicate:
    return NOTHING if value is None else FieldIn(field, (value,))


def consenting_enterprises(
    institution_id: uuid.UUID, scope: ConsentScope, now: datetime
) -> Select[Any]:
    """Enterprises whose consent to ``institution_id`` covers ``scope`` at ``now``.

    Read in every request, never cached: a revocation takes effect with the next statement.
    """
    return select(DataConsent.enterprise_id).where(
        DataConsent.institution_id == institution_id,
        DataConsent.revoked_at.is_(None),
        DataConsent.expires_at > now,
        # scopes is a JSON list of enum values, which contain no quotes: the text match is exact
        cast(DataConsent.scopes, String).like(f'%"{scope.value}"%'),
    )


def row_test(predicate: Predicate) -> Callable[[Any], bool] | None:
    """The predicate as a test of a loaded row's own values (a row kept between requests,
    ``domain/kit/row_cache.py``); None when its answer is not in the row: a subquery
    (``InQuery``) or a consent (``Consented``) is answered by SQL only. An enum value is
    compared by its ``value``, as ``FieldIn`` holds it and SQL stores it."""
    match predicate:
        case Everything():
            return lambda row: True
        case Nothing():
            return lambda row: False
        case FieldIn(field, values):
            allowed = frozenset(values)

            def among(row: Any) -> bool:
                value = getattr(row, field)
                return (value.value if isinstance(value, Enum) else value) in allowed

            return among
        case AnyOf(parts) | AllOf(parts):
            tests = [row_test(p) for p in parts]
            if any(t is None for t in tests):
                return None
            checks = [t for t in tests if t is not None]
            if isinstance(predicate, AnyOf):
                return lambda row: any(t(row) for t in checks)
            return lambda row: all(t(row) for t in checks)
    return None  # Consented, InQuery


def to_sql(model: Any, predicate: Predicate, *, now: datetime) -> ColumnElement[bool] | None:
    """The predicate as a WHERE condition on ``model``; None for every row."""
    if isinstance(predicate, Everything):
        return None
    return sql_condition(model, predicate, now)


def sql_condition(model: Any, predicate: Predicate, now: datetime) -> ColumnElement[bool]:
    """The predicate as a WHERE condition on ``model`` (``true()`` for every row)."""
    match predicate:
        case Everything():
            return true()
        case Nothing():
            return false()
        case FieldIn(field, values):
            column: Any = getattr(model, field)
            condition: ColumnElement[bool] = (
                column == values[0] if len(values) == 1 else column.in_(values)
            )
            return condition
        case Consented(field, institution_id, scope):
            column = getattr(model, field)
            consented: ColumnElement[bool] = column.in_(
                consenting_enterprises(institution_id, scope, now)
            )
            return consented
        case InQuery(field, query):
            column = getattr(model, field)
            listed: ColumnElement[bool] = column.in_(query(now))
            return listed
        case AnyOf(parts):
            return or_(*(sql_condition(model, p, now) for p in parts))
        case AllOf(parts):
            return and_(*(sql_condition(model, p, now) for p in parts))
    raise TypeError(predicate)  # pragma: no cover
