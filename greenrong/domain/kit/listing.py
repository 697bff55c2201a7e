"""Filtering, ordering and keyset pagination for every list, in one place.

A ``Listing`` declares which columns of a model can be filtered and ordered. Filters arrive as a
plain tree (``{"name": {"contains": "科技"}, "or": [...], "not": {...}}``) built by the API
layer; this module turns it into SQL. Pages are keyset-paginated: a cursor holds the order-by
values of its row, so pages stay stable while rows are inserted and never use OFFSET.

Every statement takes the caller's field rule (``readable``, built from ``policy.readable_rows``
by the API layer): a condition on a field is unknown (SQL NULL) for the rows where the caller
may not read that field, so no filter, however combined with ``not``/``or``, answers anything
that depends on a value the caller cannot read; ordering by such a field is refused
(docs/SECURITY.md, "Filters and ordering on guarded fields").
"""

from __future__ import annotations

import hashlib
import json
import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.kit.jsonable import jsonable, pack_cursor, unpack_cursor
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.types import ScaledDecimal

M = TypeVar("M", bound=Entity)


class Kind(StrEnum):
    """What a filterable column holds; it decides the operators allowed."""

    TEXT = "TEXT"
    NUMBER = "NUMBER"  # int, Decimal, date, datetime: anything ordered
    ENUM = "ENUM"
    ID = "ID"
    BOOL = "BOOL"
    TAGS = "TAGS"  # JSON list of enum values


OPERATORS: dict[Kind, frozenset[str]] = {
    Kind.TEXT: frozenset({"eq", "ne", "in", "contains", "starts_with", "is_null"}),
    Kind.NUMBER: frozenset({"eq", "ne", "in", "gt", "gte", "lt", "lte", "is_null"}),
    Kind.ENUM: frozenset({"eq", "ne", "in", "is_null"}),
    Kind.ID: frozenset({"eq", "ne", "in", "is_null"}),
    Kind.BOOL: frozenset({"eq", "is_null"}),
    Kind.TAGS: frozenset({"has", "has_any"}),
}
_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}

#: The caller's field rule: the rows of ``model`` whose column ``field`` the caller may read,
#: as a WHERE condition, or None when it may read it on every row.
FieldRule = Callable[[type[Entity], str], ColumnElement[bool] | None]


@dataclass(frozen=True)
class Listing(Generic[M]):
    """The filterable and orderable columns of one model."""

    model: type[M]
    filters: Mapping[str, tuple[InstrumentedAttribute[Any], Kind]]
    orders: Mapping[str, InstrumentedAttribute[Any]]
    default_order: tuple[SortKey, ...]


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass
class Page(Generic[M]):
    items: list[M]
    cursors: list[str]
    has_next: bool
    has_previous: bool

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclass(frozen=True)
class ListQuery:
    """A validated request for one list: filter tree, ordering and page."""

    where: Mapping[str, Any] = field(default_factory=dict)
    order: tuple[SortKey, ...] = ()
    page: PageArgs = PageArgs()

    def cache_key(self) -> str:
        """Equal for equal queries: batches nested pages that share their arguments."""
        return json.dumps(jsonable([self.where, self.order, self.page]), sort_keys=True)


# ---------------------------------------------------------------- filters


def compile_where(
    listing: Listing[Any], where: Mapping[str, Any], *, readable: FieldRule
) -> ColumnElement[bool]:
    """Turn a filter tree into one SQL condition (``true()`` for an empty tree).

    A field's condition is ``CASE WHEN <caller may read the field> THEN <condition> END``
    where the caller may not read it on every row: unknown (NULL) on the other rows, and NULL
    stays NULL through ``not``, ``and`` and ``or``, so the tree's answer for such a row is the
    same whatever the hidden value is.
    """
    clauses: list[ColumnElement[bool]] = []
    for key, value in where.items():
        if key == "and":
            clauses.extend(compile_where(listing, item, readable=readable) for item in value)
        elif key == "or":
            parts = (compile_where(listing, item, readable=readable) for item in value)
            clauses.append(or_(false(), *parts))
        elif key == "not":
            clauses.append(not_(compile_where(listing, value, readable=readable)))
        else:
            clauses.append(_field_condition(listing, key, value, readable))
    return and_(true(), *clauses)


def _field_condition(
    listing: Listing[Any], name: str, ops: Mapping[str, Any], readable: FieldRule
) -> ColumnElement[bool]:
    if name not in listing.filters:
        raise ValidationFailed.one(f"where.{name}", ErrorCode.INVALID, f"cannot filter on {name}")
    column, kind = listing.filters[name]
    conditions: list[ColumnElement[bool]] = []
    for op, value in ops.items():
        if op not in OPERATORS[kind]:
            raise ValidationFailed.one(
                f"where.{name}.{op}", ErrorCode.INVALID, f"operator {op} does not apply to {name}"
            )
        _refuse_unstorable(column, f"where.{name}.{op}", value)
        conditions.append(_operator(column, kind, op, value))
    if not conditions:
        return true()
    condition = and_(true(), *conditions)
    rows = readable(listing.model, column.key)
    if rows is None:
        return condition
    unknown_elsewhere: ColumnElement[bool] = case((rows, condition))
    return unknown_elsewhere


def _refuse_unstorable(column: Any, path: str, value: Any) -> None:
    """A decimal operand must be a value its column could hold: NUMERIC(p, s) holds less than
    10^(p - s) in magnitude (a rate, NUMERIC(6, 4), less than 100). Beyond that PostgreSQL
    refuses the bound value, and SQLite's scaled integer overflows."""
    column_type = column.type
    if not isinstance(column_type, ScaledDecimal):
        return
    bound = Decimal(10) ** (column_type.precision - column_type.scale)
    for item in value if isinstance(value, list | tuple) else [value]:
        if isinstance(item, Decimal | int) and not isinstance(item, bool):
            amount = Decimal(item)
            if not amount.is_finite() or abs(amount) >= bound:
                raise ValidationFailed.one(
                    path, ErrorCode.OUT_OF_RANGE, f"must be below {bound:,} in magnitude"
                )


def _operator(column: Any, kind: Kind, op: str, value: Any) -> ColumnElement[bool]:
    if op == "is_null":
        return column.is_(None) if value else column.is_not(None)  # type: ignore[no-any-return]
    if op == "eq":
        return column.is_(None) if value is None else column == value  # type: ignore[no-any-return]
    if op == "ne":
        return column.is_not(None) if value is None else column != value  # type: ignore[no-any-return]
    if op == "in":
        return column.in_(list(value))  # type: ignore[no-any-return]
    if op == "contains":
        return column.icontains(value, autoescape=True)  # type: ignore[no-any-return]
    if op == "starts_with":
        return column.istartswith(value, autoescape=True)  # type: ignore[no-any-return]
    if op in _COMPARE:
        return _COMPARE[op](column, value)  # type: ignore[no-any-return]
    if op in {"has", "has_any"}:
        # TAGS columns hold JSON lists of enum values (no quotes inside), so matching the
        # quoted value in the JSON text is exact on both databases.
        text = cast(column, String)
        values = [value] if op == "has" else list(value)
        return or_(false(), *(text.contains(f'"{v}"', autoescape=True) for v in values))
    raise AssertionError(f"unhandled operator {op}")  # pragma: no cover - OPERATORS guards


# ---------------------------------------------------------------- ordering and cursors


def _order_columns(listing: Listing[Any], order: Sequence[SortKey]) -> list[tuple[Any, bool]]:
    keys = list(order) or list(listing.default_order)
    columns: list[tuple[Any, bool]] = []
    for key in keys:
        if key.field not in listing.orders:
            raise ValidationFailed.one("orderBy", ErrorCode.INVALID, f"cannot order by {key.field}")
        columns.append((listing.orders[key.field], key.descending))
    columns.append((listing.model.id, keys[-1].descending if keys else False))
    return columns


def _refuse_hidden_orders(
    listing: Listing[Any], order: Sequence[SortKey], readable: FieldRule
) -> None:
    """Ordering by a field the caller may not read on every row is refused: a page's order
    and its cursors (which hold the order values) would show the hidden values."""
    for key in list(order) or list(listing.default_order):
        column = listing.orders.get(key.field)
        if column is not None and readable(listing.model, column.key) is not None:
            raise ValidationFailed.one(
                "orderBy", ErrorCode.FORBIDDEN, f"cannot order by {key.field}: it is not public"
            )


def _signature(columns: list[tuple[Any, bool]]) -> str:
    text = ",".join(f"{c.class_.__tablename__}.{c.key}:{int(d)}" for c, d in columns)
    return hashlib.blake2s(text.encode(), digest_size=4).hexdigest()


def cursor_columns(listing: Listing[Any], query: ListQuery) -> list[tuple[Any, bool]]:
    """The columns a cursor of this list holds (its order, then the id), with their direction."""
    return _order_columns(listing, query.order)


def cursor_signature(columns: list[tuple[Any, bool]]) -> str:
    """The first element of every cursor of a list ordered by ``columns``."""
    return _signature(columns)


def encode_cursor(columns: list[tuple[Any, bool]], row: Any) -> str:
    return pack_cursor([_signature(columns), [getattr(row, c.key) for c, _ in columns]])


def decode_cursor(columns: list[tuple[Any, bool]], cursor: str, argument: str) -> list[Any]:
    """The order values of a cursor of this list, each as its column holds it.

    The signature only tells which ordering a cursor belongs to (clients can write one), so
    every value is checked as a client's input: of the JSON type ``encode_cursor`` writes for
    its column, and one the database can compare (no NUL, no null, finite numbers in range,
    datetimes with an offset). Anything else is ``INVALID_CURSOR``."""
    problem = ValidationFailed.one(
        argument, ErrorCode.INVALID_CURSOR, "cursor is not valid for this list and ordering"
    )
    try:
        signature, values = unpack_cursor(cursor)
    except (ValueError, TypeError) as exc:
        raise problem from exc
    if signature != _signature(columns) or not isinstance(values, list):
        raise problem
    if len(values) != len(columns):
        raise problem
    try:
        return [_from_json(c, v) for (c, _), v in zip(columns, values, strict=True)]
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise problem from exc


#: the largest decimal exponent a cursor may hold (the numeric columns hold far less)
_MAX_CURSOR_EXPONENT = 100


def _from_json(column: Any, value: Any) -> Any:
    """A cursor's value for ``column``, as ``jsonable`` wrote it; ValueError when it is not."""
    python_type = column.type.python_type
    if python_type is int:
        bits = 63 if isinstance(column.type, BigInteger) else 31
        if type(value) is not int or not -(2**bits) <= value < 2**bits:
            raise ValueError("not an integer of the column's range")
        return value
    if python_type is bool:
        if type(value) is not bool:
            raise ValueError("not a boolean")
        return value
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a string the database holds")
    if python_type is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a datetime without an offset")
        return moment.astimezone(UTC)  # OverflowError beyond the calendar
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is Decimal:
        number = Decimal(value)
        if not number.is_finite() or abs(number.adjusted()) > _MAX_CURSOR_EXPONENT:
            raise ValueError("not a finite decimal in range")
        return number
    if python_type in (uuid.UUID, str) or issubclass(python_type, Enum):
        return python_type(value)
    raise TypeError(python_type)


def _after(columns: list[tuple[Any, bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``columns`` (keyset condition)."""
    condition: ColumnElement[bool] = false()
    for index in reversed(range(len(columns))):
        column, descending = columns[index]
        beyond = column < values[index] if descending else column > values[index]
        equal_prefix = [columns[i][0] == values[i] for i in range(index)]
        condition = (
            or_(and_(*equal_prefix, beyond), condition) if equal_prefix else or_(beyond, condition)
        )
    return condition


def _window(
    columns: list[tuple[Any, bool]], args: PageArgs, *, max_page_size: int
) -> tuple[list[tuple[Any, bool]], int, ColumnElement[bool], bool]:
    """Validate page arguments; return (effective order, limit, keyset condition, backwards)."""
    if args.first is not None and args.last is not None:
        raise ValidationFailed.one("last", ErrorCode.INVALID, "give either first or last, not both")
    size = args.last if args.last is not None else args.first
    name = "last" if args.last is not None else "first"
    if size is None:
        raise AssertionError("page size must be resolved by the caller")  # pragma: no cover
    if not 0 <= size <= max_page_size:
        raise ValidationFailed.one(
            name, ErrorCode.OUT_OF_RANGE, f"{name} must be between 0 and {max_page_size}"
        )
    backwards = args.last is not None
    effective = [(c, not d) for c, d in columns] if backwards else columns
    conditions: list[ColumnElement[bool]] = []
    if args.after is not None:
        conditions.append(_after(columns, decode_cursor(columns, args.after, "after")))
    if args.before is not None:
        reverse = [(c, not d) for c, d in columns]
        conditions.append(_after(reverse, decode_cursor(columns, args.before, "before")))
    return effective, size, and_(true(), *conditions), backwards


def _order_by(columns: list[tuple[Any, bool]]) -> list[Any]:
    return [c.desc() if d else c.asc() for c, d in columns]


def _page(rows: list[M], columns: list[tuple[Any, bool]], size: int, args: PageArgs) -> Page[M]:
    more = len(rows) > size
    rows = rows[:size]
    if args.last is not None:
        rows.reverse()
        has_next, has_previous = args.before is not None, more
    else:
        has_next, has_previous = more, args.after is not None
    return Page(rows, [encode_cursor(columns, r) for r in rows], has_next, has_previous)


# ---------------------------------------------------------------- queries


def _base(
    listing: Listing[M],
    query: ListQuery,
    scope: ColumnElement[bool] | None,
    readable: FieldRule,
) -> Select[Any]:
    _refuse_hidden_orders(listing, query.order, readable)
    statement = select(listing.model).where(compile_where(listing, query.where, readable=readable))
    return statement if scope is None else statement.where(scope)


@dataclass(frozen=True)
class PageSelect:
    """The statement of one page, with its parts, for callers that wrap it in more SQL (the
    compiled views, ``greenrong/resolvers/compiled/``): filtered, scoped, after the keyset,
    ordered, and limited to ``size + 1`` rows (the extra row says whether more follow)."""

    statement: Select[Any]
    order_by: list[Any]
    size: int
    columns: list[tuple[Any, bool]]


def page_select(
    listing: Listing[M],
    query: ListQuery,
    *,
    max_page_size: int,
    readable: FieldRule,
    scope: ColumnElement[bool] | None = None,
) -> PageSelect:
    columns = _order_columns(listing, query.order)
    effective, size, keyset, _ = _window(columns, query.page, max_page_size=max_page_size)
    order_by = _order_by(effective)
    statement = (
        _base(listing, query, scope, readable).where(keyset).order_by(*order_by).limit(size + 1)
    )
    return PageSelect(statement, order_by, size, columns)


async def fetch_page(
    session: AsyncSession,
    listing: Listing[M],
    query: ListQuery,
    *,
    max_page_size: int,
    readable: FieldRule,
    scope: ColumnElement[bool] | None = None,
) -> Page[M]:
    """One page of a root list."""
    page = page_select(listing, query, max_page_size=max_page_size, readable=readable, scope=scope)
    rows = list((await session.scalars(page.statement)).all())
    return _page(rows, page.columns, page.size, query.page)


def count_select(
    listing: Listing[M],
    query: ListQuery,
    *,
    readable: FieldRule,
    scope: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """How many rows match the filter (and the scope), over all pages."""
    statement = select(func.count()).select_from(listing.model)
    statement = statement.where(compile_where(listing, query.where, readable=readable))
    return statement if scope is None else statement.where(scope)


async def count(
    session: AsyncSession,
    listing: Listing[M],
    query: ListQuery,
    *,
    readable: FieldRule,
    scope: ColumnElement[bool] | None = None,
) -> int:
    statement = count_select(listing, query, readable=readable, scope=scope)
    return int((await session.execute(statement)).scalar_one())


async def fetch_child_pages(
    session: AsyncSession,
    listing: Listing[M],
    query: ListQuery,
    *,
    parent: InstrumentedAttribute[Any],
    parent_ids: Sequence[uuid.UUID],
    max_page_size: int,
    readable: FieldRule,
    scope: ColumnElement[bool] | None = None,
) -> dict[uuid.UUID, Page[M]]:
    """One page per parent in a single statement (``row_number() OVER (PARTITION BY …)``)."""
    columns = _order_columns(listing, query.order)
    effective, size, keyset, _ = _window(columns, query.page, max_page_size=max_page_size)
    rank = func.row_number().over(partition_by=parent, order_by=_order_by(effective))
    of_parents = parent.in_(list(parent_ids))
    inner = (
        _base(listing, query, of_parents if scope is None else and_(of_parents, scope), readable)
        .where(keyset)
        .add_columns(rank.label("rank"))
        .subquery()
    )
    row = aliased(listing.model, inner)
    statement = (
        select(row).where(inner.c.rank <= size + 1).order_by(inner.c[parent.key], inner.c.rank)
    )
    grouped: dict[uuid.UUID, list[M]] = {pid: [] for pid in parent_ids}
    for item in (await session.scalars(statement)).all():
        grouped[getattr(item, parent.key)].append(item)
    return {pid: _page(rows, columns, size, query.page) for pid, rows in grouped.items()}


async def count_children(
    session: AsyncSession,
    listing: Listing[M],
    query: ListQuery,
    *,
    parent: InstrumentedAttribute[Any],
    parent_ids: Sequence[uuid.UUID],
    readable: FieldRule,
    scope: ColumnElement[bool] | None = None,
) -> dict[uuid.UUID, int]:
    statement = (
        select(parent, func.count())
        .where(
            compile_where(listing, query.where, readable=readable),
            parent.in_(list(parent_ids)),
        )
        .group_by(parent)
    )
    if scope is not None:
        statement = statement.where(scope)
    counts = {pid: 0 for pid in parent_ids}
    counts.update({pid: int(n) for pid, n in (await session.execute(statement)).all()})
    return counts


async def fetch_by_ids(
    session: AsyncSession,
    model: type[M],
    ids: Sequence[uuid.UUID],
    *,
    scope: ColumnElement[bool] | None = None,
) -> dict[uuid.UUID, M]:
    statement = select(model).where(model.id.in_(list(ids)))
    if scope is not None:
        statement = statement.where(scope)
    rows = (await session.scalars(statement)).all()
    return {row.id: row for row in rows}
