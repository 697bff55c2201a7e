"""Typed filter operators. Each entity's `where` input combines these with and/or/not."""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

E = TypeVar("E")


def op(description: str, *, name: str | None = None) -> Any:
    """An optional operator field: absent means "no condition"."""
    return strawberry.field(default=strawberry.UNSET, description=description, name=name)


_EQ, _NE, _IN = "Equal to.", "Not equal to.", "Equal to any of."
_GT, _GTE, _LT, _LTE = (
    "Greater than.",
    "Greater than or equal to.",
    "Less than.",
    "Less than or equal to.",
)
_NULL = "true: the value is absent; false: it is present."


@strawberry.input(description="Conditions on a text value.")
class StringFilter:
    eq: str | None = op(_EQ)
    ne: str | None = op(_NE)
    in_: list[str] | None = op(_IN, name="in")
    contains: str | None = op("Contains this text (case-insensitive for Latin letters).")
    starts_with: str | None = op("Starts with this text (case-insensitive for Latin letters).")
    is_null: bool | None = op(_NULL)


@strawberry.input(description="Conditions on a whole number.")
class IntFilter:
    eq: int | None = op(_EQ)
    ne: int | None = op(_NE)
    in_: list[int] | None = op(_IN, name="in")
    gt: int | None = op(_GT)
    gte: int | None = op(_GTE)
    lt: int | None = op(_LT)
    lte: int | None = op(_LTE)


@strawberry.input(description="Conditions on an exact decimal (money in CNY, rates as fractions).")
class DecimalFilter:
    eq: Decimal | None = op(_EQ)
    ne: Decimal | None = op(_NE)
    gt: Decimal | None = op(_GT)
    gte: Decimal | None = op(_GTE)
    lt: Decimal | None = op(_LT)
    lte: Decimal | None = op(_LTE)
    is_null: bool | None = op(_NULL)


@strawberry.input(description="Conditions on a date.")
class DateFilter:
    eq: datetime.date | None = op(_EQ)
    gt: datetime.date | None = op("After.")
    gte: datetime.date | None = op("On or after.")
    lt: datetime.date | None = op("Before.")
    lte: datetime.date | None = op("On or before.")
    is_null: bool | None = op(_NULL)


@strawberry.input(description="Conditions on a timestamp (ISO 8601 with a time zone).")
class DateTimeFilter:
    gt: datetime.datetime | None = op("After.")
    gte: datetime.datetime | None = op("At or after.")
    lt: datetime.datetime | None = op("Before.")
    lte: datetime.datetime | None = op("At or before.")
    is_null: bool | None = op(_NULL)


@strawberry.input(description="Conditions on a global id.")
class IDFilter:
    eq: strawberry.ID | None = op(_EQ)
    ne: strawberry.ID | None = op(_NE)
    in_: list[strawberry.ID] | None = op(_IN, name="in")
    is_null: bool | None = op(_NULL)


@strawberry.input(description="Conditions on a true/false value.")
class BooleanFilter:
    eq: bool | None = op(_EQ)


@strawberry.input(description="Conditions on an enumerated value.")
class EnumFilter(Generic[E]):
    eq: E | None = op(_EQ)
    ne: E | None = op(_NE)
    in_: list[E] | None = op(_IN, name="in")


@strawberry.input(description="Conditions on a set of enumerated values.")
class TagsFilter(Generic[E]):
    has: E | None = op("The set contains this value.")
    has_any: list[E] | None = op("The set contains at least one of these values.")


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending: A→Z, small→large, old→new.")
    DESC = strawberry.enum_value("DESC", description="Descending: Z→A, large→small, new→old.")
