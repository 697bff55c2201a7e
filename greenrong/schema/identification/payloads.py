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


_MEMBERS = (
    GreenIdentificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError
)
AcceptGreenIdentificationPayload = Annotated[
    _MEMBERS,
    strawberry.union(
        "AcceptGreenIdentificationPayload",
        description="The accepted identification, or why nothing was changed.",
    ),
]
CorrectGreenIdentificationPayload = Annotated[
    _MEMBERS,
    strawberry.union(
        "CorrectGreenIdentificationPayload",
        description="The corrected identification, or why nothing was changed.",
    ),
]
