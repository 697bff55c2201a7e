"""Glue for ``FinancingDemand.productMatches`` and ``FinancialProduct.demandMatches``.

Forward: the demand, its enterprise and project come through the DataLoaders; one ``_msearch``
ranks the products (``indexers/matching/finance.py``); the hits' rows come through the
DataLoader, and the service checks each again with the Python rules and explains it.
Reverse: one service call (``domain/matching/finance.py``).
"""

from __future__ import annotations

import uuid

from greenrong.core.errors import ErrorCode, NotFound, ValidationFailed
from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.domain.finance.models import FinancialProduct as ProductRow
from greenrong.domain.finance.models import FinancingDemand as DemandRow
from greenrong.domain.matching import finance as service
from greenrong.domain.matching.finance_rules import borrower, today
from greenrong.domain.matching.finance_scoring import Reason
from greenrong.domain.projects.models import Project as ProjectRow
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.indexers.matching.finance import domain_terms, rank_products
from greenrong.schema.finance.types import FinancialProduct, FinancingDemand
from greenrong.schema.kit.context import Info
from greenrong.schema.matching.finance import (
    DemandMatchConnection,
    DemandMatchEdge,
    ProductMatchConnection,
    ProductMatchEdge,
    ProductNearMiss,
)
from greenrong.schema.matching.reasons import MatchReason
from greenrong.schema.search.types import SearchUnavailable


def _size(info: Info, first: int) -> int:
    limit = info.context.settings.max_page_size
    if not 0 <= first <= limit:
        raise ValidationFailed.one(
            "first", ErrorCode.OUT_OF_RANGE, f"first must be between 0 and {limit}"
        )
    return first


def _reasons(found: list[Reason]) -> list[MatchReason]:
    return [MatchReason(code=r.code.value, message=r.message, weight=r.weight) for r in found]


async def product_matches(
    info: Info, demand_id: uuid.UUID, *, first: int, include_near_misses: bool
) -> ProductMatchConnection | SearchUnavailable:
    size = _size(info, first)
    loaders = info.context.loaders
    demand: DemandRow | None = await loaders.entity(DemandRow).load(demand_id)
    if demand is None:
        raise NotFound("FinancingDemand", demand_id)
    enterprise: EnterpriseRow | None = await loaders.entity(EnterpriseRow).load(
        demand.enterprise_id
    )
    if enterprise is None:
        raise NotFound("Enterprise", demand.enterprise_id)
    project: ProjectRow | None = (
        None
        if demand.project_id is None
        else await loaders.entity(ProjectRow).load(demand.project_id)
    )
    b = borrower(demand, enterprise, on=today())
    text = service.demand_text(demand, project)
    try:
        ranking = await rank_products(
            info.context.search,
            b,
            text,
            size=size,
            near_misses=size if include_near_misses else 0,
        )
    except SearchUnavailableError as error:
        return SearchUnavailable(code=error.reason, message=error.message)

    near_hits = [(rule, hit) for rule, hits in ranking.near_misses.items() for hit in hits]
    ids = [hit.id for hit in ranking.hits] + [hit.id for _, hit in near_hits]
    rows: list[ProductRow | None] = await loaders.entity(ProductRow).load_many(ids)
    products = {row.id: row for row in rows if row is not None}
    edges = [
        ProductMatchEdge(
            node=FinancialProduct.from_row(m.product),
            score=m.score,
            rank=m.rank,
            reasons=_reasons(m.reasons),
        )
        for m in service.checked_matches(b, ranking.hits, products)
    ]
    near_misses = None
    if include_near_misses:
        near_misses = [
            ProductNearMiss(
                node=FinancialProduct.from_row(m.product),
                rule=m.rule,
                message=m.message,
                score=m.score,
            )
            for m in service.checked_near_misses(b, near_hits, products, limit=size)
        ]
    return ProductMatchConnection(total_count=ranking.total, edges=edges, near_misses=near_misses)


async def demand_matches(info: Info, product_id: uuid.UUID, *, first: int) -> DemandMatchConnection:
    size = _size(info, first)
    async with info.context.sessionmaker() as session:
        matches, total = await service.demand_matches(
            session,
            product_id=product_id,
            first=size,
            on=today(),
            terms=domain_terms,
            scope=info.context.loaders.scope(DemandRow),
        )
    return DemandMatchConnection(
        total_count=total,
        edges=[
            DemandMatchEdge(
                node=FinancingDemand.from_row(m.demand),
                score=m.score,
                rank=m.rank,
                reasons=_reasons(m.reasons),
            )
            for m in matches
        ],
    )
