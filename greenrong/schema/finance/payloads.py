from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.finance.types import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The FinancialInstitution as saved.")
class FinancialInstitutionSuccess:
    financial_institution: FinancialInstitution = strawberry.field(
        description="The FinancialInstitution after the change."
    )


CreateFinancialInstitutionPayload = Annotated[
    FinancialInstitutionSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateFinancialInstitutionPayload",
        description="The saved FinancialInstitution, or why nothing changed.",
    ),
]
UpdateFinancialInstitutionPayload = Annotated[
    FinancialInstitutionSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateFinancialInstitutionPayload",
        description="The saved FinancialInstitution, or why nothing changed.",
    ),
]


@strawberry.type(description="The FinancialProduct as saved.")
class FinancialProductSuccess:
    financial_product: FinancialProduct = strawberry.field(
        description="The FinancialProduct after the change."
    )


CreateFinancialProductPayload = Annotated[
    FinancialProductSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateFinancialProductPayload",
        description="The saved FinancialProduct, or why nothing changed.",
    ),
]
UpdateFinancialProductPayload = Annotated[
    FinancialProductSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateFinancialProductPayload",
        description="The saved FinancialProduct, or why nothing changed.",
    ),
]


@strawberry.type(description="The FinancingDemand as saved.")
class FinancingDemandSuccess:
    financing_demand: FinancingDemand = strawberry.field(
        description="The FinancingDemand after the change."
    )


CreateFinancingDemandPayload = Annotated[
    FinancingDemandSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateFinancingDemandPayload",
        description="The saved FinancingDemand, or why nothing changed.",
    ),
]
UpdateFinancingDemandPayload = Annotated[
    FinancingDemandSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateFinancingDemandPayload",
        description="The saved FinancingDemand, or why nothing changed.",
    ),
]
