"""Root fields of the enterprises context."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.enterprises import service
from greenrong.domain.enterprises.repository import ENTERPRISES
from greenrong.resolvers.common import (
    input_values,
    mutate,
    update_args,
)
from greenrong.resolvers.relations import root_list
from greenrong.schema.enterprises.inputs import (
    CreateEnterpriseInput,
    EnterpriseOrderArg,
    EnterpriseWhereArg,
    UpdateEnterpriseInput,
)
from greenrong.schema.enterprises.payloads import (
    CreateEnterprisePayload,
    EnterpriseSuccess,
    UpdateEnterprisePayload,
)
from greenrong.schema.enterprises.types import Enterprise
from greenrong.schema.kit.context import Info

_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read enterprises.")
class EnterpriseQuery:
    enterprises = root_list(
        ENTERPRISES,
        Enterprise,
        description="Enterprises, filtered, ordered and paged.",
        where=EnterpriseWhereArg,
        order_by=EnterpriseOrderArg,
    )


@strawberry.type(description="Change enterprises.")
class EnterpriseMutation:
    @strawberry.mutation(description="Register an enterprise.")
    async def create_enterprise(
        self, info: Info, input: Annotated[CreateEnterpriseInput, _NEW]
    ) -> CreateEnterprisePayload:
        return await mutate(
            info,
            lambda session: service.create_enterprise(session, values=input_values(input)),
            lambda row: EnterpriseSuccess(enterprise=Enterprise.from_row(row)),
        )

    @strawberry.mutation(description="Change one Enterprise; a stale version is refused.")
    async def update_enterprise(
        self, info: Info, input: Annotated[UpdateEnterpriseInput, _CHANGES]
    ) -> UpdateEnterprisePayload:
        return await mutate(
            info,
            lambda session: service.update_enterprise(session, **update_args(input, "Enterprise")),
            lambda row: EnterpriseSuccess(enterprise=Enterprise.from_row(row)),
        )
