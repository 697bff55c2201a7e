"""Root fields of the disclosure context."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from greenrong.domain.disclosure import service
from greenrong.domain.disclosure.repository import DISCLOSURES
from greenrong.resolvers.common import (
    input_values,
    mutate,
    update_args,
)
from greenrong.resolvers.relations import root_list
from greenrong.schema.disclosure.inputs import (
    CreateDisclosureInput,
    DisclosureOrderArg,
    DisclosureWhereArg,
    UpdateDisclosureInput,
)
from greenrong.schema.disclosure.payloads import (
    CreateDisclosurePayload,
    DisclosureSuccess,
    UpdateDisclosurePayload,
)
from greenrong.schema.disclosure.types import Disclosure
from greenrong.schema.kit.context import Info


def disclosure_values(data: CreateDisclosureInput | UpdateDisclosureInput) -> dict[str, Any]:
    """Input values, with the metric list as the stored {key: decimal string} map."""
    values = input_values(data, skip=("id", "version"))
    if values.get("metrics") is not None:
        values["metrics"] = {m.key.value: str(m.value) for m in values["metrics"]}
    return values


_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read disclosure.")
class DisclosureQuery:
    disclosures = root_list(
        DISCLOSURES,
        Disclosure,
        description="Disclosures, filtered, ordered and paged.",
        where=DisclosureWhereArg,
        order_by=DisclosureOrderArg,
    )


@strawberry.type(description="Change disclosure.")
class DisclosureMutation:
    @strawberry.mutation(description="File a disclosure.")
    async def create_disclosure(
        self, info: Info, input: Annotated[CreateDisclosureInput, _NEW]
    ) -> CreateDisclosurePayload:
        return await mutate(
            info,
            lambda session: service.create_disclosure(session, values=disclosure_values(input)),
            lambda row: DisclosureSuccess(disclosure=Disclosure.from_row(row)),
        )

    @strawberry.mutation(description="Change one Disclosure; a stale version is refused.")
    async def update_disclosure(
        self, info: Info, input: Annotated[UpdateDisclosureInput, _CHANGES]
    ) -> UpdateDisclosurePayload:
        return await mutate(
            info,
            lambda session: service.update_disclosure(
                session, **{**update_args(input, "Disclosure"), "changes": disclosure_values(input)}
            ),
            lambda row: DisclosureSuccess(disclosure=Disclosure.from_row(row)),
        )
