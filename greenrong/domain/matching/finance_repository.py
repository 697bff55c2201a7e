"""The SQL of demand ↔ product matching: open demands a product may fit, pre-filtered.

The pre-filter only narrows; ``finance_rules`` decides. It uses the rules that are plain
columns (status, amount, term, the enterprise's region, category and level) and leaves the JSON
lists (accepted kinds, collateral offered) to Python, where both databases agree. It never
reads a consent-gated column (``policy.PRIVATE_FIELDS``: the maximum rate, collateral,
purpose): which candidates come back must not depend on a value the caller may not read, so
the rate rule is left to Python too, where the caller's withheld fields are known.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import DemandStatus, FinancialProduct, FinancingDemand
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.catalog import region_chain, regions
from greenrong.domain.reference.vocab import GreenLevel

D, E, P = FinancingDemand, Enterprise, Project

Candidate = tuple[FinancingDemand, Enterprise, Project | None]
#: a demand with its enterprise and project, each None where the caller may not see it
Parties = tuple[FinancingDemand, Enterprise | None, Project | None]
#: the caller's rows of an entity (the model) on the statement's alias of it, None for all
AliasScope = Callable[[Any, type[Any]], ColumnElement[bool] | None]
#: ``demands_with_parties``' aliases, made once (an alias adapts its columns on first use)
_PARTIES = aliased(D, name="d"), aliased(E, name="e"), aliased(P, name="p")


def covered_regions(codes: list[str]) -> list[str]:
    """Every region a product for ``codes`` covers: each code and all regions inside it."""
    wanted = set(codes)
    return sorted(code for code in regions() if wanted & {r.code for r in region_chain(code)})


async def open_demand_candidates(
    session: AsyncSession,
    product: FinancialProduct,
    *,
    on: date,
    scope: ColumnElement[bool] | None = None,
) -> list[Candidate]:
    """Open demands whose amount, term, region, category and level may fit ``product``,
    among those ``scope`` lets the caller see (None: every demand)."""
    statement = (
        select(D, E, P)
        .join(E, D.enterprise_id == E.id)
        .outerjoin(P, D.project_id == P.id)
        .where(
            D.status == DemandStatus.OPEN,
            D.amount >= product.min_amount,
            D.amount <= product.max_amount,
            D.term_months >= product.min_term_months,
            D.term_months <= product.max_term_months,
            E.region_code.in_(covered_regions(product.eligible_region_codes)),
        )
        .order_by(D.submitted_at, D.id)
    )
    if scope is not None:
        statement = statement.where(scope)
    if product.eligible_green_categories:
        statement = statement.where(E.green_category.in_(product.eligible_green_categories))
    if product.min_green_level is not GreenLevel.NONE:
        levels = [level for level in GreenLevel if level.rank >= product.min_green_level.rank]
        statement = statement.where(E.green_level.in_(levels), E.green_level_valid_until >= on)
    rows = await session.execute(statement)
    return [(demand, enterprise, project) for demand, enterprise, project in rows.tuples()]


async def demands_with_parties(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    *,
    scope: AliasScope,
    consents: Sequence[tuple[str, Select[Any]]] = (),
) -> dict[uuid.UUID, tuple[Parties, tuple[bool, ...]]]:
    """The demands ``ids`` the caller sees, each with its enterprise and project in the same
    statement (a LEFT JOIN each: None where there is none or the caller may not see it), and
    per ``consents`` entry (a demand column, the enterprises whose consent is valid) whether
    the demand's value of that column is among them.

    Every table is read under an alias and limited by ``scope(alias, model)``, the caller's
    rows of that model exactly as its row loader reads them: a scope's subqueries name the
    plain tables (the institution's projects are those of the demands it sees), which must not
    be correlated with this statement's rows."""
    d, e, p = _PARTIES
    statement = (
        select(d, e, p, *(getattr(d, column).in_(query) for column, query in consents))
        .outerjoin(e, and_(e.id == d.enterprise_id, _or_true(scope(e, E))))
        .outerjoin(p, and_(p.id == d.project_id, _or_true(scope(p, P))))
        .where(d.id.in_(list(ids)))
    )
    demand_scope = scope(d, D)
    if demand_scope is not None:
        statement = statement.where(demand_scope)
    rows = (await session.execute(statement)).all()
    return {
        row[0].id: ((row[0], row[1], row[2]), tuple(bool(value) for value in row[3:]))
        for row in rows
    }


def _or_true(condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
    return true() if condition is None else condition
