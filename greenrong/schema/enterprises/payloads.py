from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.enterprises.types import Enterprise
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The Enterprise as saved.")
class EnterpriseSuccess:
    enterprise: Enterprise = strawberry.field(description="The Enterprise after the change.")


CreateEnterprisePayload = Annotated[
    EnterpriseSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateEnterprisePayload", description="The saved Enterprise, or why nothing changed."
    ),
]
UpdateEnterprisePayload = Annotated[
    EnterpriseSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateEnterprisePayload", description="The saved Enterprise, or why nothing changed."
    ),
]
