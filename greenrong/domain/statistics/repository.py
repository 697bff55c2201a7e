"""All SQL of the statistics context: the figures recomputed from the rows, and the kept ones.

Works on PostgreSQL and SQLite alike:
- Money sums are typed with the column's own type (``type_=``), so SQLite's scaled integers come
  back as exact ``Decimal`` (and PostgreSQL's NUMERIC stays NUMERIC).
- ``utc_year`` is ``EXTRACT(YEAR FROM …)`` on PostgreSQL, where the timestamptz is first converted
  ``AT TIME ZONE 'UTC'``, so the year does not depend on the session's TimeZone setting (and
  ``±infinity`` is clamped to the calendar Python reads). SQLite stores UTCDateTime values as
  UTC text, whose first four characters are the year.

A recomputation aggregates only the rows ``rows`` admits (the access policy's row rule of each
table as a WHERE condition), so a figure never moves with a row the caller may not see
(docs/SECURITY.md, "Statistics"). The kept figures (``platform_figure``) are read per scope in
one statement, changed by one upsert per committing transaction (``upkeep.py``), and rebuilt
from a recomputation per scope.

The ``*_sync`` functions take the synchronous ``Session`` (the upkeep runs inside SQLAlchemy's
commit; ``AsyncSession.run_sync`` calls them from async code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    case,
    cast,
    delete,
    extract,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import False_
from sqlalchemy.sql.functions import FunctionElement

from greenrong.domain.kit import revision_repository as revisions
from greenrong.domain.kit.types import Money
from greenrong.domain.statistics.figures import PAIR, PARTS, TOTAL, Key, Part, Tally
from greenrong.domain.statistics.models import FigureAmount, PlatformFigure

FIGURES: Table = PlatformFigure.__table__  # type: ignore[assignment]
#: the figure of a scope's marker row, whose key is the scope's fingerprint
BUILT = "built"
#: the revision (``kit/revision_repository.py``) that every change of the kept figures moves,
#: in the same transaction
REVISION = "platform_figures"

FigureRow = tuple[str, str, int, Decimal | None]  # figure, key, count, amount


class utc_year(FunctionElement[int]):  # noqa: N801 - reads as a SQL function
    """The calendar year of a timezone-aware timestamp, in UTC."""

    type = Integer()
    inherit_cache = True
    name = "utc_year"


@compiles(utc_year)
def _utc_year(element: utc_year, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite: the year is the first four characters of the stored UTC text (its
    ``strftime('%Y', …)`` is NULL for the calendar's last millisecond, 9999-12-31 23:59:59.9995
    and later, which it rounds into year 10000)."""
    (column,) = element.clauses
    return compiler.process(cast(func.substr(column, 1, 4), Integer), **kw)


@compiles(utc_year, "postgresql")
def _utc_year_postgresql(element: utc_year, compiler: SQLCompiler, **kw: Any) -> str:
    """``±infinity`` (asyncpg stores ``datetime.max``/``min`` so, and reads them back so) is
    clamped to those datetimes first: such a row counts in year 9999 or 1, as the API shows
    it, instead of failing every caller's statistics ("cannot convert infinity to integer")."""
    (column,) = element.clauses
    earliest: ColumnElement[Any] = literal_column("'0001-01-01 00:00:00+00'::timestamptz")
    latest: ColumnElement[Any] = literal_column("'9999-12-31 23:59:59.999999+00'::timestamptz")
    clamped = case(  # (not least/greatest: they skip NULL, and NULL must stay NULL)
        (column == literal_column("'infinity'"), latest),
        (column == literal_column("'-infinity'"), earliest),
        else_=column,
    )
    in_utc = clamped.op("AT TIME ZONE")(literal_column("'UTC'"))
    return compiler.process(cast(extract("year", in_utc), Integer), **kw)


#: the caller's rows of a model as a WHERE condition: None for every row, ``false()`` for none
RowScope = Callable[[type[Any]], ColumnElement[bool] | None]


def _part_select(part: Part, condition: ColumnElement[bool] | None) -> Select[Any]:
    model: Any = part.model
    key: ColumnElement[Any]
    where: list[ColumnElement[bool]] = [] if condition is None else [condition]
    if part.key is not None:
        column = getattr(model, part.key)
        key = type_coerce(column, String())
        where.append(column.is_not(None))
    elif part.year_of is not None:
        moment = getattr(model, part.year_of)
        key = cast(utc_year(moment), String())
        where.append(moment.is_not(None))
    elif part.pair is not None:  # figures.pair_key
        first, second = (getattr(model, name) for name in part.pair)
        # inline literals: PostgreSQL matches the GROUP BY to the selected key only when both
        # are the same text (bound parameters would be numbered apart)
        empty, between = literal_column("''", String()), literal_column(f"'{PAIR}'", String())
        key = type_coerce(func.coalesce(first, empty).concat(between).concat(second), String())
    else:
        key = literal(TOTAL, String())
    if part.when is not None:
        where.append(model.status == part.when)
    amount: ColumnElement[Any] = cast(null(), Money())
    if part.amount is not None:
        column = getattr(model, part.amount)
        amount = func.sum(column, type_=column.type)
    statement = (
        select(literal(part.figure, String()), key, func.count(), amount)
        .select_from(model)
        .where(*where)
    )
    if part.key is None and part.year_of is None and part.pair is None:
        return statement
    return statement.group_by(key)


def figures_statement(rows: RowScope) -> Any:
    """Every figure over the rows ``rows`` admits, as (figure, key, count, amount) rows; None
    when it admits no row of any model."""
    selects = []
    for part in PARTS:
        condition = rows(part.model)
        if isinstance(condition, False_):
            continue
        selects.append(_part_select(part, condition))
    if not selects:
        return None
    return selects[0] if len(selects) == 1 else union_all(*selects)


def _figure_rows(result: Iterable[Any]) -> list[FigureRow]:
    return [(figure, key, count, amount) for figure, key, count, amount in result if count]


def recompute_sync(session: Session, rows: RowScope) -> list[FigureRow]:
    statement = figures_statement(rows)
    return [] if statement is None else _figure_rows(session.execute(statement))


class StatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recompute(self, rows: RowScope) -> list[FigureRow]:
        """The figures over the rows ``rows`` admits, from the rows themselves (one statement,
        none when it admits nothing)."""
        statement = figures_statement(rows)
        if statement is None:
            return []
        return _figure_rows(await self.session.execute(statement))

    async def kept(self, scope: str, figures: Iterable[str] | None = None) -> list[FigureRow]:
        """The kept figures of ``scope`` (only ``figures``, when given), its ``built`` marker
        included (one statement: a range of the primary key)."""
        table = FIGURES
        statement = select(table.c.figure, table.c.key, table.c.count, table.c.amount).where(
            table.c.scope == scope
        )
        if figures is not None:
            statement = statement.where(table.c.figure.in_([BUILT, *figures]))
        return [tuple(row) for row in await self.session.execute(statement)]

    async def kept_below(
        self, scope: str, *, whole: Iterable[str], below: Mapping[str, str]
    ) -> list[FigureRow]:
        """The kept figures of ``scope`` named in ``whole``, and those of each figure in
        ``below`` whose key sorts before its bound (one statement: ranges of the primary key,
        as many rows as the keys in them)."""
        table = FIGURES
        columns = (table.c.figure, table.c.key, table.c.count, table.c.amount)
        here = table.c.scope == scope
        selects = [select(*columns).where(here, table.c.figure.in_(list(whole)))]
        selects += [
            select(*columns).where(here, table.c.figure == figure, table.c.key < bound)
            for figure, bound in below.items()
        ]
        return [tuple(row) for row in await self.session.execute(union_all(*selects))]

    async def markers(self) -> set[tuple[str, str]]:
        """(scope, fingerprint) of every built scope."""
        table = FIGURES
        statement = select(table.c.scope, table.c.key).where(table.c.figure == BUILT)
        return {(scope, key) for scope, key in await self.session.execute(statement)}


def apply_sync(session: Session, deltas: dict[tuple[str, str, str], Tally]) -> None:
    """Add ``deltas`` ((scope, figure, key) -> count and amount) to the kept figures, in one
    upsert whose rows come in key order (so concurrent transactions lock them in the same
    order), then drop the keys left with no row."""
    changed = sorted(k for k, t in deltas.items() if t.count or t.amount)
    if not changed:
        return
    table = FIGURES
    values = [
        {"scope": s, "figure": f, "key": k, "count": deltas[s, f, k].count,
         "amount": deltas[s, f, k].amount}
        for s, f, k in changed
    ]  # fmt: skip
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.figure, table.c.key],
        set_={
            "count": table.c.count + statement.excluded.count,
            "amount": table.c.amount + statement.excluded.amount,
        },
    )
    session.execute(statement)
    session.execute(
        delete(table).where(
            table.c.count == 0,
            tuple_(table.c.scope, table.c.figure, table.c.key).in_(changed),
        )
    )
    revisions.bump_sync(session, REVISION)  # last: the row stays locked until the commit


def key_sync(session: Session, figure: str) -> str | None:
    """The key of ``figure`` in any scope (a figure every built scope holds once, such as a
    horizon), None when no scope holds it. On PostgreSQL the table is first locked as the
    upkeep's upserts lock it (ROW EXCLUSIVE), so a rebuild (``replace_sync``) that has begun
    is waited for and the key read is the one its deltas are then added to."""
    table = FIGURES
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE platform_figure IN ROW EXCLUSIVE MODE"))
    return session.scalar(select(table.c.key).where(table.c.figure == figure).limit(1))


def put_sync(session: Session, values: list[dict[str, Any]]) -> None:
    """Insert kept figure rows (scope, figure, key, count, amount) as they are (a rebuild's)."""
    if values:
        session.execute(FIGURES.insert(), values)


def replace_sync(session: Session, scopes: Iterable[tuple[str, str, RowScope]]) -> None:
    """Rebuild every kept figure: each (scope, fingerprint, rows) recomputed, with its marker.

    On PostgreSQL the table is locked first (SHARE ROW EXCLUSIVE, which the upkeep's upserts
    wait for): a transaction that changed rows before this recomputation began, and commits
    after it, adds its deltas once this rebuild has committed; one that committed before it
    is in the recomputation."""
    table = FIGURES
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE platform_figure IN SHARE ROW EXCLUSIVE MODE"))
    session.execute(delete(table))
    values: list[dict[str, Any]] = []
    for scope, fingerprint, rows in scopes:
        figures: dict[Key, Tally] = {}
        for figure, key, count, amount in recompute_sync(session, rows):
            tally = figures.setdefault((figure, key), Tally())
            tally.count += count
            tally.amount += amount or 0
        values.extend(
            {"scope": scope, "figure": f, "key": k, "count": t.count, "amount": t.amount}
            for (f, k), t in sorted(figures.items())
        )
        values.append(
            {"scope": scope, "figure": BUILT, "key": fingerprint, "count": 0, "amount": 0}
        )
    session.execute(table.insert(), values)
    revisions.bump_sync(session, REVISION)


__all__ = [
    "BUILT",
    "REVISION",
    "FigureAmount",
    "FigureRow",
    "RowScope",
    "StatisticsRepository",
    "apply_sync",
    "figures_statement",
    "key_sync",
    "put_sync",
    "recompute_sync",
    "replace_sync",
    "utc_year",
]
