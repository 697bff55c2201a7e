"""Root fields of the finance context."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.finance import service
from greenrong.domain.finance.repository import DEMANDS, INSTITUTIONS, PRODUCTS
from greenrong.resolvers.common import (
    input_values,
    mutate,
    update_args,
)
from greenrong.resolvers.relations import root_list
from greenrong.schema.finance.inputs import (
    CreateDemandInput,
    CreateInstitutionInput,
    CreateProductInput,
    DemandOrderArg,
    DemandWhereArg,
    InstitutionOrderArg,
    InstitutionWhereArg,
    ProductOrderArg,
    ProductWhereArg,
    UpdateDemandInput,
    UpdateInstitutionInput,
    UpdateProductInput,
)
from greenrong.schema.finance.payloads import (
    CreateFinancialInstitutionPayload,
    CreateFinancialProductPayload,
    CreateFinancingDemandPayload,
    FinancialInstitutionSuccess,
    FinancialProductSuccess,
    FinancingDemandSuccess,
    UpdateFinancialInstitutionPayload,
    UpdateFinancialProductPayload,
    UpdateFinancingDemandPayload,
)
from greenrong.schema.finance.types import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.schema.kit.context import Info

_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read finance.")
class FinanceQuery:
    financial_institutions = root_list(
        INSTITUTIONS,
        FinancialInstitution,
        description="Financial institutions, filtered, ordered and paged.",
        where=InstitutionWhereArg,
        order_by=InstitutionOrderArg,
    )

    financial_products = root_list(
        PRODUCTS,
        FinancialProduct,
        description="Financial products, filtered, ordered and paged.",
        where=ProductWhereArg,
        order_by=ProductOrderArg,
    )

    financing_demands = root_list(
        DEMANDS,
        FinancingDemand,
        description="Financing demands, filtered, ordered and paged.",
        where=DemandWhereArg,
        order_by=DemandOrderArg,
    )


@strawberry.type(description="Change finance.")
class FinanceMutation:
    @strawberry.mutation(description="Register a financial institution.")
    async def create_financial_institution(
        self, info: Info, input: Annotated[CreateInstitutionInput, _NEW]
    ) -> CreateFinancialInstitutionPayload:
        return await mutate(
            info,
            lambda session: service.create_institution(session, values=input_values(input)),
            lambda row: FinancialInstitutionSuccess(
                financial_institution=FinancialInstitution.from_row(row)
            ),
        )

    @strawberry.mutation(description="Change one FinancialInstitution; a stale version is refused.")
    async def update_financial_institution(
        self, info: Info, input: Annotated[UpdateInstitutionInput, _CHANGES]
    ) -> UpdateFinancialInstitutionPayload:
        return await mutate(
            info,
            lambda session: service.update_institution(
                session, **update_args(input, "FinancialInstitution")
            ),
            lambda row: FinancialInstitutionSuccess(
                financial_institution=FinancialInstitution.from_row(row)
            ),
        )

    @strawberry.mutation(description="Publish a financial product.")
    async def create_financial_product(
        self, info: Info, input: Annotated[CreateProductInput, _NEW]
    ) -> CreateFinancialProductPayload:
        return await mutate(
            info,
            lambda session: service.create_product(session, values=input_values(input)),
            lambda row: FinancialProductSuccess(financial_product=FinancialProduct.from_row(row)),
        )

    @strawberry.mutation(description="Change one FinancialProduct; a stale version is refused.")
    async def update_financial_product(
        self, info: Info, input: Annotated[UpdateProductInput, _CHANGES]
    ) -> UpdateFinancialProductPayload:
        return await mutate(
            info,
            lambda session: service.update_product(
                session, **update_args(input, "FinancialProduct")
            ),
            lambda row: FinancialProductSuccess(financial_product=FinancialProduct.from_row(row)),
        )

    @strawberry.mutation(description="Submit a financing demand.")
    async def create_financing_demand(
        self, info: Info, input: Annotated[CreateDemandInput, _NEW]
    ) -> CreateFinancingDemandPayload:
        return await mutate(
            info,
            lambda session: service.create_demand(session, values=input_values(input)),
            lambda row: FinancingDemandSuccess(financing_demand=FinancingDemand.from_row(row)),
        )

    @strawberry.mutation(description="Change one FinancingDemand; a stale version is refused.")
    async def update_financing_demand(
        self, info: Info, input: Annotated[UpdateDemandInput, _CHANGES]
    ) -> UpdateFinancingDemandPayload:
        return await mutate(
            info,
            lambda session: service.update_demand(session, **update_args(input, "FinancingDemand")),
            lambda row: FinancingDemandSuccess(financing_demand=FinancingDemand.from_row(row)),
        )
