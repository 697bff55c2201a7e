"""Feed positions, webhook endpoints, deliveries and their attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Base, enum_column
from greenrong.domain.kit.types import utcnow


class FeedCounter(Base):
    """One row (``id = 1``): the last feed position handed out.

    The publisher locks this row for its whole transaction, so positions are handed out by one
    publisher at a time, and each publisher commits before the next one starts numbering.
    """

    __tablename__ = "feed_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_position: Mapped[int] = mapped_column(BigInteger, default=0)


class FeedEntry(Base):
    """A change event's place in the feed. Written unnumbered with the change itself
    (``position`` NULL), numbered by the publisher after it committed."""

    __tablename__ = "feed_entry"

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("change_event.id", ondelete="CASCADE"), primary_key=True
    )
    entity_type: Mapped[str] = mapped_column(String(40))
    #: the feed position: unique, gap-free, in the order the publisher saw commits; NULL until
    #: published
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    published_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_feed_entry_type_position", "entity_type", "position"),)


class EndpointStatus(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEndpoint(Base):
    """A partner's URL that receives signed POSTs of the changes of some entity types."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    #: entity types (``Enterprise`` …) whose changes are sent; empty means every type
    entity_types: Mapped[list[str]] = mapped_column()
    #: signing secrets, newest first (``whsec_…``); more than one during a rotation
    secrets: Mapped[list[str]] = mapped_column()
    #: when the older secrets stop being used (end of a rotation), or NULL
    previous_secrets_until: Mapped[datetime | None] = mapped_column()
    status: Mapped[EndpointStatus] = mapped_column(
        enum_column(EndpointStatus, "endpoint_status"), default=EndpointStatus.ENABLED
    )
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    #: who created it: the API key or token subject (NULL for an anonymous caller)
    owner: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookFanout(Base):
    """One row (``id = 1``): the last feed position turned into deliveries."""

    __tablename__ = "webhook_fanout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_position: Mapped[int] = mapped_column(BigInteger, default=0)


class WebhookDelivery(Base):
    """One event for one endpoint: sent until it succeeds or its retry window ends."""

    __tablename__ = "webhook_delivery"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("change_event.id"))
    position: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: when the next attempt is due (PENDING only); claimed deliveries move it to a lease end
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "created_at"),
    )


class WebhookAttempt(Base):
    """One HTTP request of a delivery, successful or not."""

    __tablename__ = "webhook_attempt"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the HTTP status, or NULL when no answer came (refused, timed out)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
