"""Change feed events and webhook endpoints, deliveries and attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from greenrong.domain.outbox.models import Operation
from greenrong.domain.partners.feed import FeedItem
from greenrong.domain.partners.models import (
    DeliveryStatus,
    EndpointStatus,
)
from greenrong.domain.partners.models import (
    WebhookAttempt as WebhookAttemptRow,
)
from greenrong.domain.partners.models import (
    WebhookDelivery as WebhookDeliveryRow,
)
from greenrong.domain.partners.models import (
    WebhookEndpoint as WebhookEndpointRow,
)
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.enums import register
from greenrong.schema.kit.ids import to_global_id
from greenrong.schema.kit.relay import Node


class EntityType(StrEnum):
    """Entity types of change events; the values are the domain's ``entity_type`` names."""

    ENTERPRISE = "Enterprise"
    PROJECT = "Project"
    FINANCIAL_INSTITUTION = "FinancialInstitution"
    FINANCIAL_PRODUCT = "FinancialProduct"
    FINANCING_DEMAND = "FinancingDemand"
    EXPERT = "Expert"
    TECHNOLOGY_LISTING = "TechnologyListing"
    TECHNOLOGY_NEED = "TechnologyNeed"
    DISCLOSURE = "Disclosure"
    FINANCING_MATCH = "FinancingMatch"
    TECHNOLOGY_DEAL = "TechnologyDeal"
    REVIEW_ASSIGNMENT = "ReviewAssignment"
    DATA_CONSENT = "DataConsent"
    CERTIFICATION = "Certification"
    CERTIFICATION_REVIEW = "CertificationReview"
    CERTIFICATION_EVENT = "CertificationEvent"
    LIBRARY_MEMBERSHIP = "LibraryMembership"
    CULTIVATION_RECOMMENDATION = "CultivationRecommendation"
    GREEN_IDENTIFICATION = "GreenIdentification"
    GREEN_IDENTIFICATION_CORRECTION = "GreenIdentificationCorrection"


register(
    EntityType,
    "A kind of entity whose changes are in the change feed.",
    {
        "ENTERPRISE": "An enterprise (企业).",
        "PROJECT": "A project (项目).",
        "FINANCIAL_INSTITUTION": "A financial institution (金融机构).",
        "FINANCIAL_PRODUCT": "A financial product (金融产品).",
        "FINANCING_DEMAND": "A financing demand (融资需求).",
        "EXPERT": "An expert (专家).",
        "TECHNOLOGY_LISTING": "A technology listing (技术成果).",
        "TECHNOLOGY_NEED": "A technology need (技术需求).",
        "DISCLOSURE": "An environmental disclosure (环境信息披露).",
        "FINANCING_MATCH": "A financing match between a demand and a product.",
        "TECHNOLOGY_DEAL": "A technology deal between a listing and a need.",
        "REVIEW_ASSIGNMENT": "An expert's review assignment (not a node: `entity` is null).",
        "DATA_CONSENT": "An enterprise's data consent (not a node: `entity` is null).",
        "CERTIFICATION": "A green certification cycle (绿色认定).",
        "CERTIFICATION_REVIEW": "An expert's review of a certification.",
        "CERTIFICATION_EVENT": "A certification history step (recorded in the history, not "
        "as changes).",
        "LIBRARY_MEMBERSHIP": "A library membership (入库).",
        "CULTIVATION_RECOMMENDATION": "A recommendation to the cultivation library (培育库).",
        "GREEN_IDENTIFICATION": "The identification engine's suggestion on a project, and its "
        "review (not a node: `entity` is null; see `Project.greenIdentification`).",
        "GREEN_IDENTIFICATION_CORRECTION": "A reviewer's correction of a suggestion (not a "
        "node: `entity` is null).",
    },
)
register(
    Operation,
    "What a change did to its entity.",
    {
        "CREATE": "The entity was created.",
        "UPDATE": "The entity was changed.",
        "DELETE": "The entity was deleted (not used yet).",
    },
)
register(
    EndpointStatus,
    "Whether a webhook endpoint receives deliveries.",
    notes={
        "ENABLED": "deliveries are sent",
        "DISABLED": "a delivery failed for the whole retry window; redeliverWebhook enables it",
    },
)
register(
    DeliveryStatus,
    "Where a webhook delivery stands.",
    notes={
        "PENDING": "attempts continue with backoff",
        "SUCCEEDED": "the endpoint answered 2xx",
        "FAILED": "every attempt failed during the retry window, or the endpoint was disabled",
    },
)


@strawberry.type(
    description=(
        "One committed change, at its place in the change feed. `id` is stable: deduplicate "
        "on it when a webhook or a reconnect brings the same event twice."
    )
)
class ChangeEvent:
    id: strawberry.ID = strawberry.field(description="The event's stable id (a UUID).")
    cursor: str = strawberry.field(
        description="The event's feed position, opaque: pass it as `after` to resume after it."
    )
    entity_type: EntityType = strawberry.field(description="What kind of entity changed.")
    entity_id: strawberry.ID = strawberry.field(description="Global id of the changed entity.")
    operation: Operation = strawberry.field(description="What the change did.")
    entity_version: int = strawberry.field(
        description="The entity's `version` after this change (1 for a create)."
    )
    occurred_at: datetime = strawberry.field(description="When the change was made (UTC).")
    pk: strawberry.Private[uuid.UUID]
    #: fresh loaders of one subscription message (a connection's own would cache old rows)
    loaders: strawberry.Private[Any]

    @strawberry.field(
        description=(
            "The entity as it is now, through the normal types and your role's rules: null "
            "when it no longer exists, when your role may not see it, or for non-node types."
        )
    )
    async def entity(self, info: Info) -> Node | None:
        from greenrong.domain.kit.registry import ENTITIES
        from greenrong.resolvers.node import NODE_TYPES

        node_type = NODE_TYPES.get(self.entity_type.value)
        model = ENTITIES.get(self.entity_type.value)
        if node_type is None or model is None:
            return None
        loaders = self.loaders or info.context.loaders
        row = await loaders.entity(model).load(self.pk)
        if row is None:
            return None
        node: Node = node_type.from_row(row)
        return node

    @classmethod
    def from_item(cls, item: FeedItem, loaders: Any = None) -> ChangeEvent:
        event = item.event
        return cls(
            id=strawberry.ID(str(event.id)),
            cursor=item.cursor,
            entity_type=EntityType(event.entity_type),
            entity_id=strawberry.ID(to_global_id(event.entity_type, event.entity_id)),
            operation=event.operation,
            entity_version=event.entity_version,
            occurred_at=event.occurred_at,
            pk=event.entity_id,
            loaders=loaders,
        )


@strawberry.type(description="A page of the change feed, in feed order.")
class ChangeFeed:
    events: list[ChangeEvent] = strawberry.field(description="The events of this page, in order.")
    end_cursor: str = strawberry.field(
        description=(
            "Pass as `after` for the next page: the last event's cursor, or your `after` "
            "(the start of the feed when none) when the page is empty."
        )
    )
    has_more: bool = strawberry.field(
        description="More published events follow this page; read again at once."
    )


@strawberry.type(description="One HTTP request of a webhook delivery.")
class WebhookAttempt:
    attempted_at: datetime = strawberry.field(description="When the request was sent (UTC).")
    status_code: int | None = strawberry.field(
        description="The endpoint's HTTP status; null when no answer came (refused, timed out)."
    )
    duration_ms: int = strawberry.field(description="How long the request took, in ms.")
    error: str | None = strawberry.field(
        description="Why the attempt failed (a non-2xx status, a timeout, …); null on success."
    )

    @classmethod
    def from_row(cls, row: WebhookAttemptRow) -> WebhookAttempt:
        return cls(
            attempted_at=row.attempted_at,
            status_code=row.status_code,
            duration_ms=row.duration_ms,
            error=row.error,
        )


@strawberry.type(description="One change event sent to one webhook endpoint, with every attempt.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="The delivery's id; pass it to `redeliverWebhook`."
    )
    event_id: strawberry.ID = strawberry.field(
        description="The `webhook-id` header and the body's `data.id`: the change event's id, "
        "or the alert's id for a `savedSearch.alert` delivery."
    )
    cursor: str = strawberry.field(
        description="The event's change feed cursor (for an alert: the feed's cursor when the "
        "alert was raised)."
    )
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempt_count: int = strawberry.field(description="How many requests were sent so far.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due (pending deliveries only)."
    )
    created_at: datetime = strawberry.field(description="When the delivery was created (UTC).")
    finished_at: datetime | None = strawberry.field(
        description="When it succeeded or failed for good."
    )
    attempts: list[WebhookAttempt] = strawberry.field(
        description="Every request, oldest first: status, duration and error."
    )

    @classmethod
    def from_row(
        cls, row: WebhookDeliveryRow, attempts: list[WebhookAttemptRow]
    ) -> WebhookDelivery:
        from greenrong.domain.partners.feed import encode_cursor

        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", row.id)),
            event_id=strawberry.ID(str(row.event_id or row.alert_id)),
            cursor=encode_cursor(row.position),
            status=row.status,
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at if row.status == DeliveryStatus.PENDING else None,
            created_at=row.created_at,
            finished_at=row.finished_at,
            attempts=[WebhookAttempt.from_row(a) for a in attempts],
        )


@strawberry.type(description="A partner's URL that receives signed POSTs of changes.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="Global id of the endpoint.")
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    description: str = strawberry.field(description="What the endpoint is for.")
    entity_types: list[EntityType] = strawberry.field(
        description="Entity types whose changes are sent; empty means every type."
    )
    status: EndpointStatus = strawberry.field(description="Whether deliveries are sent.")
    disabled_reason: str | None = strawberry.field(
        description="Why the endpoint was disabled, when it is."
    )
    created_at: datetime = strawberry.field(description="When the endpoint was created (UTC).")

    @classmethod
    def from_row(cls, row: WebhookEndpointRow) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", row.id)),
            url=row.url,
            description=row.description,
            entity_types=[EntityType(t) for t in row.entity_types],
            status=row.status,
            disabled_reason=row.disabled_reason,
            created_at=row.created_at,
        )


@strawberry.type(
    description=(
        "A webhook endpoint with its signing secret. The secret is shown here once and never "
        "again: store it now."
    )
)
class WebhookEndpointWithSecret:
    endpoint: WebhookEndpoint = strawberry.field(description="The endpoint.")
    secret: str = strawberry.field(
        description="The signing secret (`whsec_` + base64), per the Standard Webhooks spec."
    )
