"""Payloads of the review mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.identification.types import ProjectGreenIdentification
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The reviewed identification.")
class GreenIdentificationSuccess:
    identification: ProjectGreenIdentification = strawberry.field(
        description="The project's identification after the review."
    )


ReviewGreenIdentificationPayload = Annotated[
    GreenIdentificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "ReviewGreenIdentificationPayload",
        description="The reviewed identification, or why nothing was changed.",
    ),
]
