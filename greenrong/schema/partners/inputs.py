from __future__ import annotations

import strawberry

from greenrong.schema.partners.types import EntityType


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="An absolute http:// or https:// URL to POST to.")
    entity_types: list[EntityType] = strawberry.field(
        default_factory=list,
        description="Entity types whose changes are sent; empty means every type.",
    )
    description: str = strawberry.field(default="", description="What the endpoint is for.")


@strawberry.input(description="The endpoint whose signing secret is replaced.")
class RotateWebhookSecretInput:
    id: strawberry.ID = strawberry.field(description="Global id of the webhook endpoint.")


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="Global id of the delivery.")
