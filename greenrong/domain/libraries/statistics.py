"""Library figures for ``platformStatistics``: open memberships per library, and their shares
by the subject's green category.

Rounding rule: ``share_percent`` are whole percentages apportioned by the largest-remainder
(Hamilton) method, so a library's shares add up to exactly 100 (ties go to the earlier
category in ``GreenCategory`` order), as a report's table of shares does. ``share`` is the exact
fraction, rounded half-up to four places. With the demo seed at scale 1 the percentages are the
report's (green projects 38/20/17/16/7/2, green enterprises 39/21/13/11/10/6); plain half-up
rounding could not give them, because 13 of 84 projects is 15.48 %.

Like every statistic, the figures count only what the caller sees (docs/SECURITY.md,
"Statistics"): enterprise memberships are public, a project's are seen with the project. They
are kept per scope as the memberships change (``figures.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, not_
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access import policy
from greenrong.domain.access.predicates import Nothing, sql_condition, to_sql
from greenrong.domain.access.principal import Principal
from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.kit.types import utcnow
from greenrong.domain.libraries import figures
from greenrong.domain.libraries.models import Library, LibraryMembership
from greenrong.domain.libraries.repository import open_counts
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.statistics import scopes

_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class CategoryShare:
    category: GreenCategory
    count: int
    #: count / total, half-up to 4 places (0 for an empty library)
    share: Decimal
    #: whole per cent, largest remainder: a library's add up to 100 (0 for an empty library)
    share_percent: int


@dataclass(frozen=True)
class LibraryFigures:
    library: Library
    #: memberships open on the day asked for
    count: int
    #: every category in enum order, zeros included
    by_green_category: list[CategoryShare]


def shares(counts: dict[GreenCategory, int]) -> list[CategoryShare]:
    """Every category's count, exact share and whole-percent share (see the module doc)."""
    ordered = [counts.get(c, 0) for c in GreenCategory]
    total = sum(ordered)
    percents = largest_remainder(100, ordered) if total else [0] * len(ordered)
    return [
        CategoryShare(
            category=category,
            count=n,
            share=(Decimal(n) / total).quantize(_PLACES, ROUND_HALF_UP) if total else Decimal(0),
            share_percent=p,
        )
        for category, n, p in zip(GreenCategory, ordered, percents, strict=True)
    ]


async def library_statistics(
    session: AsyncSession, *, on: date, principal: Principal
) -> list[LibraryFigures]:
    """Every library in ``Library`` order, over the memberships ``principal`` sees: the kept
    figures of its scope (``figures.py``, one statement) plus, for a caller who sees projects
    beyond its scope's, the memberships of those projects (one grouped statement over them);
    one grouped statement over every membership for a day before the kept figures' horizon."""
    counts = await figures.kept_counts(session, on=on, principal=principal)
    if counts is None:
        return await recomputed_library_statistics(session, on=on, principal=principal)
    if (own := _own_rows(principal)) is not None:
        for library, of_library in (await open_counts(session, on, seen=own)).items():
            for category, n in of_library.items():
                counts[library][category] = counts[library].get(category, 0) + n
    return _figures(counts)


async def recomputed_library_statistics(
    session: AsyncSession, *, on: date, principal: Principal
) -> list[LibraryFigures]:
    """``library_statistics`` from the memberships themselves (one grouped statement over
    every membership the caller sees): what the kept figures must always equal."""
    rule = policy.visible_rows(principal, LibraryMembership.entity_type)
    return _figures(
        await open_counts(session, on, seen=to_sql(LibraryMembership, rule, now=utcnow()))
    )


def _figures(counts: dict[Library, dict[GreenCategory, int]]) -> list[LibraryFigures]:
    return [
        LibraryFigures(
            library=library,
            count=sum(counts[library].values()),
            by_green_category=shares(counts[library]),
        )
        for library in Library
    ]


def _own_rows(principal: Principal) -> ColumnElement[bool] | None:
    """The memberships the caller sees beyond its scope's base rows, as a condition; None for
    none. Those are project memberships, seen with the project: a caller who sees no project
    (the public, partners) has none, and no statement is made."""
    own = scopes.own_rows(principal, LibraryMembership.entity_type)
    if isinstance(own, Nothing) or isinstance(
        policy.visible_rows(principal, Project.entity_type), Nothing
    ):
        return None
    now = utcnow()
    condition = sql_condition(LibraryMembership, own, now)
    base = scopes.SCOPE_OF[principal.role].rows[LibraryMembership.entity_type]
    if isinstance(base, Nothing):
        return condition
    return condition & not_(sql_condition(LibraryMembership, base, now))
