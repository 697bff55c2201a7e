"""Root fields of the technology context."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.technology import service
from greenrong.domain.technology.repository import LISTINGS, NEEDS
from greenrong.resolvers.common import (
    input_values,
    mutate,
    update_args,
)
from greenrong.resolvers.relations import root_list
from greenrong.schema.kit.context import Info
from greenrong.schema.technology.inputs import (
    CreateListingInput,
    CreateNeedInput,
    ListingOrderArg,
    ListingWhereArg,
    NeedOrderArg,
    NeedWhereArg,
    UpdateListingInput,
    UpdateNeedInput,
)
from greenrong.schema.technology.payloads import (
    CreateTechnologyListingPayload,
    CreateTechnologyNeedPayload,
    TechnologyListingSuccess,
    TechnologyNeedSuccess,
    UpdateTechnologyListingPayload,
    UpdateTechnologyNeedPayload,
)
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read technology.")
class TechnologyQuery:
    technology_listings = root_list(
        LISTINGS,
        TechnologyListing,
        description="Technology listings, filtered, ordered and paged.",
        where=ListingWhereArg,
        order_by=ListingOrderArg,
    )

    technology_needs = root_list(
        NEEDS,
        TechnologyNeed,
        description="Technology needs, filtered, ordered and paged.",
        where=NeedWhereArg,
        order_by=NeedOrderArg,
    )


@strawberry.type(description="Change technology.")
class TechnologyMutation:
    @strawberry.mutation(description="List a technology for trade.")
    async def create_technology_listing(
        self, info: Info, input: Annotated[CreateListingInput, _NEW]
    ) -> CreateTechnologyListingPayload:
        return await mutate(
            info,
            lambda session: service.create_listing(session, values=input_values(input)),
            lambda row: TechnologyListingSuccess(
                technology_listing=TechnologyListing.from_row(row)
            ),
        )

    @strawberry.mutation(description="Change one TechnologyListing; a stale version is refused.")
    async def update_technology_listing(
        self, info: Info, input: Annotated[UpdateListingInput, _CHANGES]
    ) -> UpdateTechnologyListingPayload:
        return await mutate(
            info,
            lambda session: service.update_listing(
                session, **update_args(input, "TechnologyListing")
            ),
            lambda row: TechnologyListingSuccess(
                technology_listing=TechnologyListing.from_row(row)
            ),
        )

    @strawberry.mutation(description="Publish a technology need.")
    async def create_technology_need(
        self, info: Info, input: Annotated[CreateNeedInput, _NEW]
    ) -> CreateTechnologyNeedPayload:
        return await mutate(
            info,
            lambda session: service.create_need(session, values=input_values(input)),
            lambda row: TechnologyNeedSuccess(technology_need=TechnologyNeed.from_row(row)),
        )

    @strawberry.mutation(description="Change one TechnologyNeed; a stale version is refused.")
    async def update_technology_need(
        self, info: Info, input: Annotated[UpdateNeedInput, _CHANGES]
    ) -> UpdateTechnologyNeedPayload:
        return await mutate(
            info,
            lambda session: service.update_need(session, **update_args(input, "TechnologyNeed")),
            lambda row: TechnologyNeedSuccess(technology_need=TechnologyNeed.from_row(row)),
        )
