"""The demo's target figures: the 2022 绿蓉融 report's numbers at scale 1, scaled exactly.

At scale 1 the seeded database reproduces the report (截至2022年5月末): 2,918 enterprises,
71 institutions, 130 products, 154 experts, demands received ¥239.2亿, financing facilitated
¥67.19亿 (2020 ¥7.6亿, 2021 ¥21.41亿, 2022 Jan–May ¥38.18亿), 1,910 matching services
(对接服务, tracked FinancingMatch rows) and the disclosure counts. At other
scales every count and money total is the scale-1 figure times the scale, rounded; splits of a
scaled total are apportioned by the largest-remainder method, so they still add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed.apportion import scaled_count, scaled_money

ENTERPRISES = 2918
#: 入库绿色企业 by category, in per cent (the report's shares)
CATEGORY_SHARES = {
    GreenCategory.ENERGY_SAVING_ENVIRONMENTAL: 39,
    GreenCategory.CLEAN_PRODUCTION: 11,
    GreenCategory.CLEAN_ENERGY: 13,
    GreenCategory.ECOLOGICAL_ENVIRONMENT: 10,
    GreenCategory.GREEN_INFRASTRUCTURE: 21,
    GreenCategory.GREEN_SERVICES: 6,
}
#: 225 rated green enterprises (report); the split between the three levels is our assumption
GREEN_LEVELS = {GreenLevel.GREEN: 130, GreenLevel.DEEP_GREEN: 65, GreenLevel.EXCELLENT_GREEN: 30}
INSTITUTIONS = 71
PRODUCTS = 130
EXPERTS = 154
#: 专家职称 in per cent (report)
EXPERT_TITLE_SHARES = {
    ExpertTitle.PROFESSOR: 41,
    ExpertTitle.SENIOR_ENGINEER: 24,
    ExpertTitle.PROFESSORIAL_SENIOR_ENGINEER: 16,
    ExpertTitle.RESEARCHER: 10,
    ExpertTitle.OTHER: 9,
}
TECHNOLOGY_LISTINGS = 1000
TECHNOLOGY_NEEDS = 300  # our assumption
DISCLOSURES = {
    DisclosureKind.FI_ENVIRONMENTAL: 63,
    DisclosureKind.ENTERPRISE_ENVIRONMENTAL: 859,
    DisclosureKind.CSR_ESG_REPORT: 546,
    DisclosureKind.ENVIRONMENTAL_EVALUATION: 4532,
}
DEMAND_RECEIVED = Decimal("23920000000.00")
FINANCED_BY_YEAR = {
    2020: Decimal("760000000.00"),
    2021: Decimal("2141000000.00"),
    2022: Decimal("3818000000.00"),
}
#: how many demands were financed each year: our assumption
FINANCED_COUNTS_BY_YEAR = {2020: 140, 2021: 390, 2022: 520}
#: 对接服务 (report): tracked matching services, the financed ones included
MATCHING_SERVICES = 1910
#: enterprises with >= 5 projects of >= 3 demands each, per prefecture (benchmarks need >= 100)
HEAVY_ENTERPRISES = {"510100": 120, "510700": 110}
#: project libraries (report): 84 green projects, 338 cultivation, 186 climate (143 + 43)
GREEN_PROJECTS = 84
CULTIVATION_PROJECTS = 338
CLIMATE_MITIGATION_PROJECTS = 143
CLIMATE_ADAPTATION_PROJECTS = 43
#: 入库绿色项目 by category, in per cent (report; the libraries context reproduces these shares)
GREEN_PROJECT_CATEGORY_SHARES = {
    GreenCategory.GREEN_INFRASTRUCTURE: 38,
    GreenCategory.ENERGY_SAVING_ENVIRONMENTAL: 20,
    GreenCategory.CLEAN_ENERGY: 17,
    GreenCategory.ECOLOGICAL_ENVIRONMENT: 16,
    GreenCategory.CLEAN_PRODUCTION: 7,
    GreenCategory.GREEN_SERVICES: 2,
}
#: 184 个气候友好型项目 (report)
CLIMATE_FRIENDLY_PROJECTS = 184
#: 碳减排支持工具 projects (report: 33)
PBOC_TOOL_PROJECTS = 33

K = TypeVar("K")


@dataclass(frozen=True)
class SeedPlan:
    scale: float
    enterprises: int
    enterprises_by_category: dict[GreenCategory, int]
    enterprises_by_level: dict[GreenLevel, int]
    institutions: int
    products: int
    experts_by_title: dict[ExpertTitle, int]
    technology_listings: int
    technology_needs: int
    disclosures_by_kind: dict[DisclosureKind, int]
    demand_received: Decimal
    financed_by_year: dict[int, Decimal]
    financed_counts_by_year: dict[int, int]
    matching_services: int
    heavy_enterprises: dict[str, int]
    green_projects: int
    cultivation_projects: int
    climate_mitigation_projects: int
    climate_adaptation_projects: int
    #: the rated (入库) enterprises by category: the report's shares of the 225
    rated_by_category: dict[GreenCategory, int] = field(default_factory=dict)
    #: the green-library projects by category: the report's shares of the 84
    green_projects_by_category: dict[GreenCategory, int] = field(default_factory=dict)
    climate_friendly_projects: int = 0
    pboc_tool_projects: int = 0

    @classmethod
    def at_scale(cls, scale: float) -> SeedPlan:
        enterprises = scaled_count(ENTERPRISES, scale, minimum=1)
        financed_counts = {
            y: scaled_count(n, scale, minimum=1) for y, n in FINANCED_COUNTS_BY_YEAR.items()
        }
        experts = scaled_count(EXPERTS, scale, minimum=1)
        rated = scaled_count(sum(GREEN_LEVELS.values()), scale)
        levels = {GreenLevel.NONE: enterprises - rated, **_apportioned(rated, GREEN_LEVELS)}
        return cls(
            scale=scale,
            enterprises=enterprises,
            enterprises_by_category=_apportioned(enterprises, CATEGORY_SHARES),
            enterprises_by_level=levels,
            institutions=scaled_count(INSTITUTIONS, scale, minimum=1),
            products=scaled_count(PRODUCTS, scale, minimum=1),
            experts_by_title=_apportioned(experts, EXPERT_TITLE_SHARES),
            technology_listings=scaled_count(TECHNOLOGY_LISTINGS, scale),
            technology_needs=scaled_count(TECHNOLOGY_NEEDS, scale),
            disclosures_by_kind={k: scaled_count(n, scale) for k, n in DISCLOSURES.items()},
            demand_received=scaled_money(DEMAND_RECEIVED, scale),
            financed_by_year={y: scaled_money(a, scale) for y, a in FINANCED_BY_YEAR.items()},
            financed_counts_by_year=financed_counts,
            # every financed demand is a service, even where rounding makes them the larger count
            matching_services=max(
                scaled_count(MATCHING_SERVICES, scale), sum(financed_counts.values())
            ),
            heavy_enterprises={
                p: scaled_count(n, scale, minimum=1) for p, n in HEAVY_ENTERPRISES.items()
            },
            green_projects=scaled_count(GREEN_PROJECTS, scale),
            cultivation_projects=scaled_count(CULTIVATION_PROJECTS, scale),
            climate_mitigation_projects=scaled_count(CLIMATE_MITIGATION_PROJECTS, scale),
            climate_adaptation_projects=scaled_count(CLIMATE_ADAPTATION_PROJECTS, scale),
            rated_by_category=_apportioned(rated, CATEGORY_SHARES),
            green_projects_by_category=_apportioned(
                scaled_count(GREEN_PROJECTS, scale), GREEN_PROJECT_CATEGORY_SHARES
            ),
            climate_friendly_projects=scaled_count(CLIMATE_FRIENDLY_PROJECTS, scale),
            pboc_tool_projects=scaled_count(PBOC_TOOL_PROJECTS, scale),
        )

    @property
    def experts(self) -> int:
        return sum(self.experts_by_title.values())

    @property
    def financed_total(self) -> Decimal:
        return sum(self.financed_by_year.values(), Decimal("0.00"))


def _apportioned(total: int, shares: dict[K, int]) -> dict[K, int]:
    return dict(zip(shares, largest_remainder(total, list(shares.values())), strict=True))
