"""A plan (``plan.py``) as one PostgreSQL statement that returns the field's JSON as text.

Shape, for ``enterprises { edges { node { name projects(first: 5) { ... } } } }``::

    SELECT CAST((SELECT json_build_object('edges', coalesce(json_agg(
               json_build_object('node', json_build_object('name', e.name, 'projects', (
                   SELECT json_build_object('edges', ...) FROM (
                       SELECT project.id, ..., row_number() OVER (ORDER BY ...) AS _rank
                       FROM project WHERE project.enterprise_id = e.id AND <filter, scope, keyset>
                       ORDER BY ... LIMIT 6) AS p)))
               ORDER BY e._rank) FILTER (WHERE e._rank <= 50), '[]'))
           FROM (SELECT enterprise.id, enterprise.name, row_number() ... LIMIT 51) AS e) AS TEXT)

Every page is the statement the normal path runs (``listing.page_select``: the same filter,
order, keyset and ``LIMIT size + 1``), narrowed to the columns the selection reads and
correlated to its parent row. Every table is limited by the caller's row scope
(``Loaders.scope``), and every filter by the caller's field rule (``Loaders.readable``),
exactly as the loaders limit theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from greenrong.domain.kit import listing
from greenrong.domain.kit.listing import FieldRule, Listing, ListQuery
from greenrong.domain.kit.models import Entity
from greenrong.resolvers.compiled.plan import (
    Children,
    ConnectionPlan,
    Cursor,
    CursorValue,
    Edges,
    Encoding,
    GlobalId,
    Literal,
    ObjectPlan,
    PageFlags,
    RootList,
    RootNode,
    ToOne,
    TotalCount,
    Value,
    cursor_encoding,
)

#: the caller's rows of a model as a WHERE condition, None for every row (``Loaders.scope``)
Scope = Callable[[type[Entity]], ColumnElement[bool] | None]

_RANK = "_rank"
_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_:]*$")


def _text(value: str) -> ColumnElement[str]:
    """A constant string inlined into the SQL: GraphQL names and entity types only."""
    if not _SAFE.match(value):
        raise ValueError(f"not a name: {value!r}")
    return literal_column(f"'{value}'", Text)


def _sql(constant: str) -> ColumnElement[Any]:
    """A constant of our own, written as SQL."""
    return literal_column(constant, Text)


class Compiler:
    def __init__(self, scope: Scope, readable: FieldRule, *, max_page_size: int) -> None:
        self.scope = scope
        self.readable = readable
        self.max_page_size = max_page_size

    def statement(self, plan: RootList | RootNode) -> Select[Any]:
        """One row, one column: the root field's value as JSON text (NULL for null)."""
        if isinstance(plan, RootList):
            value = self._connection(plan.listing, plan.query, plan.connection, None)
        else:
            model = plan.node.model
            rows = self._rows(plan.node, select(model).where(model.id == plan.id), None)
            value = select(self._object(plan.node, rows)).select_from(rows).scalar_subquery()
        return select(cast(value, Text))

    # -------------------------------------------------------------- rows

    def _rows(
        self,
        plan: ObjectPlan,
        statement: Select[Any],
        outer: FromClause | None,
        rank: list[Any] | None = None,
        also: list[str] | None = None,
    ) -> FromClause:
        """``statement`` (a select of the model) narrowed to the columns ``plan`` reads (and
        ``also``: cursor columns), scoped to the caller, correlated to the enclosing rows
        ``outer``, as a derived table."""
        model = plan.model
        # (dict: an ordering may name a column twice, a label must be unique)
        names = list(dict.fromkeys([*plan.attributes(), *(also or ())]))
        columns: list[Any] = [getattr(model, name).label(name) for name in names]
        if rank is not None:
            columns.append(func.row_number().over(order_by=rank).label(_RANK))
        narrowed = statement.with_only_columns(*columns)
        scope = self.scope(model)
        if scope is not None:
            narrowed = narrowed.where(scope)
        if outer is not None:
            narrowed = narrowed.correlate(outer)
        return narrowed.subquery()

    # -------------------------------------------------------------- values

    def _object(self, plan: ObjectPlan, rows: FromClause) -> ColumnElement[Any]:
        pairs: list[Any] = []
        for field in plan.fields:
            pairs += [_text(field.key), self._field(field, rows)]
        return func.json_build_object(*pairs)

    def _field(
        self, field: Literal | GlobalId | Value | ToOne | Children, rows: FromClause
    ) -> ColumnElement[Any]:
        if isinstance(field, Literal):
            return _text(field.value)
        if isinstance(field, GlobalId):
            return _global_id(field.entity_type, rows.c.id)
        if isinstance(field, Value):
            return _encode(field, rows.c[field.attribute])
        if isinstance(field, ToOne):
            model = field.target.model
            target = self._rows(
                field.target, select(model).where(model.id == rows.c[field.attribute]), rows
            )
            return select(self._object(field.target, target)).select_from(target).scalar_subquery()
        parent = (field.parent == rows.c.id, rows)
        return self._connection(field.listing, field.query, field.connection, parent)

    def _connection(
        self,
        of: Listing[Any],
        query: ListQuery,
        plan: ConnectionPlan,
        parent: tuple[ColumnElement[bool], FromClause] | None,
    ) -> ColumnElement[Any]:
        """One page as a connection object: an aggregate over the page's rows, which also
        tells whether a next page exists (the page statement reads one row more)."""
        of_parent, outer = parent if parent is not None else (None, None)
        page = listing.page_select(
            of, query, max_page_size=self.max_page_size, readable=self.readable, scope=of_parent
        )
        node_plan = _node_plan(plan, of.model)
        cursor_keys = [column.key for column, _ in page.columns] if plan.has_cursors() else []
        rows = self._rows(node_plan, page.statement, outer, rank=page.order_by, also=cursor_keys)
        in_page = rows.c[_RANK] <= page.size
        cursor = _cursor(page.columns, rows) if cursor_keys else None
        pairs: list[Any] = []
        for field in plan.fields:
            pairs.append(_text(field.key))
            if isinstance(field, Literal):
                pairs.append(_text(field.value))
            elif isinstance(field, TotalCount):
                pairs.append(self._count(of, query, of_parent, outer))
            elif isinstance(field, PageFlags):
                flags = _Flags(func.count() > page.size, query.page.after is not None)
                if cursor is not None:
                    flags.start = _first(cursor, rows.c[_RANK], in_page)
                    flags.end = _first(cursor, rows.c[_RANK].desc(), in_page)
                pairs.append(self._page_flags(field, flags))
            else:
                edge = self._edge(field, node_plan, rows, cursor)
                edges = func.json_agg(aggregate_order_by(edge, rows.c[_RANK])).filter(in_page)
                pairs.append(func.coalesce(edges, literal_column("'[]'::json")))
        if not any(_aggregates(f) for f in plan.fields):
            # no aggregate over the rows: selecting from them would give no row (NULL) when
            # the page is empty, e.g. `{ totalCount }` of an empty or hidden list, and one
            # row per row of the page otherwise, e.g. `{ pageInfo { hasPreviousPage } }`
            return select(func.json_build_object(*pairs)).scalar_subquery()
        return select(func.json_build_object(*pairs)).select_from(rows).scalar_subquery()

    def _edge(
        self,
        edges: Edges,
        node_plan: ObjectPlan,
        rows: FromClause,
        cursor: ColumnElement[Any] | None,
    ) -> ColumnElement[Any]:
        pairs: list[Any] = []
        for part in edges.fields:
            if isinstance(part, Literal):
                pairs += [_text(part.key), _text(part.value)]
            elif isinstance(part, Cursor):
                pairs += [_text(part.key), cursor]
            else:
                pairs += [_text(part[0]), self._object(node_plan, rows)]
        return func.json_build_object(*pairs)

    def _page_flags(self, fields: PageFlags, flags: _Flags) -> ColumnElement[Any]:
        values = {
            "hasNextPage": flags.has_next,
            # forward pages only: a previous page exists when the page starts after a cursor
            "hasPreviousPage": true() if flags.after else false(),
            "startCursor": flags.start,
            "endCursor": flags.end,
        }
        pairs: list[Any] = []
        for part in fields.fields:
            if isinstance(part, Literal):
                pairs += [_text(part.key), _text(part.value)]
            else:
                pairs += [_text(part[0]), values[part[1]]]
        return func.json_build_object(*pairs)

    def _count(
        self,
        of: Listing[Any],
        query: ListQuery,
        of_parent: ColumnElement[bool] | None,
        outer: FromClause | None,
    ) -> ColumnElement[Any]:
        scope = self.scope(of.model)
        conditions = [c for c in (of_parent, scope) if c is not None]
        statement = listing.count_select(
            of, query, readable=self.readable, scope=and_(true(), *conditions)
        )
        if outer is not None:
            statement = statement.correlate(outer)
        return statement.scalar_subquery()


#: the ``pageInfo`` fields read from the page's rows (``hasPreviousPage`` is a constant)
_ROW_FLAGS = frozenset({"hasNextPage", "startCursor", "endCursor"})


def _aggregates(field: Literal | Edges | PageFlags | TotalCount) -> bool:
    """Whether the connection's value for ``field`` aggregates the page's rows."""
    if isinstance(field, Edges):
        return True
    if isinstance(field, PageFlags):
        return any(isinstance(p, tuple) and p[1] in _ROW_FLAGS for p in field.fields)
    return False


@dataclass
class _Flags:
    """What ``pageInfo`` reads from one page."""

    has_next: ColumnElement[bool]
    after: bool
    start: ColumnElement[Any] | None = None
    end: ColumnElement[Any] | None = None


def _first(value: ColumnElement[Any], order: Any, where: ColumnElement[bool]) -> ColumnElement[Any]:
    """The first ``value`` of the page's rows in ``order`` (NULL for an empty page)."""
    ordered = func.array_agg(aggregate_order_by(value, order), type_=ARRAY(Text)).filter(where)
    first: ColumnElement[Any] = ordered[1]
    return first


def _cursor(columns: list[tuple[Any, bool]], rows: FromClause) -> ColumnElement[Any]:
    """``listing.encode_cursor`` in SQL: base64url, unpadded, of the compact JSON
    ``["<signature>",[<order values>,<id>]]``, each value as ``jsonable`` writes it."""
    text: ColumnElement[Any] = _sql(f"'[\"{listing.cursor_signature(columns)}\",['")
    for index, (column, _) in enumerate(columns):
        if index:
            text = text.op("||")(_sql("','"))
        value = _cursor_value(cursor_encoding(column), rows.c[column.key])
        text = text.op("||")(func.coalesce(value, _sql("'null'")))
    text = text.op("||")(_sql("']]'"))
    base64 = func.encode(func.convert_to(text, _sql("'UTF8'")), _sql("'base64'"))
    return func.rtrim(func.translate(base64, _sql("E'+/\\n'"), _sql("'-_'")), _sql("'='"))


def _cursor_value(encoding: CursorValue, column: ColumnElement[Any]) -> ColumnElement[Any]:
    if encoding is CursorValue.NUMBER:
        return cast(column, Text)
    if encoding is CursorValue.DECIMAL:
        return cast(func.to_json(cast(column, Text)), Text)
    if encoding is CursorValue.DATETIME:
        return cast(func.to_json(_isoformat(column)), Text)
    return cast(func.to_json(column), Text)


def _node_plan(plan: ConnectionPlan, model: type[Entity]) -> ObjectPlan:
    """The object plan of the connection's nodes (the planner allows one ``edges { node }``
    per connection); a connection without nodes reads only ids."""
    for field in plan.fields:
        if isinstance(field, Edges):
            for part in field.fields:
                if isinstance(part, tuple):
                    return part[1]
    return ObjectPlan(model, ())


def _global_id(entity_type: str, id: ColumnElement[Any]) -> ColumnElement[Any]:
    """``to_global_id``: base64 of ``"<type>:<uuid>"`` (PostgreSQL wraps base64 at 76
    characters, so the line breaks are removed)."""
    raw = func.convert_to(_text(f"{entity_type}:").op("||")(cast(id, Text)), _sql("'UTF8'"))
    return func.replace(func.encode(raw, _sql("'base64'")), _sql("E'\\n'"), _sql("''"))


def _encode(field: Value, column: ColumnElement[Any]) -> ColumnElement[Any]:
    if field.encoding is Encoding.DECIMAL:
        return cast(column, Text)
    if field.encoding is Encoding.DATETIME:
        return _isoformat(column)
    if field.encoding is Encoding.DATE:
        return _date(column)
    if field.encoding is Encoding.ENUM and field.names:
        names = ((column == _text(stored), _text(name)) for stored, name in field.names)
        return case(*names, else_=column)
    return column


def _in_calendar(column: ColumnElement[Any], earliest: str, latest: str) -> ColumnElement[Any]:
    """``column`` with ``±infinity`` as asyncpg reads them: Python's latest and earliest
    value of the type (``datetime.max``, ``date.min``, …), which the normal path then writes.
    (Not ``least``/``greatest``: they skip NULL, and NULL must stay NULL.)"""
    return case(
        (column == _sql("'infinity'"), _sql(latest)),
        (column == _sql("'-infinity'"), _sql(earliest)),
        else_=column,
    )


def _date(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``date.isoformat()``, ``±infinity`` as ``9999-12-31`` and ``0001-01-01``."""
    clamped = _in_calendar(column, "'0001-01-01'::date", "'9999-12-31'::date")
    return func.to_char(clamped, _sql("'YYYY-MM-DD'"))


def _isoformat(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``datetime.isoformat()`` of an aware UTC datetime: microseconds only when not zero;
    ``±infinity`` as ``datetime.max`` and ``datetime.min``."""
    column = _in_calendar(
        column,
        "'0001-01-01 00:00:00+00'::timestamptz",
        "'9999-12-31 23:59:59.999999+00'::timestamptz",
    )
    utc = func.timezone(_sql("'UTC'"), column)
    seconds = func.to_char(utc, _sql("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
    micro = func.to_char(utc, _sql("'US'"))
    fraction = case((micro == _sql("'000000'"), _sql("''")), else_=_sql("'.'").op("||")(micro))
    return seconds.op("||")(fraction).op("||")(_sql("'+00:00'"))  # NULL stays NULL
