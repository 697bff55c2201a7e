"""Feed positions, webhook endpoints, deliveries and their attempts; saved searches, the listings
each one currently matches, and the alerts they raised."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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


class FeedConsumer(Base):
    """One consumer of the change feed other than indexing (``alerts``, ``identification``):
    the last feed position it has handled, and a lease while one run of it works on the next
    batch. Each consumer moves its own position, so one's failure never holds up another."""

    __tablename__ = "feed_consumer"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    #: a run holds the consumer until then; another run may take over after it
    leased_until: Mapped[datetime | None] = mapped_column()


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
    #: a token owner's role and organisation (a key owner's are read from its key, live)
    owner_role: Mapped[str | None] = mapped_column(String(20))
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column()
    #: when the creating token expired: the endpoint is disabled from then (NULL: a key
    #: owner, or an endpoint created before token expiry was recorded)
    owner_until: Mapped[datetime | None] = mapped_column()
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
    #: the change event sent; NULL for a saved-search alert (then ``alert_id`` is set)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("change_event.id"))
    #: the saved-search alert sent; NULL for a change event
    alert_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("listing_alert.id", ondelete="CASCADE")
    )
    #: the event's feed position; for an alert, the feed head when the alert was raised (it
    #: orders deliveries newest first)
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


class SavedSearchStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"


class SavedSearch(Base):
    """A technology-listing search someone saved to be alerted on. ``filters`` are the index's
    filter values (as ``search_query.build`` takes them, in JSON), made from the same filter
    input as ``searchTechnologyListings`` by the same code."""

    __tablename__ = "saved_search"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: who saved it: its API key or token subject (``Principal.identity``)
    owner: Mapped[str] = mapped_column(String(200))
    #: the owner's role and organisation when saving: alerts see only what they let it see
    owner_role: Mapped[str] = mapped_column(String(20))
    owner_org_id: Mapped[uuid.UUID | None] = mapped_column()
    #: the entity searched (``TechnologyListing``)
    entity_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), default="")
    query: Mapped[str | None] = mapped_column(String(500))
    #: the filter input as the client gave it (API names), shown back as ``filter``
    filter_input: Mapped[dict[str, Any]] = mapped_column()
    #: the same filter as index filter values (``Bounds`` as ``{"gte":…, "lte":…}``)
    filters: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[SavedSearchStatus] = mapped_column(
        enum_column(SavedSearchStatus, "saved_search_status"), default=SavedSearchStatus.ACTIVE
    )
    #: the last alert's ``seq``; bumped under this row's lock, so seqs commit in order
    last_alert_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_saved_search_owner", "owner", "created_at"),)


class SavedSearchMatch(Base):
    """A listing the saved search matched when it was last checked. A listing alerts when it
    enters this set, not while it stays in it; it leaves the set when it stops matching."""

    __tablename__ = "saved_search_match"

    saved_search_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("saved_search.id", ondelete="CASCADE"), primary_key=True
    )
    listing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("technology_listing.id", ondelete="CASCADE"), primary_key=True
    )
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListingAlert(Base):
    """A listing newly matched a saved search: stored, numbered per saved search (``seq``,
    gap-free and in commit order), sent to the owner's subscription and webhooks."""

    __tablename__ = "listing_alert"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    saved_search_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("saved_search.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    listing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("technology_listing.id", ondelete="CASCADE")
    )
    #: the listing's ``version`` that matched
    listing_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("saved_search_id", "seq"),)
