"""Mutation payloads of the green libraries: a success member or a typed error."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from greenrong.schema.libraries.types import CultivationRecommendation, LibraryMembership


@strawberry.type(description="The membership as saved.")
class LibraryMembershipSuccess:
    membership: LibraryMembership = strawberry.field(description="The membership.")


@strawberry.type(description="The recommendation as saved.")
class CultivationRecommendationSuccess:
    recommendation: CultivationRecommendation = strawberry.field(description="The recommendation.")


AdmitToLibraryPayload = Annotated[
    LibraryMembershipSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "AdmitToLibraryPayload", description="The new membership, or why nothing changed."
    ),
]
EndLibraryMembershipPayload = Annotated[
    LibraryMembershipSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "EndLibraryMembershipPayload", description="The ended membership, or why nothing changed."
    ),
]
RecommendForCultivationPayload = Annotated[
    CultivationRecommendationSuccess
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError,
    strawberry.union(
        "RecommendForCultivationPayload",
        description="The new recommendation, or why nothing changed.",
    ),
]
ReviewCultivationRecommendationPayload = Annotated[
    CultivationRecommendationSuccess
    | ValidationError
    | NotFoundError
    | ConflictError
    | ForbiddenError,
    strawberry.union(
        "ReviewCultivationRecommendationPayload",
        description="The reviewed recommendation, or why nothing changed.",
    ),
]
