from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from greenrong.schema.partners.types import WebhookDelivery, WebhookEndpointWithSecret


@strawberry.type(description="The delivery, due again now.")
class WebhookDeliverySuccess:
    delivery: WebhookDelivery = strawberry.field(description="The delivery after the change.")


CreateWebhookEndpointPayload = Annotated[
    WebhookEndpointWithSecret | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateWebhookEndpointPayload",
        description="The new endpoint with its secret (shown this once), or why nothing changed.",
    ),
]
RotateWebhookSecretPayload = Annotated[
    WebhookEndpointWithSecret | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RotateWebhookSecretPayload",
        description="The endpoint with its new secret (shown this once), or why nothing changed.",
    ),
]
RedeliverWebhookPayload = Annotated[
    WebhookDeliverySuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RedeliverWebhookPayload", description="The delivery, due now, or why nothing changed."
    ),
]
