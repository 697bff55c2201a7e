"""Mutations of the tracked matching services: start a match or deal, move its status."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.matching import deals, tracked
from greenrong.resolvers.common import input_values, mutate
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.ids import expect_global_id
from greenrong.schema.matching.deals import (
    FinancingMatch,
    FinancingMatchSuccess,
    StartMatchInput,
    StartMatchPayload,
    StartTechnologyDealInput,
    StartTechnologyDealPayload,
    TechnologyDeal,
    TechnologyDealSuccess,
    UpdateDealStatusInput,
    UpdateDealStatusPayload,
    UpdateMatchStatusInput,
    UpdateMatchStatusPayload,
)

_START = strawberry.argument(description="What was taken up.")
_MOVE = strawberry.argument(description="The new status, with the version you read.")


def _match(row: tracked.FinancingMatch) -> FinancingMatchSuccess:
    return FinancingMatchSuccess(financing_match=FinancingMatch.from_row(row))


def _deal(row: tracked.TechnologyDeal) -> TechnologyDealSuccess:
    return TechnologyDealSuccess(technology_deal=TechnologyDeal.from_row(row))


@strawberry.type(description="Track matches and deals.")
class DealMutation:
    @strawberry.mutation(
        description="Record that a financing demand and a product were put in touch."
    )
    async def start_match(
        self, info: Info, input: Annotated[StartMatchInput, _START]
    ) -> StartMatchPayload:
        return await mutate(
            info, lambda session: deals.start_match(session, **input_values(input)), _match
        )

    @strawberry.mutation(description="Move a financing match on; an illegal move is refused.")
    async def update_match_status(
        self, info: Info, input: Annotated[UpdateMatchStatusInput, _MOVE]
    ) -> UpdateMatchStatusPayload:
        return await mutate(
            info,
            lambda session: deals.update_match_status(
                session,
                id=expect_global_id(input.id, "FinancingMatch"),
                version=input.version,
                status=input.status,
                amount=input.amount,
            ),
            _match,
        )

    @strawberry.mutation(
        description="Record that a technology listing and a buyer (need or lead) are in touch."
    )
    async def start_technology_deal(
        self, info: Info, input: Annotated[StartTechnologyDealInput, _START]
    ) -> StartTechnologyDealPayload:
        return await mutate(
            info,
            lambda session: deals.start_technology_deal(session, **input_values(input)),
            _deal,
        )

    @strawberry.mutation(description="Move a technology deal on; an illegal move is refused.")
    async def update_deal_status(
        self, info: Info, input: Annotated[UpdateDealStatusInput, _MOVE]
    ) -> UpdateDealStatusPayload:
        return await mutate(
            info,
            lambda session: deals.update_deal_status(
                session,
                id=expect_global_id(input.id, "TechnologyDeal"),
                version=input.version,
                status=input.status,
                amount=input.amount,
            ),
            _deal,
        )
