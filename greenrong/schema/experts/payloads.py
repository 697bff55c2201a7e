from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.experts.types import Expert
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The Expert as saved.")
class ExpertSuccess:
    expert: Expert = strawberry.field(description="The Expert after the change.")


CreateExpertPayload = Annotated[
    ExpertSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateExpertPayload", description="The saved Expert, or why nothing changed."
    ),
]
UpdateExpertPayload = Annotated[
    ExpertSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateExpertPayload", description="The saved Expert, or why nothing changed."
    ),
]
