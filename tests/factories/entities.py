"""Typed factories: ``create_<model>(session, **overrides)``, flushing, valid by default."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.disclosure.models import Disclosure, DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises.credit_code import complete
from greenrong.domain.enterprises.models import Enterprise, EnterpriseSize
from greenrong.domain.experts.models import Expert, ExpertTitle
from greenrong.domain.finance.models import (
    Collateral,
    DemandStatus,
    FinancialInstitution,
    FinancialProduct,
    FinancingDemand,
    InstitutionKind,
    ProductKind,
)
from greenrong.domain.kit.clock import today
from greenrong.domain.matching.leads import refresh_leads
from greenrong.domain.projects.models import ClimateType, Project, ProjectStatus
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TechnologyListing,
    TechnologyNeed,
    TradeMode,
)

_serial = itertools.count(1)


def credit_code(region: str = "510104") -> str:
    """A valid, unique 统一社会信用代码 in ``region``."""
    return complete(f"91{region}MA{next(_serial):07d}"[:17])


async def _add(session: AsyncSession, row: Any) -> Any:
    session.add(row)
    await session.flush()
    return row


async def create_enterprise(session: AsyncSession, **overrides: Any) -> Enterprise:
    values: dict[str, Any] = {
        "name": f"成都绿色科技有限公司{next(_serial)}",
        "credit_code": credit_code(),
        "region_code": "510104",
        "industry_section": "D",
        "industry_division": "44",
        "size": EnterpriseSize.SMALL,
        "green_category": GreenCategory.CLEAN_ENERGY,
        "green_level": GreenLevel.NONE,
    }
    if overrides.get("green_level", GreenLevel.NONE) != GreenLevel.NONE:
        # valid for a year from the platform's today: a fixed date would expire under the tests
        values["green_level_valid_until"] = today() + timedelta(days=365)
    row = await _add(session, Enterprise(**{**values, **overrides}))
    await refresh_leads(session, [row.id])  # as the enterprise service does
    return row


async def create_project(
    session: AsyncSession, *, enterprise_id: uuid.UUID, **overrides: Any
) -> Project:
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "title": f"分布式光伏项目{next(_serial)}",
        "green_category": GreenCategory.CLEAN_ENERGY,
        "total_investment": Decimal("12000000.00"),
        "region_code": "510104",
        "climate_type": ClimateType.MITIGATION,
        "status": ProjectStatus.CONSTRUCTION,
        "libraries": [],
    }
    return await _add(session, Project(**{**values, **overrides}))


async def create_institution(session: AsyncSession, **overrides: Any) -> FinancialInstitution:
    values: dict[str, Any] = {
        "name": f"四川银行成都分行{next(_serial)}",
        "kind": InstitutionKind.BANK,
        "region_code": "510100",
    }
    return await _add(session, FinancialInstitution(**{**values, **overrides}))


async def create_product(
    session: AsyncSession, *, institution_id: uuid.UUID, **overrides: Any
) -> FinancialProduct:
    values: dict[str, Any] = {
        "institution_id": institution_id,
        "name": f"碳汇贷{next(_serial)}",
        "kind": ProductKind.LOAN,
        "min_amount": Decimal("100000.00"),
        "max_amount": Decimal("50000000.00"),
        "min_term_months": 6,
        "max_term_months": 60,
        "min_rate": Decimal("0.0345"),
        "max_rate": Decimal("0.0480"),
        "eligible_green_categories": [],
        "eligible_region_codes": ["510000"],
        "accepted_collateral": [Collateral.NONE],
    }
    return await _add(session, FinancialProduct(**{**values, **overrides}))


async def create_demand(
    session: AsyncSession, *, enterprise_id: uuid.UUID, **overrides: Any
) -> FinancingDemand:
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "amount": Decimal("5000000.00"),
        "term_months": 36,
        "purpose": "光伏电站建设",
        "collateral_offered": [],
        "status": DemandStatus.OPEN,
        "submitted_at": datetime(2021, 6, 1, tzinfo=UTC),
    }
    return await _add(session, FinancingDemand(**{**values, **overrides}))


async def create_listing(session: AsyncSession, **overrides: Any) -> TechnologyListing:
    values: dict[str, Any] = {
        "title": f"高效污水处理膜技术{next(_serial)}",
        "description": "适用于工业废水的膜生物反应器工艺",
        "domain": TechnologyDomain.WATER,
        "maturity": 7,
        "trade_mode": TradeMode.LICENCE,
        "asking_price": Decimal("1500000.00"),
        "region_code": "510104",
        "status": ListingStatus.PUBLISHED,
    }
    if "owner_enterprise_id" not in overrides and "owner_institution_id" not in overrides:
        values["owner_enterprise_id"] = (await create_enterprise(session)).id
    return await _add(session, TechnologyListing(**{**values, **overrides}))


async def create_need(
    session: AsyncSession, *, enterprise_id: uuid.UUID, **overrides: Any
) -> TechnologyNeed:
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "title": f"垃圾渗滤液处理技术需求{next(_serial)}",
        "description": "寻求高浓度有机废水的处理方案",
        "domain": TechnologyDomain.WATER,
        "budget": Decimal("800000.00"),
        "region_code": "510104",
        "status": NeedStatus.OPEN,
    }
    return await _add(session, TechnologyNeed(**{**values, **overrides}))


async def create_expert(session: AsyncSession, **overrides: Any) -> Expert:
    values: dict[str, Any] = {
        "name": f"张建国{next(_serial)}",
        "field": "环境工程",
        "title": ExpertTitle.PROFESSOR,
        "affiliation": "四川大学建筑与环境学院",
        "specialties": ["水污染控制"],
        "region_code": "510107",
    }
    return await _add(session, Expert(**{**values, **overrides}))


async def create_disclosure(
    session: AsyncSession, *, subject_enterprise_id: uuid.UUID, **overrides: Any
) -> Disclosure:
    values: dict[str, Any] = {
        "subject_enterprise_id": subject_enterprise_id,
        "kind": DisclosureKind.ENTERPRISE_ENVIRONMENTAL,
        "year": 2021,
        "title": f"2021年度环境信息披露报告{next(_serial)}",
        "body": "报告期内单位产值能耗下降百分之五",
        "metrics": {},
        "status": DisclosureStatus.PUBLISHED,
    }
    row = await _add(session, Disclosure(**{**values, **overrides}))
    await refresh_leads(session, [row.subject_enterprise_id])  # as the disclosure service does
    return row
