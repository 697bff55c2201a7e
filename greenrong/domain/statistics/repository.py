"""All SQL of the statistics context: three statements, each a set of grouped aggregates.

Works on PostgreSQL and SQLite alike:
- Money sums are typed with the column's own type (``type_=``), so SQLite's scaled integers come
  back as exact ``Decimal`` (and PostgreSQL's NUMERIC stays NUMERIC).
- ``utc_year`` is ``EXTRACT(YEAR FROM …)`` on PostgreSQL, where the timestamptz is first converted
  ``AT TIME ZONE 'UTC'``, so the year does not depend on the session's TimeZone setting (and
  ``±infinity`` is clamped to the calendar Python reads). SQLite stores UTCDateTime values as
  UTC text, whose first four characters are the year.

Every figure aggregates only the rows the caller sees (``rows``: the access policy's row rule of
each table as a WHERE condition), so a figure never moves with a row the caller may not see
(docs/SECURITY.md, "Statistics").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.finance.models import (
    DemandStatus,
    FinancialInstitution,
    FinancialProduct,
    FinancingDemand,
)
from greenrong.domain.matching.tracked import FinancingMatch, MatchStatus, TechnologyDeal
from greenrong.domain.technology.models import TechnologyListing

RECEIVED = "received"
FINANCED = "financed"
MATCH_FINANCED = "match_financed"
GREEN_CATEGORY = "green_category"
EXPERT_TITLE = "expert_title"
DISCLOSURE_KIND = "disclosure_kind"


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


@dataclass(frozen=True)
class Totals:
    enterprises: int
    institutions: int
    products: int
    experts: int
    listings: int
    demand_received: Decimal | None
    financing_facilitated: Decimal | None
    matching_services: int
    match_financed: Decimal | None


@dataclass(frozen=True)
class YearRow:
    series: str
    year: int
    amount: Decimal | None
    count: int


@dataclass(frozen=True)
class GroupCount:
    dimension: str
    key: str
    count: int


#: the caller's rows of a model as a WHERE condition, None for every row
RowScope = Callable[[type[Any]], ColumnElement[bool] | None]


class StatisticsRepository:
    def __init__(self, session: AsyncSession, *, rows: RowScope) -> None:
        self.session = session
        self.rows = rows

    def _seen(self, statement: Select[Any], model: type[Any]) -> Select[Any]:
        """``statement`` limited to the rows of ``model`` the caller sees."""
        condition = self.rows(model)
        return statement if condition is None else statement.where(condition)

    async def totals(self) -> Totals:
        """Row counts and the two money totals, in one SELECT of scalar subqueries."""

        def count(model: type[Any]) -> ColumnElement[int]:
            return self._seen(select(func.count()).select_from(model), model).scalar_subquery()

        def total(column: Any, model: type[Any], *where: ColumnElement[bool]) -> Any:
            statement = select(func.sum(column, type_=column.type)).where(*where)
            return self._seen(statement, model).scalar_subquery()

        amount = FinancingDemand.amount
        financed = FinancingDemand.financed_amount
        statement = select(
            count(Enterprise),
            count(FinancialInstitution),
            count(FinancialProduct),
            count(Expert),
            count(TechnologyListing),
            total(amount, FinancingDemand),
            total(financed, FinancingDemand, FinancingDemand.status == DemandStatus.FINANCED),
            count(FinancingMatch) + count(TechnologyDeal),
            total(
                FinancingMatch.amount, FinancingMatch, FinancingMatch.status == MatchStatus.FINANCED
            ),
        )
        row = (await self.session.execute(statement)).one()
        return Totals(*row)

    async def amounts_by_year(self) -> list[YearRow]:
        """Demands received by year of submission and financed by year of financing (FINANCED
        demands without a financed_at count in the total but in no year), and tracked matches
        financed by the year they closed."""
        amount = FinancingDemand.amount
        financed = FinancingDemand.financed_amount
        submitted_year = utc_year(FinancingDemand.submitted_at)
        financed_year = utc_year(FinancingDemand.financed_at)
        received = self._seen(
            select(
                literal(RECEIVED, String()).label("series"),
                submitted_year.label("year"),
                func.sum(amount, type_=amount.type).label("amount"),
                func.count().label("count"),
            ),
            FinancingDemand,
        ).group_by(submitted_year)
        facilitated = self._seen(
            select(
                literal(FINANCED, String()),
                financed_year,
                func.sum(financed, type_=amount.type),
                func.count(),
            ).where(
                FinancingDemand.status == DemandStatus.FINANCED,
                FinancingDemand.financed_at.is_not(None),
            ),
            FinancingDemand,
        ).group_by(financed_year)
        match_year = utc_year(FinancingMatch.closed_at)
        matched = self._seen(
            select(
                literal(MATCH_FINANCED, String()),
                match_year,
                func.sum(FinancingMatch.amount, type_=amount.type),
                func.count(),
            ).where(
                FinancingMatch.status == MatchStatus.FINANCED,
                FinancingMatch.closed_at.is_not(None),
            ),
            FinancingMatch,
        ).group_by(match_year)
        statement: CompoundSelect[tuple[str, int, Decimal, int]] = union_all(
            received, facilitated, matched
        ).order_by("series", "year")
        rows = await self.session.execute(statement)
        return [YearRow(*row) for row in rows]

    async def group_counts(self) -> list[GroupCount]:
        """Enterprises by green category, experts by title, disclosures by kind."""

        def by(
            dimension: str, model: type[Any], column: QueryableAttribute[Any]
        ) -> Select[tuple[str, str, int]]:
            counted = select(
                literal(dimension, String()),
                type_coerce(column, String()),
                func.count(),
            )
            return self._seen(counted, model).group_by(column)

        statement: CompoundSelect[tuple[str, str, int]] = union_all(
            by(GREEN_CATEGORY, Enterprise, Enterprise.green_category),
            by(EXPERT_TITLE, Expert, Expert.title),
            by(DISCLOSURE_KIND, Disclosure, Disclosure.kind),
        )
        rows = await self.session.execute(statement)
        return [GroupCount(*row) for row in rows]
