from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.kit.types import Money


class TechnologyDomain(StrEnum):
    WATER = "WATER"
    SOIL = "SOIL"
    AIR = "AIR"
    SOLID_WASTE = "SOLID_WASTE"
    ENERGY_SAVING = "ENERGY_SAVING"
    CLEAN_ENERGY = "CLEAN_ENERGY"
    CARBON_REDUCTION = "CARBON_REDUCTION"
    MONITORING = "MONITORING"
    OTHER = "OTHER"


class TradeMode(StrEnum):
    TRANSFER = "TRANSFER"
    LICENCE = "LICENCE"
    COOPERATION = "COOPERATION"
    SERVICE = "SERVICE"


class ListingStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    WITHDRAWN = "WITHDRAWN"
    TRADED = "TRADED"


class NeedStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class TechnologyListing(Entity):
    __tablename__ = "technology_listing"
    entity_type = "TechnologyListing"

    #: exactly one owner: an enterprise or an institution
    owner_enterprise_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprise.id"), index=True
    )
    owner_institution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financial_institution.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    domain: Mapped[TechnologyDomain] = mapped_column(
        enum_column(TechnologyDomain, "technology_domain"), index=True
    )
    maturity: Mapped[int] = mapped_column(Integer)
    trade_mode: Mapped[TradeMode] = mapped_column(enum_column(TradeMode, "trade_mode"))
    asking_price: Mapped[Decimal | None] = mapped_column(Money())
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[ListingStatus] = mapped_column(
        enum_column(ListingStatus, "listing_status"), default=ListingStatus.DRAFT, index=True
    )

    __table_args__ = (
        CheckConstraint("maturity BETWEEN 1 AND 9", name="maturity_trl"),
        CheckConstraint(
            "(owner_enterprise_id IS NULL) <> (owner_institution_id IS NULL)", name="one_owner"
        ),
    )


class TechnologyNeed(Entity):
    __tablename__ = "technology_need"
    entity_type = "TechnologyNeed"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    domain: Mapped[TechnologyDomain] = mapped_column(
        enum_column(TechnologyDomain, "technology_domain"), index=True
    )
    budget: Mapped[Decimal | None] = mapped_column(Money())
    #: the lowest technology readiness level (1–9) the buyer accepts; none: any
    min_maturity: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[NeedStatus] = mapped_column(
        enum_column(NeedStatus, "need_status"), default=NeedStatus.OPEN
    )

    __table_args__ = (
        CheckConstraint("min_maturity BETWEEN 1 AND 9", name="min_maturity_trl"),
        # whether an enterprise has an open need in a domain (its need is the buyer, not its
        # lead: ``lead_repository.lead_candidates`` asks it for every lead it reads)
        Index("ix_technology_need_buyer", "enterprise_id", "domain", "status"),
    )
