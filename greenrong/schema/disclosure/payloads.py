from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.disclosure.types import Disclosure
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The Disclosure as saved.")
class DisclosureSuccess:
    disclosure: Disclosure = strawberry.field(description="The Disclosure after the change.")


CreateDisclosurePayload = Annotated[
    DisclosureSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateDisclosurePayload", description="The saved Disclosure, or why nothing changed."
    ),
]
UpdateDisclosurePayload = Annotated[
    DisclosureSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateDisclosurePayload", description="The saved Disclosure, or why nothing changed."
    ),
]
