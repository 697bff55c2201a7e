from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed


@strawberry.type(description="The TechnologyListing as saved.")
class TechnologyListingSuccess:
    technology_listing: TechnologyListing = strawberry.field(
        description="The TechnologyListing after the change."
    )


CreateTechnologyListingPayload = Annotated[
    TechnologyListingSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateTechnologyListingPayload",
        description="The saved TechnologyListing, or why nothing changed.",
    ),
]
UpdateTechnologyListingPayload = Annotated[
    TechnologyListingSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateTechnologyListingPayload",
        description="The saved TechnologyListing, or why nothing changed.",
    ),
]


@strawberry.type(description="The TechnologyNeed as saved.")
class TechnologyNeedSuccess:
    technology_need: TechnologyNeed = strawberry.field(
        description="The TechnologyNeed after the change."
    )


CreateTechnologyNeedPayload = Annotated[
    TechnologyNeedSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateTechnologyNeedPayload",
        description="The saved TechnologyNeed, or why nothing changed.",
    ),
]
UpdateTechnologyNeedPayload = Annotated[
    TechnologyNeedSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateTechnologyNeedPayload",
        description="The saved TechnologyNeed, or why nothing changed.",
    ),
]
