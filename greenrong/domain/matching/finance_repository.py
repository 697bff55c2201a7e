"""The SQL of demand ↔ product matching: open demands a product may fit, pre-filtered.

The pre-filter only narrows; ``finance_rules`` decides. It uses the rules that are plain
columns (status, amount, term, the enterprise's region, category and level) and leaves the JSON
lists (accepted kinds, collateral offered) to Python, where both databases agree. It never
reads a consent-gated column (``policy.PRIVATE_FIELDS``: the maximum rate, collateral,
purpose): which candidates come back must not depend on a value the caller may not read, so
the rate rule is left to Python too, where the caller's withheld fields are known.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

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
