"""Suggestions stored on projects, and the corrections reviewers make to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.access.principal import Role
from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.kit.types import Rate

CODE_LENGTH = 16


class IdentificationStatus(StrEnum):
    SUGGESTED = "SUGGESTED"
    ACCEPTED = "ACCEPTED"
    CORRECTED = "CORRECTED"


class GreenIdentification(Entity):
    """The engine's suggestion for one version of a project's title and description.

    ``description_hash`` (SHA-256 of title and description) tells whether a later version of
    the project still describes the same thing; ``project_version`` is the version the worker
    read. One suggestion per project version, so a redelivered event adds nothing.
    """

    __tablename__ = "green_identification"
    entity_type = "GreenIdentification"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    project_version: Mapped[int] = mapped_column()
    description_hash: Mapped[str] = mapped_column(String(64))
    #: the top level-4 code; None when nothing in the catalogue matched
    code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    confidence: Mapped[Decimal] = mapped_column(Rate())
    #: the top codes in rank order (the suggestion first)
    candidates: Mapped[list[str]] = mapped_column(default=list)
    #: the terms of the description that matched the suggestion
    matched_terms: Mapped[list[str]] = mapped_column(default=list)
    engine_version: Mapped[str] = mapped_column(String(120))
    status: Mapped[IdentificationStatus] = mapped_column(
        enum_column(IdentificationStatus, "identification_status"),
        default=IdentificationStatus.SUGGESTED,
    )
    #: the code a reviewer accepted or corrected to
    final_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    reviewer_role: Mapped[Role | None] = mapped_column(
        enum_column(Role, "identification_reviewer_role")
    )
    reviewer_subject: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint(
            "project_id", "project_version", name="uq_green_identification_project_version"
        ),
        Index("ix_green_identification_project_created", "project_id", "created_at"),
    )


class GreenIdentificationCorrection(Entity):
    """One correction: who, when (``created_at``), from which code to which, and why."""

    __tablename__ = "green_identification_correction"
    entity_type = "GreenIdentificationCorrection"

    identification_id: Mapped[uuid.UUID] = mapped_column(
        # named by hand: the convention's name would pass PostgreSQL's 63-character limit
        ForeignKey("green_identification.id", name="fk_green_identification_correction_ident"),
        index=True,
    )
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    from_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    to_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    reason: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[Role] = mapped_column(enum_column(Role, "correction_actor_role"))
    actor_subject: Mapped[str | None] = mapped_column(String(200))
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column()
