"""Ranked technology matches: listings for a need, buyers (needs and leads) for a listing."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.resolvers.common import load_one
from greenrong.schema.kit.context import Info
from greenrong.schema.matching.reasons import MatchReason
from greenrong.schema.search.types import SearchUnavailable
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise

_ENTERPRISE = strawberry.lazy("greenrong.schema.enterprises.types")

TECHNOLOGY_REASON_CODES = (
    "DOMAIN, BUDGET and MATURITY (hard rules met, weight 0), DOMAIN_TERM, TEXT, SAME_COUNTY, "
    "SAME_PREFECTURE, RECENT, and for buyers POSTED_NEED, INDUSTRY, DISCLOSED_METRIC, EVALUATION"
)


@strawberry.type(description="One ranked technology listing for a need.")
class TechnologyListingMatchEdge:
    node: TechnologyListing = strawberry.field(description="The listing.")
    score: float = strawberry.field(description="Fit score: higher is better.")
    rank: int = strawberry.field(description="Position, from 1.")
    reasons: list[MatchReason] = strawberry.field(
        description=f"Why it fits. Codes: {TECHNOLOGY_REASON_CODES}."
    )


@strawberry.type(
    description="The listings that fit a need, best first: same domain, a price the budget "
    "covers, the maturity asked for; ranked by shared terms, text, region and recency."
)
class TechnologyListingMatchConnection:
    edges: list[TechnologyListingMatchEdge] = strawberry.field(description="Best first.")


TechnologyListingMatchResult = Annotated[
    TechnologyListingMatchConnection | SearchUnavailable,
    strawberry.union(
        "TechnologyListingMatchResult",
        description="The ranked listings, or why search cannot answer now.",
    ),
]


@strawberry.type(
    description="An enterprise without a posted need whose industry, disclosures or "
    "environmental evaluation show the problem a technology solves (a sales lead)."
)
class EnterpriseLead:
    enterprise_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The enterprise.")
    async def enterprise(self, info: Info) -> Annotated[Enterprise, _ENTERPRISE] | None:
        from greenrong.schema.enterprises.types import Enterprise

        return await load_one(info, EnterpriseRow, self.enterprise_id, Enterprise.from_row)


Buyer = Annotated[
    TechnologyNeed | EnterpriseLead,
    strawberry.union(
        "Buyer", description="A posted technology need, or an enterprise lead without one."
    ),
]


@strawberry.type(description="One ranked buyer of a technology listing.")
class BuyerMatchEdge:
    node: Buyer = strawberry.field(description="The need, or the lead.")
    score: float = strawberry.field(description="Fit score: higher is better.")
    rank: int = strawberry.field(description="Position, from 1.")
    reasons: list[MatchReason] = strawberry.field(
        description=f"Why this buyer. Codes: {TECHNOLOGY_REASON_CODES}."
    )


@strawberry.type(
    description="Buyers for a published listing, best first: open needs that fit it and "
    "enterprise leads (reference data: technology_buyers.json)."
)
class BuyerMatchConnection:
    edges: list[BuyerMatchEdge] = strawberry.field(description="Best first.")
