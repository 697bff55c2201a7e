"""Platform statistics: the report's headline figures, exact, kept as the rows change.

The figures are the caller's: each counts and sums only the rows the caller may see
(``policy.visible_rows``), so ADMIN and REGULATOR get the platform's figures and the public
gets the figures of public rows, which no private row moves (docs/SECURITY.md, "Statistics").

``platform_statistics`` reads the kept figures of the caller's scope (one statement, whatever
the size of the data) and adds, for a caller bound to an organisation, its own rows beyond the
scope's (``scopes.own_rows``; one more statement over that organisation's rows).
``recomputed_statistics`` computes the same answer from the rows alone: it is what the kept
figures must always equal (tests/domain/test_statistics_upkeep.py), and the answer while a scope
is not built (a database migrated by an older greenrong, or rules changed since).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from sqlalchemy import ColumnElement, false, not_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from greenrong.domain.access import policy
from greenrong.domain.access.predicates import Everything, Nothing, sql_condition, to_sql
from greenrong.domain.access.principal import Principal
from greenrong.domain.kit.types import utcnow
from greenrong.domain.libraries import figures as library_figures
from greenrong.domain.statistics import scopes
from greenrong.domain.statistics.figures import TRACKED, merged, statistics_of
from greenrong.domain.statistics.repository import (
    BUILT,
    REVISION,
    RowScope,
    StatisticsRepository,
    replace_sync,
)
from greenrong.domain.statistics.types import PlatformStatistics, YearAmount

__all__ = [
    "PlatformStatistics",
    "YearAmount",
    "platform_statistics",
    "rebuild",
    "recomputed_statistics",
    "shared_scope",
]

log = logging.getLogger(__name__)


async def platform_statistics(session: AsyncSession, *, principal: Principal) -> PlatformStatistics:
    """Counts, money totals, money by UTC year and breakdowns, with every enum member listed,
    over the rows ``principal`` may see."""
    scope = scopes.SCOPE_OF[principal.role]
    repository = StatisticsRepository(session)
    kept = await repository.kept(scope.name)
    if (BUILT, scope.fingerprint) not in {(figure, key) for figure, key, *_ in kept}:
        log.warning(
            "statistics: scope %s is not built for these rules; recomputing (greenrong migrate"
            " rebuilds it)",
            scope.name,
        )
        return await recomputed_statistics(session, principal=principal)
    own = await repository.recompute(_own_rows(principal))
    return statistics_of(merged((row for row in kept if row[0] != BUILT), own))


#: the revision (``kit/revision_repository.py``) that moves with every change of the kept figures
FIGURES_REVISION = REVISION


@functools.lru_cache(maxsize=4096)  # a function of the principal and the code's rules
def shared_scope(principal: Principal) -> str | None:
    """What the caller's figures are a function of, besides ``FIGURES_REVISION``: its scope
    (name and fingerprint) when it sees no rows of its own beyond the scope's base rows (ADMIN,
    REGULATOR, the public...), so every such caller of the scope gets the same answer; None
    for a caller bound to an organisation with rows of its own (its answer also reads them,
    and rules such as consent that no revision follows)."""
    scope = scopes.SCOPE_OF[principal.role]
    for model in TRACKED:
        if not isinstance(scopes.own_rows(principal, model.entity_type), Nothing):
            return None
    return f"{scope.name}:{scope.fingerprint}"


async def recomputed_statistics(
    session: AsyncSession, *, principal: Principal
) -> PlatformStatistics:
    """``platform_statistics`` from the rows themselves (one statement over every table)."""
    now = utcnow()

    def rows(model: type[Any]) -> ColumnElement[bool] | None:
        return to_sql(model, policy.visible_rows(principal, model.entity_type), now=now)

    return statistics_of(merged(await StatisticsRepository(session).recompute(rows)))


def _own_rows(principal: Principal) -> RowScope:
    now = utcnow()
    scope = scopes.SCOPE_OF[principal.role]

    def rows(model: type[Any]) -> ColumnElement[bool] | None:
        own = scopes.own_rows(principal, model.entity_type)
        if isinstance(own, Nothing):
            return false()
        base = scope.rows[model.entity_type]
        condition = sql_condition(model, own, now)
        if isinstance(base, Nothing):
            return condition
        return condition & not_(sql_condition(model, base, now))

    return rows


def _base_rows(scope: scopes.Scope) -> RowScope:
    now = utcnow()

    def rows(model: type[Any]) -> ColumnElement[bool] | None:
        base = scope.rows[model.entity_type]
        if isinstance(base, Everything):
            return None
        return sql_condition(model, base, now)

    return rows


def rebuild_sync(session: Session) -> None:
    """Recompute every scope's kept figures (in the caller's transaction), the libraries'
    with today (UTC) as their horizon."""
    replace_sync(session, ((s.name, s.fingerprint, _base_rows(s)) for s in scopes.SCOPES))
    library_figures.rebuild_sync(session, utcnow().date())


async def rebuild(session: AsyncSession) -> None:
    await session.run_sync(rebuild_sync)


async def built(session: AsyncSession) -> bool:
    """Whether every scope is built for the rules of this code."""
    markers = await StatisticsRepository(session).markers()
    return all((s.name, s.fingerprint) in markers for s in scopes.SCOPES)
