from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.access.types import DataConsent
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The DataConsent as saved.")
class DataConsentSuccess:
    data_consent: DataConsent = strawberry.field(description="The consent after the change.")


GrantDataConsentPayload = Annotated[
    DataConsentSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "GrantDataConsentPayload", description="The saved consent, or why nothing changed."
    ),
]
RevokeDataConsentPayload = Annotated[
    DataConsentSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RevokeDataConsentPayload", description="The revoked consent, or why nothing changed."
    ),
]
