"""Chinese labels of every domain enum value: the one place for them.

The GraphQL enum descriptions (``schema/kit/enums.py``) and the search facet labels
(``indexers/kit/labels.py``) both read these. Labels are our own wording, except where a
standard names the value (the green catalogue's categories).
"""

from __future__ import annotations

from enum import StrEnum

from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.principal import Role
from greenrong.domain.carbon.models import CreditStandard, LedgerKind
from greenrong.domain.certification.models import (
    CertificationAction,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.scoring import Attainment, ConsolidationRule
from greenrong.domain.disclosure.models import DisclosureKind, DisclosureMetric, DisclosureStatus
from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.finance.models import Collateral, DemandStatus, InstitutionKind, ProductKind
from greenrong.domain.identification.models import IdentificationStatus
from greenrong.domain.libraries.models import (
    Library,
    MembershipSource,
    PbocArea,
    RecommendationStatus,
    SubjectType,
)
from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.domain.matching.tracked import DealStatus, MatchStatus
from greenrong.domain.partners.models import DeliveryStatus, EndpointStatus, SavedSearchStatus
from greenrong.domain.projects.models import ClimateType, ProjectLibrary, ProjectStatus
from greenrong.domain.reference.catalog import green_category_names
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)

LABELS: dict[type[StrEnum], dict[str, str]] = {
    Role: {
        "PUBLIC": "公众",
        "ENTERPRISE": "企业",
        "INSTITUTION": "金融机构",
        "EXPERT": "专家",
        "REGULATOR": "监管部门",
        "PARTNER": "合作平台",
        "ADMIN": "平台管理员",
    },
    ConsentScope: {
        "CARBON_LEDGER": "碳账户",
        "DISCLOSURE_DRAFTS": "未发布的信息披露",
        "FINANCING_DEMANDS": "融资需求详情",
        "CONTACT_DETAILS": "联系方式",
    },
    LedgerKind: {
        "EMISSION": "碳排放",
        "REDUCTION": "碳减排",
        "OFFSET": "碳中和（注销减排量抵消）",
        "VERIFICATION": "第三方核查",
    },
    CreditStandard: {"CCER": "国家核证自愿减排量 (CCER)", "FORESTRY": "林业碳汇"},
    DisclosureKind: {
        "FI_ENVIRONMENTAL": "金融机构环境信息披露报告",
        "ENTERPRISE_ENVIRONMENTAL": "企业环境信息披露",
        "CSR_ESG_REPORT": "社会责任 (CSR/ESG) 报告",
        "ENVIRONMENTAL_EVALUATION": "环境评价结果",
    },
    DisclosureMetric: {
        "scope1_tco2e": "范围一排放, tCO2e",
        "scope2_tco2e": "范围二排放, tCO2e",
        "carbon_reduction_tco2e": "碳减排量, tCO2e",
        "energy_consumption_tce": "综合能耗, tce",
        "water_withdrawal_t": "取水量, t",
        "green_loan_balance_cny": "绿色贷款余额, CNY",
        "green_loan_share": "绿色贷款占比 (fraction)",
        "employees": "员工人数",
        "charitable_donations_cny": "公益捐赠, CNY",
        "evaluation_score": "环境评价得分",
    },
    DisclosureStatus: {
        "DRAFT": "草稿",
        "PUBLISHED": "已发布",
        "WITHDRAWN": "已撤回",
    },
    EnterpriseSize: {
        "MICRO": "微型",
        "SMALL": "小型",
        "MEDIUM": "中型",
        "LARGE": "大型",
    },
    ExpertTitle: {
        "PROFESSOR": "教授",
        "SENIOR_ENGINEER": "高级工程师",
        "PROFESSORIAL_SENIOR_ENGINEER": "教授级高级工程师",
        "RESEARCHER": "研究员",
        "OTHER": "其他",
    },
    Collateral: {
        "CCER": "CCER 质押",
        "CARBON_SINK_INCOME": "碳汇未来收益权",
        "DISCHARGE_RIGHTS": "排污权",
        "PROPERTY": "不动产抵押",
        "GUARANTEE": "第三方担保",
        "NONE": "无需担保",
    },
    DemandStatus: {
        "OPEN": "待对接",
        "MATCHED": "已对接",
        "FINANCED": "已放款",
        "CLOSED": "已关闭",
        "WITHDRAWN": "已撤回",
    },
    InstitutionKind: {
        "BANK": "银行",
        "INSURER": "保险公司",
        "FUND": "基金",
        "LEASING": "融资租赁",
        "GUARANTEE": "融资担保",
        "OTHER": "其他",
    },
    ProductKind: {
        "LOAN": "贷款",
        "BOND": "债券",
        "INSURANCE": "保险",
        "LEASE": "融资租赁",
        "FUND": "基金",
        "PLEDGE_FINANCING": "质押融资",
    },
    ClimateType: {
        "MITIGATION": "减缓气候变化",
        "ADAPTATION": "适应气候变化",
        "BOTH": "减缓与适应",
        "NONE": "非气候项目",
    },
    ProjectLibrary: {
        "GREEN_PROJECT": "四川省绿色项目库",
        "CULTIVATION": "培育库",
        "CLIMATE_INVESTMENT": "气候投融资项目库",
        "CLIMATE_FRIENDLY": "气候友好型名单",
        "PBOC_CARBON_REDUCTION": "碳减排支持工具项目名单",
    },
    ProjectStatus: {
        "PLANNING": "规划中",
        "CONSTRUCTION": "建设中",
        "OPERATION": "运营中",
        "COMPLETED": "已完成",
    },
    EligibilityRule: {
        "ACTIVE": "产品在售",
        "KIND": "产品类型",
        "AMOUNT": "融资金额",
        "TERM": "融资期限",
        "REGION": "服务地区",
        "GREEN_CATEGORY": "绿色产业类别",
        "GREEN_LEVEL": "绿色等级",
        "COLLATERAL": "担保方式",
        "RATE": "利率",
    },
    GreenLevel: {
        "NONE": "无等级",
        "GREEN": "绿",
        "DEEP_GREEN": "深绿",
        "EXCELLENT_GREEN": "优绿",
    },
    EndpointStatus: {
        "ENABLED": "启用",
        "DISABLED": "已停用",
    },
    DeliveryStatus: {
        "PENDING": "待投递",
        "SUCCEEDED": "已送达",
        "FAILED": "投递失败",
    },
    SavedSearchStatus: {
        "ACTIVE": "提醒中",
        "PAUSED": "已暂停",
    },
    ListingStatus: {
        "DRAFT": "草稿",
        "PUBLISHED": "已发布",
        "WITHDRAWN": "已撤回",
        "TRADED": "已成交",
    },
    NeedStatus: {
        "OPEN": "征集中",
        "CLOSED": "已关闭",
    },
    TechnologyDomain: {
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
    MatchStatus: {
        "CONTACTED": "已联系",
        "NEGOTIATING": "洽谈中",
        "FINANCED": "已放款",
        "DECLINED": "未达成",
    },
    DealStatus: {
        "CONTACTED": "已联系",
        "NEGOTIATING": "洽谈中",
        "TRADED": "已成交",
        "DECLINED": "未达成",
    },
    TradeMode: {
        "TRANSFER": "转让",
        "LICENCE": "许可",
        "COOPERATION": "合作开发",
        "SERVICE": "技术服务",
    },
    Library: {
        "GREEN_ENTERPRISE": "四川省绿色企业库",
        "GREEN_PROJECT": "四川省绿色项目库",
        "CULTIVATION": "绿色培育库",
        "CLIMATE_INVESTMENT": "气候投融资项目库",
        "CLIMATE_FRIENDLY": "气候友好型名单",
        "PBOC_CARBON_REDUCTION": "碳减排支持工具项目名单",
    },
    MembershipSource: {
        "CERTIFICATION": "入库认定",
        "RECOMMENDATION": "主管部门推荐",
        "SCREENING": "筛选",
    },
    SubjectType: {"Enterprise": "企业", "Project": "项目"},
    PbocArea: {
        "CLEAN_ENERGY": "清洁能源",
        "ENERGY_SAVING": "节能环保",
        "CARBON_REDUCTION_TECH": "碳减排技术",
    },
    RecommendationStatus: {
        "RECOMMENDED": "已推荐",
        "ACCEPTED": "审核通过",
        "REJECTED": "未通过",
    },
    CertificationSubject: {"ENTERPRISE": "绿色企业认定", "PROJECT": "绿色项目认定"},
    CertificationStatus: {
        "DRAFT": "自评填写中",
        "PRE_SCORED": "系统预评分",
        "SUBMITTED": "已提交",
        "UNDER_REVIEW": "专家评审中",
        "REVIEWED": "评审完成",
        "SECOND_ROUND": "第二轮评审",
        "CONSOLIDATED": "已汇总",
        "ISSUED": "已发证",
        "REJECTED": "未通过",
        "EXPIRED": "已过期",
        "REVOKED": "已撤销",
        "RENEWED": "已续期",
    },
    CertificationAction: {
        "START": "开始认定",
        "UPDATE_SELF_ASSESSMENT": "填写自评（系统预评分）",
        "SUBMIT": "提交",
        "ASSIGN_REVIEWERS": "分配评审专家",
        "SCORE": "专家评分",
        "CONSOLIDATE": "汇总评分",
        "DECIDE": "监管部门决定",
        "EXPIRE": "到期",
        "REVOKE": "撤销",
        "RENEW": "续期",
    },
    CertificationReviewStatus: {
        "OPEN": "待评分",
        "SUBMITTED": "已评分",
        "SUPERSEDED": "已被第二轮评分取代",
    },
    Attainment: {"FULL": "完全符合", "PARTIAL": "部分符合", "NONE": "不符合"},
    ConsolidationRule: {"MEAN": "平均值", "MEDIAN": "中位数"},
    IdentificationStatus: {"SUGGESTED": "系统建议", "ACCEPTED": "已确认", "CORRECTED": "已更正"},
}


def labels_of(enum: type[StrEnum]) -> dict[str, str]:
    """Enum value -> Chinese label. Green categories are named by the catalogue file."""
    if enum is GreenCategory:
        return {category.value: name for category, name in green_category_names().items()}
    return LABELS[enum]


def label(value: StrEnum) -> str:
    return labels_of(type(value))[value.value]
