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
from greenrong.domain.libraries.models import (
    Library,
    MembershipSource,
    PbocArea,
    RecommendationStatus,
    SubjectType,
)
from greenrong.domain.matching.tracked import DealStatus, MatchStatus
from greenrong.domain.projects.models import ClimateType, ProjectLibrary, ProjectStatus
from greenrong.domain.reference.labels import labels_of
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TradeMode,
)


def register(
    enum: type[Enum],
    description: str,
    values: dict[str, str] | None = None,
    *,
    notes: dict[str, str] | None = None,
) -> None:
    """Register an enum with a description for every value.

    Domain enums are described by their Chinese labels (``domain/reference/labels.py``), with an
    optional note; API-only enums pass ``values`` explicitly.
    """
    strawberry.enum(enum, description=description)
    if values is None:
        labels = labels_of(enum)  # type: ignore[arg-type]
        values = {member.name: labels[member.value] for member in enum}
    described = values
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    missing = {v.name for v in definition.values} - described.keys()
    if missing:
        raise RuntimeError(f"{enum.__name__}: values without a description: {sorted(missing)}")
    for value in definition.values:
        note = (notes or {}).get(value.name)
        value.description = described[value.name] + (f" ({note})" if note else "")


register(GreenCategory, "First-level category of 绿色产业指导目录（2019年版）.")
register(
    GreenLevel,
    "Green level from Sichuan's certification: none < 绿 < 深绿 < 优绿.",
    notes={"NONE": "not certified, or expired"},
)
register(EnterpriseSize, "Enterprise size class (大中小微).")
register(ClimateType, "Climate investment type (T/CSTE 0061-2021).")
register(ProjectStatus, "Where a project is in its life.")
register(ProjectLibrary, "Project libraries named in the 绿蓉融 report.")
register(Library, "The six green libraries (入库): docs/LIBRARIES.md.")
register(MembershipSource, "How a subject entered a library.")
register(SubjectType, "What a library membership names: an enterprise or a project.")
register(PbocArea, "Area of the PBoC carbon-reduction support tool (碳减排支持工具).")
register(
    RecommendationStatus, "Where a cultivation recommendation stands: 已推荐 → 审核通过 or 未通过."
)
register(InstitutionKind, "Kind of financial institution.")
register(ProductKind, "Kind of financial product.")
register(
    Collateral,
    "Collateral a product accepts or a demand offers.",
    notes={"CCER": "国家核证自愿减排量", "NONE": "信用"},
)
register(DemandStatus, "Where a financing demand stands.")
register(ExpertTitle, "Professional title of an expert.")
register(TechnologyDomain, "Environmental domain of a technology.")
register(TradeMode, "How a technology is traded.")
register(ListingStatus, "Publication state of a technology listing.")
register(NeedStatus, "State of a technology need.")
register(MatchStatus, "Where a financing match stands: 已联系 → 洽谈中 → 已放款, or 未达成.")
register(DealStatus, "Where a technology deal stands: 已联系 → 洽谈中 → 已成交, or 未达成.")
register(DisclosureKind, "Kind of disclosure.")
register(DisclosureStatus, "Publication state of a disclosure.")
register(
    DisclosureMetric,
    "A structured disclosure metric; its unit is part of its name.",
    notes={
        "SCOPE1_TCO2E": "direct emissions",
        "SCOPE2_TCO2E": "purchased energy",
        "ENERGY_CONSUMPTION_TCE": "tonnes of standard coal equivalent",
        "GREEN_LOAN_SHARE": "of all loans; 0.1234 = 12.34 %",
        "EVALUATION_SCORE": "points out of 100",
    },
)
