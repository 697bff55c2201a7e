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
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import DemandStatus, FinancialProduct, FinancingDemand
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.catalog import region_chain, regions
from greenrong.domain.reference.vocab import GreenLevel

D, E, P = FinancingDemand, Enterprise, Project

Candidate = tuple[FinancingDemand, Enterprise, Project | None]


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


async def enterprises_with_projects(
    session: AsyncSession,
    pairs: Sequence[tuple[uuid.UUID, uuid.UUID]],
    *,
    enterprise_scope: ColumnElement[bool] | None,
    project_scope: ColumnElement[bool] | None,
) -> tuple[dict[uuid.UUID, Enterprise], dict[uuid.UUID, Project]]:
    """The enterprises and projects of ``pairs`` (enterprise id, project id) in one statement:
    each table read by id within its scope (the statements the row loaders run, as derived
    tables, so a scope's subquery never correlates with the other table), then the projects
    joined to their enterprise. A project of another enterprise than its pair's, or of a
    hidden enterprise, is not returned: the caller loads it on its own."""
    enterprises = select(E).where(E.id.in_({e for e, _ in pairs}))
    if enterprise_scope is not None:
        enterprises = enterprises.where(enterprise_scope)
    projects = select(P).where(P.id.in_({p for _, p in pairs}))
    if project_scope is not None:
        projects = projects.where(project_scope)
    e, p = aliased(E, enterprises.subquery()), aliased(P, projects.subquery())
    rows = await session.execute(select(e, p).outerjoin(p, p.enterprise_id == e.id))
    found_enterprises: dict[uuid.UUID, Enterprise] = {}
    found_projects: dict[uuid.UUID, Project] = {}
    for enterprise, project in rows.tuples():
        found_enterprises[enterprise.id] = enterprise
        if project is not None:
            found_projects[project.id] = project
    return found_enterprises, found_projects
