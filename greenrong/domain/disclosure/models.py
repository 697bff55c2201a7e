from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Entity, enum_column


class DisclosureKind(StrEnum):
    FI_ENVIRONMENTAL = "FI_ENVIRONMENTAL"  # 金融机构环境信息披露
    ENTERPRISE_ENVIRONMENTAL = "ENTERPRISE_ENVIRONMENTAL"  # 企业环境信息披露
    CSR_ESG_REPORT = "CSR_ESG_REPORT"  # 社会责任/ESG 报告
    ENVIRONMENTAL_EVALUATION = "ENVIRONMENTAL_EVALUATION"  # 环境评价结果


class DisclosureMetric(StrEnum):
    """Structured metrics a disclosure may carry; the unit is part of the key."""

    SCOPE1_TCO2E = "scope1_tco2e"  # 范围一排放, tCO2e
    SCOPE2_TCO2E = "scope2_tco2e"  # 范围二排放, tCO2e
    CARBON_REDUCTION_TCO2E = "carbon_reduction_tco2e"  # 碳减排量, tCO2e
    ENERGY_CONSUMPTION_TCE = "energy_consumption_tce"  # 综合能耗, tce
    WATER_WITHDRAWAL_T = "water_withdrawal_t"  # 取水量, t
    GREEN_LOAN_BALANCE_CNY = "green_loan_balance_cny"  # 绿色贷款余额, CNY
    GREEN_LOAN_SHARE = "green_loan_share"  # 绿色贷款占比, fraction of all loans
    EMPLOYEES = "employees"  # 员工人数, persons
    CHARITABLE_DONATIONS_CNY = "charitable_donations_cny"  # 公益捐赠, CNY
    EVALUATION_SCORE = "evaluation_score"  # 环境评价得分, points out of 100


class DisclosureStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    WITHDRAWN = "WITHDRAWN"


class Disclosure(Entity):
    __tablename__ = "disclosure"
    entity_type = "Disclosure"

    subject_enterprise_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprise.id"), index=True
    )
    subject_institution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financial_institution.id"), index=True
    )
    kind: Mapped[DisclosureKind] = mapped_column(
        enum_column(DisclosureKind, "disclosure_kind"), index=True
    )
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    #: DisclosureMetric value -> decimal string (exact)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[DisclosureStatus] = mapped_column(
        enum_column(DisclosureStatus, "disclosure_status"),
        default=DisclosureStatus.PUBLISHED,
        index=True,
    )

    __table_args__ = (
        CheckConstraint(
            "(subject_enterprise_id IS NULL) <> (subject_institution_id IS NULL)",
            name="one_subject",
        ),
    )
