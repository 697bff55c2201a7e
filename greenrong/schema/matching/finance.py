"""Financing demand ↔ products: ranked matches with reasons, and near misses.

``FinancingDemand.productMatches`` and ``FinancialProduct.demandMatches`` (declared on those
types in ``schema/finance/types.py``) return these. The finance types are referenced lazily:
``schema/finance/types.py`` imports this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.schema.kit.enums import register
from greenrong.schema.matching.reasons import MatchReason
from greenrong.schema.search.types import SearchUnavailable

if TYPE_CHECKING:
    from greenrong.schema.finance.types import FinancialProduct, FinancingDemand

register(
    EligibilityRule,
    "A hard eligibility rule between a financing demand and a financial product.",
    notes={
        "ACTIVE": "the product is offered now",
        "KIND": "the product's kind is one the demand accepts; none listed: any financing, "
        "not insurance",
        "AMOUNT": "the amount is inside the product's range, bounds included",
        "TERM": "the term is inside the product's range, bounds included",
        "REGION": "the product covers the enterprise's region; 510000 covers Sichuan, a "
        "prefecture its counties",
        "GREEN_CATEGORY": "the product is open to the enterprise's green category",
        "GREEN_LEVEL": "the enterprise's valid green level meets the product's minimum; an "
        "expired certification counts as none",
        "COLLATERAL": "the product needs no collateral, or accepts one the demand offers",
        "RATE": "the product's lowest rate is within the demand's acceptable maximum",
    },
)

_PRODUCT = Annotated["FinancialProduct", strawberry.lazy("greenrong.schema.finance.types")]
_DEMAND = Annotated["FinancingDemand", strawberry.lazy("greenrong.schema.finance.types")]
_SCORE = "Ranking score: the sum of the weighted parts (higher is better)."
_RANK = "Position in the ranking, from 1."
_REASONS = (
    "Why it ranks here, strongest first. Codes: DOMAIN_TERM (a domain term of the purpose or "
    "project, or its synonym, is in the product), TEXT (shared wording), CATEGORY (reserved for "
    "the enterprise's green category), RATE (low rate), AMOUNT_FIT (amount suits the range), "
    "LOCAL_INSTITUTION (institution in the enterprise's prefecture), LOCAL_PRODUCT (a regional "
    "product for the enterprise's region), GREEN_LEVEL (rewards a valid green level), and, "
    "when the purpose or project names items of the green bond catalogue, PURPOSE_FIT (the "
    "product names one of them) or PURPOSE_OPEN (it names no specific technology or use); "
    "PURPOSE_MISMATCH (weight 0: it is made only for other technologies or uses, so it ranks "
    "below the others); then, with weight 0 and on every match, ELIGIBLE (the hard rules it "
    "meets: the rules checked for you) and GENERAL (a product open to every green category)."
)

_UNCHECKED = (
    "Rules not checked for you, in rule order: their input is the demand's consent-gated data "
    "(COLLATERAL: collateralOffered, RATE: maxRate), which you may not read without the "
    "enterprise's FINANCING_DEMANDS consent. The match may still fail them; nothing about "
    "those values (or the purpose, which is then left out of the text) went into the list, "
    "its order, the scores, the reasons or the near misses. Empty when every rule was checked."
)


@strawberry.type(description="An eligible financial product for a financing demand.")
class ProductMatchEdge:
    node: _PRODUCT = strawberry.field(description="The product.")
    score: float = strawberry.field(description=_SCORE)
    rank: int = strawberry.field(description=_RANK)
    reasons: list[MatchReason] = strawberry.field(description=_REASONS)


@strawberry.type(
    description="A product that fails exactly one eligibility rule: what would make it fit."
)
class ProductNearMiss:
    node: _PRODUCT = strawberry.field(description="The product.")
    rule: EligibilityRule = strawberry.field(description="The one rule it fails.")
    message: str = strawberry.field(
        description="The rule and the gap in Chinese, e.g. 金额超过上限 ¥5,000万，超出 ¥1,000万."
    )
    score: float = strawberry.field(description="Its ranking score, were the rule met.")


@strawberry.type(description="Eligible financial products for a demand, best first.")
class ProductMatchConnection:
    total_count: int = strawberry.field(description="How many products are eligible in all.")
    edges: list[ProductMatchEdge] = strawberry.field(description="The best `first` products.")
    near_misses: list[ProductNearMiss] | None = strawberry.field(
        description="With `includeNearMisses`: up to `first` products failing exactly one "
        "rule, best first (an inactive product is never one); otherwise null."
    )
    unchecked_rules: list[EligibilityRule] = strawberry.field(
        description=_UNCHECKED + " The same for every product of this list."
    )


ProductMatchesResult = Annotated[
    ProductMatchConnection | SearchUnavailable,
    strawberry.union("ProductMatchesResult", description="Ranked products, or SearchUnavailable."),
]


@strawberry.type(description="An open financing demand that a product fits.")
class DemandMatchEdge:
    node: _DEMAND = strawberry.field(description="The demand.")
    score: float = strawberry.field(description=_SCORE)
    rank: int = strawberry.field(description=_RANK)
    reasons: list[MatchReason] = strawberry.field(description=_REASONS)
    unchecked_rules: list[EligibilityRule] = strawberry.field(description=_UNCHECKED)


@strawberry.type(description="Open demands a product fits, best first.")
class DemandMatchConnection:
    total_count: int = strawberry.field(description="How many open demands it fits in all.")
    edges: list[DemandMatchEdge] = strawberry.field(description="The best `first` demands.")
