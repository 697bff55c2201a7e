from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column
from greenrong.domain.kit.types import Money
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel


class ClimateType(StrEnum):
    """T/CSTE 0061-2021 climate investment type."""

    MITIGATION = "MITIGATION"
    ADAPTATION = "ADAPTATION"
    BOTH = "BOTH"
    NONE = "NONE"


class ProjectStatus(StrEnum):
    PLANNING = "PLANNING"
    CONSTRUCTION = "CONSTRUCTION"
    OPERATION = "OPERATION"
    COMPLETED = "COMPLETED"


class ProjectLibrary(StrEnum):
    """The project libraries the seed report names."""

    GREEN_PROJECT = "GREEN_PROJECT"  # 四川省绿色项目库
    CULTIVATION = "CULTIVATION"  # 培育库
    CLIMATE_INVESTMENT = "CLIMATE_INVESTMENT"  # 气候投融资项目库
    CLIMATE_FRIENDLY = "CLIMATE_FRIENDLY"  # 气候友好型名单 (libraries context)
    PBOC_CARBON_REDUCTION = "PBOC_CARBON_REDUCTION"  # 碳减排支持工具 list (libraries context)


class Project(Entity):
    __tablename__ = "project"
    entity_type = "Project"

    enterprise_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    green_category: Mapped[GreenCategory] = mapped_column(
        enum_column(GreenCategory, "green_category")
    )
    total_investment: Mapped[Decimal] = mapped_column(Money())
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    climate_type: Mapped[ClimateType] = mapped_column(enum_column(ClimateType, "climate_type"))
    status: Mapped[ProjectStatus] = mapped_column(enum_column(ProjectStatus, "project_status"))
    #: ProjectLibrary values: the project's open library memberships, kept in sync by
    #: ``libraries.service`` (admit, end)
    libraries: Mapped[list[str]] = mapped_column(default=list)
    #: the current level from the project's certification (绿色认定), NONE when none holds;
    #: set by the certification services only
    green_level: Mapped[GreenLevel] = mapped_column(
        enum_column(GreenLevel, "green_level"), default=GreenLevel.NONE, index=True
    )
    green_level_valid_until: Mapped[date | None] = mapped_column(Date)
