from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.kit.types import Money, Rate
from greenrong.domain.reference.vocab import GreenLevel


class InstitutionKind(StrEnum):
    BANK = "BANK"
    INSURER = "INSURER"
    FUND = "FUND"
    LEASING = "LEASING"
    GUARANTEE = "GUARANTEE"
    OTHER = "OTHER"


class ProductKind(StrEnum):
    LOAN = "LOAN"
    BOND = "BOND"
    INSURANCE = "INSURANCE"
    LEASE = "LEASE"
    FUND = "FUND"
    PLEDGE_FINANCING = "PLEDGE_FINANCING"


class Collateral(StrEnum):
    CCER = "CCER"
    CARBON_SINK_INCOME = "CARBON_SINK_INCOME"  # 碳汇未来收益权
    DISCHARGE_RIGHTS = "DISCHARGE_RIGHTS"  # 排污权
    PROPERTY = "PROPERTY"
    GUARANTEE = "GUARANTEE"
    NONE = "NONE"


class DemandStatus(StrEnum):
    OPEN = "OPEN"
    MATCHED = "MATCHED"
    FINANCED = "FINANCED"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"


class FinancialInstitution(Entity):
    __tablename__ = "financial_institution"
    entity_type = "FinancialInstitution"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[InstitutionKind] = mapped_column(enum_column(InstitutionKind, "institution_kind"))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    description: Mapped[str] = mapped_column(Text, default="")


class FinancialProduct(Entity):
    __tablename__ = "financial_product"
    entity_type = "FinancialProduct"

    institution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("financial_institution.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ProductKind] = mapped_column(enum_column(ProductKind, "product_kind"))
    min_amount: Mapped[Decimal] = mapped_column(Money())
    max_amount: Mapped[Decimal] = mapped_column(Money())
    min_term_months: Mapped[int] = mapped_column(Integer)
    max_term_months: Mapped[int] = mapped_column(Integer)
    min_rate: Mapped[Decimal] = mapped_column(Rate())
    max_rate: Mapped[Decimal] = mapped_column(Rate())
    #: GreenCategory values; empty means every category
    eligible_green_categories: Mapped[list[str]] = mapped_column(default=list)
    #: GB/T 2260 codes; ["510000"] is the whole province
    eligible_region_codes: Mapped[list[str]] = mapped_column(default=list)
    #: Collateral values
    accepted_collateral: Mapped[list[str]] = mapped_column(default=list)
    min_green_level: Mapped[GreenLevel] = mapped_column(
        enum_column(GreenLevel, "green_level"), default=GreenLevel.NONE
    )
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    #: never loaded implicitly; the products search index loads it with selectinload()
    institution: Mapped[FinancialInstitution] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("min_amount <= max_amount", name="amount_range"),
        CheckConstraint("min_term_months <= max_term_months", name="term_range"),
        CheckConstraint("min_rate <= max_rate", name="rate_range"),
    )


class FinancingDemand(Entity):
    __tablename__ = "financing_demand"
    entity_type = "FinancingDemand"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), index=True)
    #: the product that financed (or was agreed for) this demand
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financial_product.id"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Money())
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text)
    #: Collateral values
    collateral_offered: Mapped[list[str]] = mapped_column(default=list)
    #: ProductKind values the enterprise accepts; empty means any financing kind (not INSURANCE)
    accepted_product_kinds: Mapped[list[str]] = mapped_column(default=list)
    max_rate: Mapped[Decimal | None] = mapped_column(Rate())
    status: Mapped[DemandStatus] = mapped_column(
        enum_column(DemandStatus, "demand_status"), default=DemandStatus.OPEN, index=True
    )
    financed_amount: Mapped[Decimal | None] = mapped_column(Money())
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    financed_at: Mapped[datetime | None] = mapped_column()
