from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column


class ExpertTitle(StrEnum):
    PROFESSOR = "PROFESSOR"  # 教授
    SENIOR_ENGINEER = "SENIOR_ENGINEER"  # 高级工程师
    PROFESSORIAL_SENIOR_ENGINEER = "PROFESSORIAL_SENIOR_ENGINEER"  # 教授级高级工程师
    RESEARCHER = "RESEARCHER"  # 研究员
    OTHER = "OTHER"


class Expert(Entity):
    __tablename__ = "expert"
    entity_type = "Expert"

    name: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(100))
    title: Mapped[ExpertTitle] = mapped_column(enum_column(ExpertTitle, "expert_title"), index=True)
    affiliation: Mapped[str] = mapped_column(String(200))
    specialties: Mapped[list[str]] = mapped_column(default=list)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str | None] = mapped_column(String(200))
