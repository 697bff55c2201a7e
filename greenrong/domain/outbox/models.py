from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Uuid
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
    #: set by the relay once the event was handed to the workers (search issue)
    dispatched_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("ix_change_event_entity", "entity_type", "entity_id"),
        Index("ix_change_event_undispatched", "dispatched_at", "occurred_at"),
    )
