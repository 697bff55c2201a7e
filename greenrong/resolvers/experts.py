"""Root fields of the experts context."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.experts import service
from greenrong.domain.experts.repository import EXPERTS
from greenrong.resolvers.common import (
    input_values,
    list_query,
    mutate,
    root_connection,
    update_args,
)
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
from greenrong.schema.kit.relay import After, Before, Connection, First, Last

_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read experts.")
class ExpertQuery:
    @strawberry.field(description="Experts, filtered, ordered and paged.")
    async def experts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        where: ExpertWhereArg = None,
        order_by: ExpertOrderArg = None,
    ) -> Connection[Expert]:
        query = list_query(
            info, where=where, order_by=order_by, first=first, after=after, last=last, before=before
        )
        return await root_connection(info, EXPERTS, query, Expert.from_row)


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
