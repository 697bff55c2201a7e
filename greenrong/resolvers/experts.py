"""Root fields of the experts context."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.experts import service
from greenrong.domain.experts.repository import EXPERTS
from greenrong.resolvers.common import (
    input_values,
    mutate,
    update_args,
)
from greenrong.resolvers.relations import root_list
from greenrong.schema.experts.inputs import (
    CreateExpertInput,
    ExpertOrderArg,
    ExpertWhereArg,
    UpdateExpertInput,
)
from greenrong.schema.experts.payloads import (
    CreateExpertPayload,
    ExpertSuccess,
    UpdateExpertPayload,
)
from greenrong.schema.experts.types import Expert
from greenrong.schema.kit.context import Info

_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read experts.")
class ExpertQuery:
    experts = root_list(
        EXPERTS,
        Expert,
        description="Experts, filtered, ordered and paged.",
        where=ExpertWhereArg,
        order_by=ExpertOrderArg,
    )


@strawberry.type(description="Change experts.")
class ExpertMutation:
    @strawberry.mutation(description="Register an expert.")
    async def create_expert(
        self, info: Info, input: Annotated[CreateExpertInput, _NEW]
    ) -> CreateExpertPayload:
        return await mutate(
            info,
            lambda session: service.create_expert(session, values=input_values(input)),
            lambda row: ExpertSuccess(expert=Expert.from_row(row)),
        )

    @strawberry.mutation(description="Change one Expert; a stale version is refused.")
    async def update_expert(
        self, info: Info, input: Annotated[UpdateExpertInput, _CHANGES]
    ) -> UpdateExpertPayload:
        return await mutate(
            info,
            lambda session: service.update_expert(session, **update_args(input, "Expert")),
            lambda row: ExpertSuccess(expert=Expert.from_row(row)),
        )
