"""Access tables: API keys, data consents (an entity, with versions and change events) and the
append-only audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.access.principal import Role
from greenrong.domain.kit.models import Base, Entity, enum_column
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox.models import Operation


class ConsentScope(StrEnum):
    """What an enterprise lets one institution see (经企业授权)."""

    CARBON_LEDGER = "CARBON_LEDGER"  # the carbon ledger (the carbon issue adds the data)
    DISCLOSURE_DRAFTS = "DISCLOSURE_DRAFTS"  # its disclosures before publication
    FINANCING_DEMANDS = "FINANCING_DEMANDS"  # the private fields of its financing demands
    CONTACT_DETAILS = "CONTACT_DETAILS"  # its contact person and phone


class ApiKey(Base):
    """An API key for a system. Only the SHA-256 of the secret is stored; the key is shown once."""

    __tablename__ = "api_key"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    #: the enterprise, institution or expert the key acts for (by role)
    org_id: Mapped[uuid.UUID | None] = mapped_column()
    #: the key's first characters, to recognise it in `keys list` (not secret enough to use)
    prefix: Mapped[str] = mapped_column(String(16))
    #: hex SHA-256 of the whole key
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    #: updated at most once a minute, so a busy key costs no write per request
    last_used_at: Mapped[datetime | None] = mapped_column()


class DataConsent(Entity):
    """An enterprise lets one institution see the scopes of its data until ``expires_at``."""

    __tablename__ = "data_consent"
    entity_type = "DataConsent"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    institution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("financial_institution.id"), index=True
    )
    #: ConsentScope values
    scopes: Mapped[list[str]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_data_consent_pair", "institution_id", "enterprise_id"),)


class AuditEntry(Base):
    """One write: who, what, when. Rows are only ever inserted (PostgreSQL enforces it)."""

    __tablename__ = "audit_entry"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the caller's role; writes outside a request (CLI, workers) are ADMIN, subject "system"
    actor_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    actor_key_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_subject: Mapped[str | None] = mapped_column(String(200))
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column()
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    operation: Mapped[Operation] = mapped_column(enum_column(Operation, "operation"))
    #: the version before the write (None for a create)
    old_version: Mapped[int | None] = mapped_column(Integer)
    new_version: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_entry_entity", "entity_id", "occurred_at", "id"),)
