from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)
from greenrong.domain.technology.models import TechnologyListing as ListingRow
from greenrong.domain.technology.models import TechnologyNeed as NeedRow
from greenrong.resolvers.relations import to_one
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.relay import Node, RowBacked
from greenrong.schema.reference.types import Region, region_of

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.finance.types import FinancialInstitution
    from greenrong.schema.matching.technology import (
        BuyerMatchConnection,
        TechnologyListingMatchResult,
    )

_ENTERPRISE = strawberry.lazy("greenrong.schema.enterprises.types")
_FINANCE = strawberry.lazy("greenrong.schema.finance.types")
_MATCHING = strawberry.lazy("greenrong.schema.matching.technology")
_FIRST = strawberry.argument(description="How many, best first (0 to the maximum page size).")


@strawberry.type(description="A green technology offered for trade (技术供给).")
class TechnologyListing(Node, RowBacked):
    entity_type = "TechnologyListing"

    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="Description.")
    domain: TechnologyDomain = strawberry.field(description="Environmental domain.")
    maturity: int = strawberry.field(description="Technology readiness level, 1–9.")
    trade_mode: TradeMode = strawberry.field(description="Trade mode.")
    asking_price: Decimal | None = strawberry.field(
        description="Asking price, CNY (none: negotiable)."
    )
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    status: ListingStatus = strawberry.field(description="Publication state.")
    owner_enterprise_id: strawberry.Private[uuid.UUID | None]
    owner_institution_id: strawberry.Private[uuid.UUID | None]
    created_at: datetime.datetime = strawberry.field(
        description="When the record was created (UTC)."
    )
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    @strawberry.field(description="Its region.")
    def region(self) -> Region | None:
        return region_of(self.region_code)

    owner_enterprise = to_one(
        ListingRow.owner_enterprise_id,
        Annotated["Enterprise", _ENTERPRISE],
        description="The owner, when it is an enterprise.",
    )
    owner_institution = to_one(
        ListingRow.owner_institution_id,
        Annotated["FinancialInstitution", _FINANCE],
        description="The owner, when it is a financial institution.",
    )

    @strawberry.field(
        description="Ranked buyers of this listing (only a PUBLISHED listing has any): open "
        "needs that fit it, and enterprise leads whose industry, disclosures or evaluation "
        "show the problem it solves."
    )
    async def buyer_matches(
        self, info: Info, first: Annotated[int, _FIRST] = 10
    ) -> Annotated[BuyerMatchConnection, _MATCHING]:
        from greenrong.resolvers.matching_technology import buyer_matches

        return await buyer_matches(info, self.pk, first, self.row)


@strawberry.type(description="A technology an enterprise wants to buy (技术需求).")
class TechnologyNeed(Node, RowBacked):
    entity_type = "TechnologyNeed"

    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="Description.")
    domain: TechnologyDomain = strawberry.field(description="Environmental domain.")
    budget: Decimal | None = strawberry.field(description="Budget, CNY.")
    min_maturity: int | None = strawberry.field(
        description="Lowest technology readiness level accepted, 1–9 (none: any)."
    )
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    deadline: datetime.date | None = strawberry.field(description="Deadline.")
    status: NeedStatus = strawberry.field(description="State.")
    enterprise_id: strawberry.Private[uuid.UUID]
    created_at: datetime.datetime = strawberry.field(
        description="When the record was created (UTC)."
    )
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    @strawberry.field(description="Its region.")
    def region(self) -> Region | None:
        return region_of(self.region_code)

    enterprise = to_one(
        NeedRow.enterprise_id,
        Annotated["Enterprise", _ENTERPRISE],
        description="The buyer enterprise.",
    )

    @strawberry.field(
        description="Ranked listings for this need (only an OPEN need has any): same domain, "
        "an asking price the budget covers, at least the minimum maturity."
    )
    async def listing_matches(
        self, info: Info, first: Annotated[int, _FIRST] = 10
    ) -> Annotated[TechnologyListingMatchResult, _MATCHING]:
        from greenrong.resolvers.matching_technology import listing_matches

        return await listing_matches(info, self.pk, first)
