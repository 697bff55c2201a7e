"""Demand ↔ product matching as a service: the text a demand is matched on, and the reverse
view (the open demands one product fits), ranked in Python by the query's parts and weights.

The forward view ranks in the search engine (``indexers/matching/finance.py``); both views
decide eligibility with ``finance_rules`` and explain with ``finance_scoring``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import NotFound
from greenrong.domain.access import policy
from greenrong.domain.access.consent import valid_consents
from greenrong.domain.access.predicates import to_sql
from greenrong.domain.access.principal import Principal
from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching import finance_repository
from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.domain.matching.finance_rules import Borrower, borrower, eligible, near_miss
from greenrong.domain.matching.finance_scoring import matched_names, python_score, reasons
from greenrong.domain.matching.finance_weights import FINANCE_WEIGHTS, FinanceWeights
from greenrong.domain.matching.kit import Reason
from greenrong.domain.projects.models import Project

log = logging.getLogger(__name__)

#: the demand text's domain terms with their alternatives (the search layer's synonym file)
Terms = Callable[[str], Sequence[tuple[str, tuple[str, ...]]]]


def demand_text(
    demand: FinancingDemand, project: Project | None, *, withheld: frozenset[str]
) -> str:
    """What a demand is matched on: its purpose, and its project's title and description.
    A purpose the caller may not read (``withheld``) is left out."""
    parts = [] if "purpose" in withheld else [demand.purpose]
    if project is not None:
        parts += [project.title, project.description]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class DemandMatch:
    demand: FinancingDemand
    score: float
    rank: int
    reasons: list[Reason]
    #: rules not checked: their input is withheld from the caller
    unchecked: frozenset[EligibilityRule]


async def demand_matches(
    session: AsyncSession,
    *,
    principal: Principal,
    product_id: uuid.UUID,
    first: int,
    on: date,
    terms: Terms,
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> tuple[list[DemandMatch], int]:
    """The open demands ``product_id`` fits, best first (at most ``first``), and how many fit.

    Only demands the caller may be matched against (``policy.matchable_demands``), and of each
    only the values it may read (``policy.withheld_fields``): the rules, the score and the
    reasons never see the rest."""
    product = await session.get(FinancialProduct, product_id)
    if product is None:
        raise NotFound("FinancialProduct", product_id)
    institution = await session.get(FinancialInstitution, product.institution_id)
    institution_region = institution.region_code if institution is not None else ""
    candidates = await finance_repository.open_demand_candidates(
        session,
        product,
        on=on,
        scope=to_sql(FinancingDemand, policy.matchable_demands(principal), now=utcnow()),
    )
    needed = {
        pair
        for demand, _, _ in candidates
        for pair in policy.consents_deciding(principal, "FinancingDemand", demand)
    }
    granted = await valid_consents(session, principal, needed)
    scored: list[tuple[float, FinancingDemand, Borrower, set[str]]] = []
    for demand, enterprise, project in candidates:
        withheld = policy.withheld_fields(
            principal,
            "FinancingDemand",
            demand,
            consented=lambda enterprise_id, scope: (enterprise_id, scope) in granted,
        )
        b = borrower(demand, enterprise, on=on, withheld=withheld)
        if not eligible(b, product):
            continue
        text = demand_text(demand, project, withheld=withheld)
        names = matched_names(
            b,
            product,
            institution_region=institution_region,
            segments=terms(text),
            text=text,
            w=w,
        )
        scored.append((python_score(b, product, names, w), demand, b, names))
    scored.sort(key=lambda item: (-item[0], item[1].submitted_at, item[1].id))
    # explained only where shown: the reasons of the page, not of every demand that fits
    return [
        DemandMatch(
            demand=demand,
            score=score,
            rank=rank,
            reasons=reasons(b, product, names, w),
            unchecked=b.unchecked,
        )
        for rank, (score, demand, b, names) in enumerate(scored[:first], start=1)
    ], len(scored)


# --- the forward view: the engine's hits, checked and explained ----------------------------------


class Hit(Protocol):
    """A ranked product from the engine (``indexers.matching.finance.ProductHit``)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def score(self) -> float: ...
    @property
    def matched(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class ProductMatch:
    product: FinancialProduct
    score: float
    rank: int
    reasons: list[Reason]


@dataclass(frozen=True)
class ProductNearMiss:
    product: FinancialProduct
    rule: EligibilityRule
    message: str
    score: float


def checked_matches(
    b: Borrower,
    hits: Sequence[Hit],
    products: Mapping[uuid.UUID, FinancialProduct],
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> list[ProductMatch]:
    """The engine's ranking, each product checked again with the rules (an index that lags the
    database never ranks an ineligible product) and explained, ranked from 1."""
    found: list[ProductMatch] = []
    for hit in hits:
        product = products.get(hit.id)
        if product is None:
            continue  # deleted since it was indexed
        if not eligible(b, product):
            log.warning("product %s is indexed but not eligible for %s", hit.id, b.demand_id)
            continue
        why = reasons(b, product, hit.matched, w)
        found.append(ProductMatch(product, hit.score, len(found) + 1, why))
    return found


def checked_near_misses(
    b: Borrower,
    hits: Sequence[tuple[EligibilityRule, Hit]],
    products: Mapping[uuid.UUID, FinancialProduct],
    *,
    limit: int,
) -> list[ProductNearMiss]:
    """Products failing exactly the one rule their query dropped, best first, each once."""
    found: dict[uuid.UUID, ProductNearMiss] = {}
    for rule, hit in sorted(hits, key=lambda item: -item[1].score):
        product = products.get(hit.id)
        failure = None if product is None else near_miss(b, product)
        if product is None or failure is None or failure.rule is not rule:
            continue
        found.setdefault(hit.id, ProductNearMiss(product, rule, failure.message, hit.score))
    return list(found.values())[:limit]
