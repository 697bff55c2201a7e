from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel


class EnterpriseSize(StrEnum):
    MICRO = "MICRO"
    SMALL = "SMALL"
    MEDIUM = "MEDIUM"
    LARGE = "LARGE"


class Enterprise(Entity):
    """A company on the platform (绿色企业 when it holds a green level)."""

    __tablename__ = "enterprise"
    entity_type = "Enterprise"

    name: Mapped[str] = mapped_column(String(200))
    #: 统一社会信用代码, 18 characters, GB 32100-2015
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    #: GB/T 2260 six-digit code
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    #: GB/T 4754-2017 section letter (A–T) and two-digit division
    industry_section: Mapped[str] = mapped_column(String(1))
    industry_division: Mapped[str] = mapped_column(String(2))
    size: Mapped[EnterpriseSize] = mapped_column(enum_column(EnterpriseSize, "enterprise_size"))
    green_category: Mapped[GreenCategory] = mapped_column(
        enum_column(GreenCategory, "green_category"), index=True
    )
    green_level: Mapped[GreenLevel] = mapped_column(
        enum_column(GreenLevel, "green_level"), default=GreenLevel.NONE, index=True
    )
    green_level_valid_until: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    contact_person: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_enterprise_name_id", "name", "id"),)
