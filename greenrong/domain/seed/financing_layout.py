"""How many projects each enterprise has, how many demands each project has, and libraries.

Decided up front (compact arrays, no rows) so that the money plan can apportion exact totals over
all demands before any row is generated. Demands are ordered enterprise by enterprise: first each
project's demands, then the enterprise's demands without a project.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass

from greenrong.domain.projects.models import ClimateType, ProjectLibrary
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.enterprises import EnterpriseLayout
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.randomness import Weighted

#: bit per library in ``FinancingLayout.project_libraries``
LIBRARY_BITS = {
    ProjectLibrary.GREEN_PROJECT: 1,
    ProjectLibrary.CULTIVATION: 2,
    ProjectLibrary.CLIMATE_INVESTMENT: 4,
    ProjectLibrary.CLIMATE_FRIENDLY: 8,
    ProjectLibrary.PBOC_CARBON_REDUCTION: 16,
}
#: project templates the PBoC carbon-reduction tool supports (its areas 清洁能源 and 节能环保,
#: by the sub-areas in libraries/data): our assumption, matched on the template's title
PBOC_TITLE_WORDS = ("光伏", "风电", "生物质", "储能", "加氢", "余热余压", "电机系统节能")
_PROJECTS = Weighted([(0, 30), (1, 35), (2, 20), (3, 10), (4, 5)])
_DEMANDS_PER_PROJECT = Weighted([(0, 45), (1, 35), (2, 15), (3, 5)])
_LOOSE_DEMANDS = Weighted([(0, 88), (1, 10), (2, 2)])
#: a heavy enterprise (benchmark precondition): 5–7 projects of 3–4 demands each
HEAVY_PROJECTS = (5, 7)
HEAVY_DEMANDS = (3, 4)


@dataclass
class FinancingLayout:
    projects_per_enterprise: array[int]
    loose_demands: array[int]
    #: per project: index into its category's templates, investment in 万元, demands, libraries
    project_templates: array[int]
    project_investment_wan: array[int]
    demands_per_project: array[int]
    project_libraries: bytearray

    @property
    def projects(self) -> int:
        return len(self.project_templates)

    @property
    def demands(self) -> int:
        return sum(self.demands_per_project) + sum(self.loose_demands)

    def active(self, enterprise: int) -> bool:
        return bool(self.projects_per_enterprise[enterprise] or self.loose_demands[enterprise])


def lay_out_financing(
    plan: SeedPlan, enterprises: EnterpriseLayout, rng: random.Random
) -> FinancingLayout:
    templates = vocabulary.projects()["templates"]
    layout = FinancingLayout(
        projects_per_enterprise=array("I"),
        loose_demands=array("I"),
        project_templates=array("I"),
        project_investment_wan=array("I"),
        demands_per_project=array("I"),
        project_libraries=bytearray(),
    )
    climate: list[ClimateType] = []
    owner_rated: list[bool] = []
    categories: list[GreenCategory] = []
    pboc_fit: list[bool] = []
    for i, category in enumerate(enterprises.categories):
        heavy = i in enterprises.heavy
        count = rng.randint(*HEAVY_PROJECTS) if heavy else _PROJECTS(rng)
        layout.projects_per_enterprise.append(count)
        layout.loose_demands.append(0 if heavy else _LOOSE_DEMANDS(rng))
        choices = templates[category.value]
        for _ in range(count):
            t = rng.randrange(len(choices))
            low, high = choices[t]["investment_wan"]
            layout.project_templates.append(t)
            layout.project_investment_wan.append(rng.randint(low, high))
            layout.demands_per_project.append(
                rng.randint(*HEAVY_DEMANDS) if heavy else _DEMANDS_PER_PROJECT(rng)
            )
            climate.append(ClimateType(choices[t]["climate"]))
            owner_rated.append(enterprises.levels[i] is not GreenLevel.NONE)
            categories.append(category)
            pboc_fit.append(any(w in choices[t]["title"] for w in PBOC_TITLE_WORDS))
    layout.project_libraries = _libraries(plan, climate, owner_rated, categories, rng)
    _more_libraries(layout.project_libraries, plan, climate, pboc_fit, rng)
    return layout


def project_template(category: GreenCategory, index: int) -> vocabulary.ProjectTemplate:
    return vocabulary.projects()["templates"][category.value][index]


def _libraries(
    plan: SeedPlan,
    climate: list[ClimateType],
    owner_rated: list[bool],
    categories: list[GreenCategory],
    rng: random.Random,
) -> bytearray:
    """Exact library sizes: green projects of rated enterprises first, split by category as
    the report's shares (``plan.green_projects_by_category``), cultivation among the rest,
    climate-investment projects split into mitigation and adaptation."""
    bits = bytearray(len(climate))
    everyone = range(len(climate))
    green: list[int] = []
    for category, wanted in plan.green_projects_by_category.items():
        of_category = [p for p in everyone if categories[p] is category]
        picked = _sample(rng, [p for p in of_category if owner_rated[p]], wanted)
        if len(picked) < wanted:
            chosen = set(picked)
            rest = [p for p in of_category if p not in chosen]
            picked += _sample(rng, rest, wanted - len(picked))
        green += picked
    if len(green) < plan.green_projects:
        chosen = set(green)
        green += _sample(
            rng, [p for p in everyone if p not in chosen], plan.green_projects - len(green)
        )
    chosen = set(green)
    cultivation = _sample(rng, [p for p in everyone if p not in chosen], plan.cultivation_projects)
    mitigating = [p for p in everyone if climate[p] in (ClimateType.MITIGATION, ClimateType.BOTH)]
    adapting = [p for p in everyone if climate[p] is ClimateType.ADAPTATION]
    climate_projects = _sample(rng, mitigating, plan.climate_mitigation_projects) + _sample(
        rng, adapting, plan.climate_adaptation_projects
    )
    for library, members in (
        (ProjectLibrary.GREEN_PROJECT, green),
        (ProjectLibrary.CULTIVATION, cultivation),
        (ProjectLibrary.CLIMATE_INVESTMENT, climate_projects),
    ):
        for p in members:
            bits[p] |= LIBRARY_BITS[library]
    return bits


def _more_libraries(
    bits: bytearray,
    plan: SeedPlan,
    climate: list[ClimateType],
    pboc_fit: list[bool],
    rng: random.Random,
) -> None:
    """The 184 climate-friendly projects (any with a climate type) and the 33 PBoC-tool
    projects (``PBOC_TITLE_WORDS``), drawn after ``_libraries``."""
    climate_friendly = [p for p in range(len(bits)) if climate[p] is not ClimateType.NONE]
    for p in _sample(rng, climate_friendly, plan.climate_friendly_projects):
        bits[p] |= LIBRARY_BITS[ProjectLibrary.CLIMATE_FRIENDLY]
    pboc = [p for p in range(len(bits)) if pboc_fit[p]]
    for p in _sample(rng, pboc, plan.pboc_tool_projects):
        bits[p] |= LIBRARY_BITS[ProjectLibrary.PBOC_CARBON_REDUCTION]


def _sample(rng: random.Random, population: list[int], wanted: int) -> list[int]:
    return rng.sample(population, min(wanted, len(population)))
