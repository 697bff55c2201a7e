from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Base, enum_column
from greenrong.domain.kit.types import utcnow


class Operation(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


class ChangeEvent(Base):
    """A committed change to one entity. Consumers (indexing, feeds, webhooks) read these."""

    __tablename__ = "change_event"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    operation: Mapped[Operation] = mapped_column(enum_column(Operation, "operation"))
    entity_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set once the event's handler succeeded (or dead-lettered it): the event is done
    dispatched_at: Mapped[datetime | None] = mapped_column()
    #: a relay handed the event over; no other relay takes it before this time (a lease)
    claimed_until: Mapped[datetime | None] = mapped_column()
    #: how often a relay has handed the event over
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        Index("ix_change_event_entity", "entity_type", "entity_id"),
        Index("ix_change_event_undispatched", "dispatched_at", "occurred_at"),
    )


#: the consumer of a dead letter whose events are the outbox's (indexing)
INDEXING = "search"


class DeadLetter(Base):
    """An entity that one consumer failed on for good (a terminal error, not an outage):
    indexing (``search``), or a feed consumer (``alerts``, ``identification``).

    One row per consumer and entity: a later terminal failure is merged into it.
    ``greenrong events retry`` replays it and deletes it once the replay succeeded: indexing
    by handing its events over again, a feed consumer by taking the entity into its next run
    (``requeued_at``).
    """

    __tablename__ = "dead_letter"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid.uuid4)
    consumer: Mapped[str] = mapped_column(String(40), default=INDEXING, server_default=INDEXING)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    #: the ChangeEvent ids (as strings) that led here
    event_ids: Mapped[list[str]] = mapped_column()
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: a feed consumer's dead letter asked to be replayed (its next run takes the entity)
    requeued_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (UniqueConstraint("consumer", "entity_type", "entity_id"),)
