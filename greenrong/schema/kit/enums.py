"""The domain's enums, registered as GraphQL enums with a description for every value."""

from __future__ import annotations

from enum import Enum

import strawberry

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureMetric, DisclosureStatus
from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.finance.models import (
    Collateral,
    DemandStatus,
    InstitutionKind,
    ProductKind,
)
from greenrong.domain.projects.models import ClimateType, ProjectLibrary, ProjectStatus
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)


def register(enum: type[Enum], description: str, values: dict[str, str]) -> None:
    strawberry.enum(enum, description=description)
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    missing = {v.name for v in definition.values} - values.keys()
    if missing:
        raise RuntimeError(f"{enum.__name__}: values without a description: {sorted(missing)}")
    for value in definition.values:
        value.description = values[value.name]


register(
    GreenCategory,
    "First-level category of 绿色产业指导目录（2019年版）.",
    {
        "ENERGY_SAVING_ENVIRONMENTAL": "节能环保产业",
        "CLEAN_PRODUCTION": "清洁生产产业",
        "CLEAN_ENERGY": "清洁能源产业",
        "ECOLOGICAL_ENVIRONMENT": "生态环境产业",
        "GREEN_INFRASTRUCTURE": "基础设施绿色升级",
        "GREEN_SERVICES": "绿色服务",
    },
)
register(
    GreenLevel,
    "Green level from Sichuan's certification: none < 绿 < 深绿 < 优绿.",
    {
        "NONE": "无等级 (not certified, or expired).",
        "GREEN": "绿",
        "DEEP_GREEN": "深绿",
        "EXCELLENT_GREEN": "优绿",
    },
)
register(
    EnterpriseSize,
    "Enterprise size class (大中小微).",
    {
        "MICRO": "微型",
        "SMALL": "小型",
        "MEDIUM": "中型",
        "LARGE": "大型",
    },
)
register(
    ClimateType,
    "Climate investment type (T/CSTE 0061-2021).",
    {
        "MITIGATION": "减缓气候变化",
        "ADAPTATION": "适应气候变化",
        "BOTH": "减缓与适应",
        "NONE": "非气候项目",
    },
)
register(
    ProjectStatus,
    "Where a project is in its life.",
    {
        "PLANNING": "规划中",
        "CONSTRUCTION": "建设中",
        "OPERATION": "运营中",
        "COMPLETED": "已完成",
    },
)
register(
    ProjectLibrary,
    "Project libraries named in the 绿蓉融 report.",
    {
        "GREEN_PROJECT": "四川省绿色项目库",
        "CULTIVATION": "培育库",
        "CLIMATE_INVESTMENT": "气候投融资项目库",
    },
)
register(
    InstitutionKind,
    "Kind of financial institution.",
    {
        "BANK": "银行",
        "INSURER": "保险公司",
        "FUND": "基金",
        "LEASING": "融资租赁",
        "GUARANTEE": "融资担保",
        "OTHER": "其他",
    },
)
register(
    ProductKind,
    "Kind of financial product.",
    {
        "LOAN": "贷款",
        "BOND": "债券",
        "INSURANCE": "保险",
        "LEASE": "融资租赁",
        "FUND": "基金",
        "PLEDGE_FINANCING": "质押融资",
    },
)
register(
    Collateral,
    "Collateral a product accepts or a demand offers.",
    {
        "CCER": "国家核证自愿减排量 (CCER) 质押",
        "CARBON_SINK_INCOME": "碳汇未来收益权",
        "DISCHARGE_RIGHTS": "排污权",
        "PROPERTY": "不动产抵押",
        "GUARANTEE": "第三方担保",
        "NONE": "无需担保 (信用)",
    },
)
register(
    DemandStatus,
    "Where a financing demand stands.",
    {
        "OPEN": "待对接",
        "MATCHED": "已对接",
        "FINANCED": "已放款",
        "CLOSED": "已关闭",
        "WITHDRAWN": "已撤回",
    },
)
register(
    ExpertTitle,
    "Professional title of an expert.",
    {
        "PROFESSOR": "教授",
        "SENIOR_ENGINEER": "高级工程师",
        "PROFESSORIAL_SENIOR_ENGINEER": "教授级高级工程师",
        "RESEARCHER": "研究员",
        "OTHER": "其他",
    },
)
register(
    TechnologyDomain,
    "Environmental domain of a technology.",
    {
        "WATER": "水污染治理",
        "SOIL": "土壤修复",
        "AIR": "大气污染治理",
        "SOLID_WASTE": "固废处理",
        "ENERGY_SAVING": "节能",
        "CLEAN_ENERGY": "清洁能源",
        "CARBON_REDUCTION": "减碳",
        "MONITORING": "环境监测",
        "OTHER": "其他",
    },
)
register(
    TradeMode,
    "How a technology is traded.",
    {
        "TRANSFER": "转让",
        "LICENCE": "许可",
        "COOPERATION": "合作开发",
        "SERVICE": "技术服务",
    },
)
register(
    ListingStatus,
    "Publication state of a technology listing.",
    {
        "DRAFT": "草稿",
        "PUBLISHED": "已发布",
        "WITHDRAWN": "已撤回",
        "TRADED": "已成交",
    },
)
register(NeedStatus, "State of a technology need.", {"OPEN": "征集中", "CLOSED": "已关闭"})
register(
    DisclosureKind,
    "Kind of disclosure.",
    {
        "FI_ENVIRONMENTAL": "金融机构环境信息披露报告",
        "ENTERPRISE_ENVIRONMENTAL": "企业环境信息披露",
        "CSR_ESG_REPORT": "社会责任 (CSR/ESG) 报告",
        "ENVIRONMENTAL_EVALUATION": "环境评价结果",
    },
)
register(
    DisclosureStatus,
    "Publication state of a disclosure.",
    {
        "DRAFT": "草稿",
        "PUBLISHED": "已发布",
        "WITHDRAWN": "已撤回",
    },
)
register(
    DisclosureMetric,
    "A structured disclosure metric; its unit is part of its name.",
    {
        "SCOPE1_TCO2E": "范围一排放 (direct emissions), tCO2e.",
        "SCOPE2_TCO2E": "范围二排放 (purchased energy), tCO2e.",
        "CARBON_REDUCTION_TCO2E": "碳减排量, tCO2e.",
        "ENERGY_CONSUMPTION_TCE": "综合能耗, tonnes of standard coal equivalent.",
        "WATER_WITHDRAWAL_T": "取水量, tonnes.",
        "GREEN_LOAN_BALANCE_CNY": "绿色贷款余额, CNY.",
        "GREEN_LOAN_SHARE": "绿色贷款占比, a fraction of all loans (0.1234 = 12.34 %).",
        "EMPLOYEES": "员工人数, persons.",
        "CHARITABLE_DONATIONS_CNY": "公益捐赠, CNY.",
        "EVALUATION_SCORE": "环境评价得分, points out of 100.",
    },
)
