"""Tracked matching services: FinancingMatch and TechnologyDeal, their inputs and payloads."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.matching.tracked import DealStatus, MatchStatus
from greenrong.domain.matching.tracked import FinancingMatch as MatchRow
from greenrong.domain.matching.tracked import TechnologyDeal as DealRow
from greenrong.resolvers.relations import to_one
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from greenrong.schema.kit.relay import Node, RowBacked

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.finance.types import FinancialProduct, FinancingDemand
    from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

_ENTERPRISE = strawberry.lazy("greenrong.schema.enterprises.types")
_FINANCE = strawberry.lazy("greenrong.schema.finance.types")
_TECHNOLOGY = strawberry.lazy("greenrong.schema.technology.types")


@strawberry.type(
    description="A financing demand and a product whose two sides were put in touch (对接服务)."
)
class FinancingMatch(Node, RowBacked):
    entity_type = "FinancingMatch"

    status: MatchStatus = strawberry.field(description="Where the match stands.")
    amount: Decimal | None = strawberry.field(
        description="Amount financed, CNY; set exactly when the status is FINANCED."
    )
    closed_at: datetime.datetime | None = strawberry.field(
        description="When it was financed or declined (UTC)."
    )
    demand_id: strawberry.Private[uuid.UUID]
    product_id: strawberry.Private[uuid.UUID]
    created_at: datetime.datetime = strawberry.field(
        description="When the match was started (UTC)."
    )
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    demand = to_one(
        MatchRow.demand_id,
        Annotated["FinancingDemand", _FINANCE],
        description="The financing demand.",
    )
    product = to_one(
        MatchRow.product_id,
        Annotated["FinancialProduct", _FINANCE],
        description="The financial product.",
    )


@strawberry.type(description="A technology listing and a buyer in talks (技术对接).")
class TechnologyDeal(Node, RowBacked):
    entity_type = "TechnologyDeal"

    status: DealStatus = strawberry.field(description="Where the deal stands.")
    amount: Decimal | None = strawberry.field(
        description="Price agreed, CNY; set exactly when the status is TRADED."
    )
    closed_at: datetime.datetime | None = strawberry.field(
        description="When it was traded or declined (UTC)."
    )
    listing_id: strawberry.Private[uuid.UUID]
    need_id: strawberry.Private[uuid.UUID | None]
    enterprise_id: strawberry.Private[uuid.UUID]
    created_at: datetime.datetime = strawberry.field(description="When the deal was started (UTC).")
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    listing = to_one(
        DealRow.listing_id,
        Annotated["TechnologyListing", _TECHNOLOGY],
        description="The technology listing.",
    )
    need = to_one(
        DealRow.need_id,
        Annotated["TechnologyNeed", _TECHNOLOGY],
        description="The buyer's posted need; null for an enterprise lead.",
    )
    buyer = to_one(
        DealRow.enterprise_id,
        Annotated["Enterprise", _ENTERPRISE],
        description="The buying enterprise.",
    )


# --- inputs -------------------------------------------------------------------------------------


@strawberry.input(description="Start a financing match: the demand and the product taken up.")
class StartMatchInput:
    demand_id: strawberry.ID = strawberry.field(description="Global id of the FinancingDemand.")
    product_id: strawberry.ID = strawberry.field(description="Global id of the FinancialProduct.")


@strawberry.input(
    description=(
        "Move a financing match on: CONTACTED → NEGOTIATING → FINANCED (with an amount), "
        "or DECLINED from CONTACTED or NEGOTIATING."
    )
)
class UpdateMatchStatusInput:
    id: strawberry.ID = strawberry.field(description="Global id of the FinancingMatch.")
    version: int = strawberry.field(description="The version you read.")
    status: MatchStatus = strawberry.field(description="The new status.")
    amount: Decimal | None = strawberry.field(
        default=None, description="Amount financed, CNY: required for FINANCED, refused otherwise."
    )


@strawberry.input(
    description=(
        "Start a technology deal: the listing, and either the buyer's posted need or, for an "
        "enterprise lead, the enterprise."
    )
)
class StartTechnologyDealInput:
    listing_id: strawberry.ID = strawberry.field(description="Global id of the TechnologyListing.")
    need_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the buyer's TechnologyNeed."
    )
    enterprise_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the buying Enterprise (a lead without a need)."
    )


@strawberry.input(
    description=(
        "Move a technology deal on: CONTACTED → NEGOTIATING → TRADED (with an amount), "
        "or DECLINED from CONTACTED or NEGOTIATING."
    )
)
class UpdateDealStatusInput:
    id: strawberry.ID = strawberry.field(description="Global id of the TechnologyDeal.")
    version: int = strawberry.field(description="The version you read.")
    status: DealStatus = strawberry.field(description="The new status.")
    amount: Decimal | None = strawberry.field(
        default=None, description="Price agreed, CNY: required for TRADED, refused otherwise."
    )


# --- payloads -----------------------------------------------------------------------------------


@strawberry.type(description="The FinancingMatch as saved.")
class FinancingMatchSuccess:
    financing_match: FinancingMatch = strawberry.field(
        description="The FinancingMatch after the change."
    )


@strawberry.type(description="The TechnologyDeal as saved.")
class TechnologyDealSuccess:
    technology_deal: TechnologyDeal = strawberry.field(
        description="The TechnologyDeal after the change."
    )


StartMatchPayload = Annotated[
    FinancingMatchSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "StartMatchPayload", description="The new FinancingMatch, or why nothing changed."
    ),
]
UpdateMatchStatusPayload = Annotated[
    FinancingMatchSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateMatchStatusPayload",
        description="The FinancingMatch after the move, or why nothing changed.",
    ),
]
StartTechnologyDealPayload = Annotated[
    TechnologyDealSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "StartTechnologyDealPayload",
        description="The new TechnologyDeal, or why nothing changed.",
    ),
]
UpdateDealStatusPayload = Annotated[
    TechnologyDealSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateDealStatusPayload",
        description="The TechnologyDeal after the move, or why nothing changed.",
    ),
]
