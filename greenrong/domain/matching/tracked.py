"""Tracked matching services: a financing match, a technology deal, a review assignment.

A match or a deal records that one side took up a suggestion; it then moves through the states
of its ``StateMachine`` (``deals.py``). A review assignment records that an expert reviews a
project; the cap on open reviews in ``reviewers.py`` counts the OPEN ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.kit.types import Money, utcnow


class MatchStatus(StrEnum):
    CONTACTED = "CONTACTED"
    NEGOTIATING = "NEGOTIATING"
    FINANCED = "FINANCED"
    DECLINED = "DECLINED"


class DealStatus(StrEnum):
    CONTACTED = "CONTACTED"
    NEGOTIATING = "NEGOTIATING"
    TRADED = "TRADED"
    DECLINED = "DECLINED"


class ReviewStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"


class FinancingMatch(Entity):
    """A financing demand and a product whose two sides are talking (对接服务)."""

    __tablename__ = "financing_match"
    entity_type = "FinancingMatch"

    demand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("financing_demand.id"), index=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("financial_product.id"), index=True)
    status: Mapped[MatchStatus] = mapped_column(
        enum_column(MatchStatus, "match_status"), default=MatchStatus.CONTACTED
    )
    #: the amount financed; set exactly when the status is FINANCED
    amount: Mapped[Decimal | None] = mapped_column(Money())
    #: when the match reached FINANCED or DECLINED
    closed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("demand_id", "product_id", name="uq_financing_match_demand_product"),
        CheckConstraint(
            "(status = 'FINANCED') = (amount IS NOT NULL)", name="amount_when_financed"
        ),
        Index("ix_financing_match_status_closed_at", "status", "closed_at"),
    )


class TechnologyDeal(Entity):
    """A technology listing and a buyer (a posted need, or an enterprise lead) in talks."""

    __tablename__ = "technology_deal"
    entity_type = "TechnologyDeal"

    listing_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("technology_listing.id"), index=True)
    #: the posted need, when the buyer had one
    need_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("technology_need.id"), index=True)
    #: the buyer: the need's enterprise, or the lead
    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[DealStatus] = mapped_column(
        enum_column(DealStatus, "deal_status"), default=DealStatus.CONTACTED
    )
    #: the price agreed; set exactly when the status is TRADED
    amount: Mapped[Decimal | None] = mapped_column(Money())
    closed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("listing_id", "enterprise_id", name="uq_technology_deal_listing_buyer"),
        CheckConstraint("(status = 'TRADED') = (amount IS NOT NULL)", name="amount_when_traded"),
    )


class ReviewAssignment(Entity):
    """An expert asked to review a project (the certification issue builds on this)."""

    __tablename__ = "review_assignment"
    entity_type = "ReviewAssignment"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert.id"), index=True)
    status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.OPEN
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("project_id", "expert_id", name="uq_review_assignment_project_expert"),
        Index("ix_review_assignment_expert_status", "expert_id", "status"),
    )
