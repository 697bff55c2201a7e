"""Project and financing-demand rows, enterprise by enterprise, in blocks.

A block's project rows must be inserted before its demand rows (demands reference projects).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from greenrong.domain.finance.models import Collateral, DemandStatus, ProductKind
from greenrong.domain.projects.models import ClimateType, ProjectStatus
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.demand_money import DemandMoney
from greenrong.domain.seed.enterprises import EnterpriseDirectory
from greenrong.domain.seed.financing_layout import (
    LIBRARY_BITS,
    FinancingLayout,
    project_template,
)
from greenrong.domain.seed.matching import ProductCatalogue, ProductTerms
from greenrong.domain.seed.randomness import Weighted, new_uuid
from greenrong.domain.seed.reference import Sichuan
from greenrong.domain.seed.rows import Row, entity_columns, wan, yuan
from greenrong.domain.seed.timeline import CUTOFF, DEMANDS_OPEN, moment, year_window

_TERMS = (6, 12, 12, 24, 24, 36, 36, 36, 48, 60, 60, 84, 96, 120)
_RATE_STEP = Decimal("0.0005")
_RATE_MARGIN = Decimal("0.0025")
_DEMAND_SPAN = (CUTOFF - DEMANDS_OPEN).total_seconds()
_CLIMATE_TEXT = {
    ClimateType.MITIGATION: "项目具有减缓气候变化效益",
    ClimateType.ADAPTATION: "项目具有适应气候变化效益",
    ClimateType.BOTH: "项目同时具有减缓和适应气候变化效益",
    ClimateType.NONE: "项目以污染防治和资源节约为主",
}

Block = tuple[list[Row], list[Row]]


class FinancingRows:
    def __init__(
        self,
        layout: FinancingLayout,
        money: DemandMoney,
        enterprises: EnterpriseDirectory,
        catalogue: ProductCatalogue,
        *,
        rng: random.Random,
        sichuan: Sichuan,
    ) -> None:
        self._layout = layout
        self._money = money
        self._enterprises = enterprises
        self._catalogue = catalogue
        self._rng = rng
        self._sichuan = sichuan
        words = vocabulary.texts()
        self._texts = words
        self._rivers = vocabulary.geography()["rivers"]
        self._project_status = Weighted(
            [(ProjectStatus(s), w) for s, w in vocabulary.projects()["statuses"]]
        )
        self._demand_status = Weighted([(DemandStatus(s), w) for s, w in words["demand_statuses"]])
        self._collateral = {
            GreenCategory(c): Weighted([(Collateral(k), w) for k, w in pairs])
            for c, pairs in words["collateral_by_category"].items()
        }

    def blocks(self, rows_per_block: int) -> Iterator[Block]:
        projects: list[Row] = []
        demands: list[Row] = []
        project = 0
        demand = 0
        for enterprise, count in enumerate(self._layout.projects_per_enterprise):
            for p in range(project, project + count):
                asks = self._layout.demands_per_project[p]
                project_id = new_uuid(self._rng)
                title, row = self._project(enterprise, p)
                new = [
                    self._demand(enterprise, d, project_id, title)
                    for d in range(demand, demand + asks)
                ]
                demand += asks
                first = min((r["submitted_at"] for r in new), default=CUTOFF + timedelta(days=1))
                created = self._project_created(enterprise, first)
                projects.append(entity_columns(project_id, created) | row)
                demands.extend(new)
            project += count
            for d in range(demand, demand + self._layout.loose_demands[enterprise]):
                demands.append(self._demand(enterprise, d, None, None))
            demand += self._layout.loose_demands[enterprise]
            if len(demands) >= rows_per_block or len(projects) >= rows_per_block:
                yield projects, demands
                projects, demands = [], []
        if projects or demands:
            yield projects, demands

    def _project(self, enterprise: int, p: int) -> tuple[str, Row]:
        """The project's title and its columns except id and timestamps."""
        rng = self._rng
        category = self._enterprises.layout.categories[enterprise]
        template = project_template(category, self._layout.project_templates[p])
        home = self._sichuan.regions[self._enterprises.layout.regions[enterprise]]
        region = home
        if rng.random() < 0.2:
            region = self._sichuan.pick_region(rng, self._sichuan.prefecture(home.prefecture))
        low, high = template["n"]
        title = template["title"].format(
            place=region.full_name, n=rng.randint(low, high), river=rng.choice(self._rivers)
        )
        investment = self._layout.project_investment_wan[p]
        climate = ClimateType(template["climate"])
        bits = self._layout.project_libraries[p]
        return title, {
            "enterprise_id": self._enterprises.ids[enterprise],
            "title": title,
            "description": (
                f"{title}由{self._enterprises.names[enterprise]}投资建设，"
                f"总投资{investment:,}万元，{_CLIMATE_TEXT[climate]}。"
            ),
            "green_category": category,
            "total_investment": wan(investment),
            "region_code": region.code,
            "climate_type": climate,
            "status": self._project_status(rng),
            "libraries": [lib.value for lib, bit in LIBRARY_BITS.items() if bits & bit],
        }

    def _project_created(self, enterprise: int, first_demand: datetime) -> datetime:
        """After the enterprise joined, at least a day before the project's first demand."""
        joined = self._enterprises.created[enterprise]
        return moment(self._rng, joined, min(first_demand - timedelta(days=1), CUTOFF))

    def _demand(
        self, enterprise: int, d: int, project_id: uuid.UUID | None, project_title: str | None
    ) -> Row:
        rng = self._rng
        layout = self._enterprises.layout
        year = self._money.financed_year[d]
        amount = yuan(self._money.amounts[d])
        financed_amount = yuan(self._money.financed[d]) if year else None
        product: ProductTerms | None = None
        financed_at: datetime | None = None
        if year:
            status = DemandStatus.FINANCED
            financed_at, submitted = _financed_times(rng, year)
        else:
            status = self._demand_status(rng)
            submitted = DEMANDS_OPEN + timedelta(
                seconds=int(_DEMAND_SPAN * math.sqrt(rng.random()))
            )
        if status in (DemandStatus.FINANCED, DemandStatus.MATCHED):
            product = self._catalogue.pick(
                rng,
                region_code=layout.regions[enterprise],
                category=layout.categories[enterprise],
                level_rank=layout.levels[enterprise].rank,
                amount=financed_amount or amount,
            )
            if product is None and status is DemandStatus.FINANCED:
                product = self._catalogue.any(rng)
        if financed_at is not None:
            updated = financed_at
        elif status is DemandStatus.OPEN:
            updated = submitted
        else:
            updated = min(submitted + timedelta(days=rng.randint(1, 60)), CUTOFF)
        term = rng.choice(_TERMS)
        max_rate: Decimal | None = None
        if product is not None or rng.random() < 0.8:
            max_rate = _RATE_STEP * rng.randint(76, 130)
        if product is not None:
            term = min(max(term, product.min_term_months), product.max_term_months)
            max_rate = max(max_rate or Decimal(0), product.min_rate + _RATE_MARGIN)
        if project_title is None:
            purpose = rng.choice(self._texts["general_purposes"])
        else:
            purpose = rng.choice(self._texts["project_purposes"]).format(project=project_title)
        demand_id = new_uuid(rng)
        return entity_columns(demand_id, submitted, updated) | {
            "enterprise_id": self._enterprises.ids[enterprise],
            "project_id": project_id,
            "product_id": product.id if product else None,
            "amount": amount,
            "term_months": term,
            "purpose": purpose,
            "collateral_offered": self._collateral_offered(layout.categories[enterprise], product),
            "accepted_product_kinds": accepted_kinds(
                demand_id, layout.categories[enterprise], amount, product
            ),
            "max_rate": max_rate,
            "status": status,
            "financed_amount": financed_amount,
            "submitted_at": submitted,
            "financed_at": financed_at,
        }

    def _collateral_offered(
        self, category: GreenCategory, product: ProductTerms | None
    ) -> list[str]:
        rng = self._rng
        offered = {self._collateral[category](rng) for _ in range(rng.randint(1, 2))}
        if product is not None:
            offered.add(Collateral(rng.choice(product.collateral)))
        if len(offered) > 1:
            offered.discard(Collateral.NONE)
        return sorted(c.value for c in offered)


def _financed_times(rng: random.Random, year: int) -> tuple[datetime, datetime]:
    """financed_at inside ``year`` (UTC), submitted 10–120 days before (not before demands open)."""
    start, end = year_window(year)
    financed_at = moment(rng, start + timedelta(days=15), end)
    submitted = max(DEMANDS_OPEN, financed_at - timedelta(days=rng.randint(10, 120)))
    return financed_at, submitted


#: what a demand without a product accepts, by weight: empty is "any financing kind"
_LOANS = (ProductKind.LOAN, ProductKind.PLEDGE_FINANCING)
_BIG = Decimal("50000000")  # ¥5,000万: from here a bond or a fund is a plausible route


def accepted_kinds(
    demand_id: uuid.UUID, category: GreenCategory, amount: Decimal, product: ProductTerms | None
) -> list[str]:
    """The product kinds a demand accepts: plausible for its category and amount, and always
    including the kind of the product that financed it.

    Drawn from a generator of its own, seeded by the demand id, so the column does not shift
    any other seeded value.
    """
    rng = random.Random(f"accepted-kinds/{demand_id}")
    roll = rng.random()
    if roll < 0.5:
        return []  # any kind of financing
    kinds = set(_LOANS) if roll < 0.8 else {ProductKind.LOAN}
    leasable = category in (GreenCategory.CLEAN_ENERGY, GreenCategory.GREEN_INFRASTRUCTURE)
    if leasable and rng.random() < 0.3:
        kinds.add(ProductKind.LEASE)
    if amount >= _BIG and rng.random() < 0.5:
        kinds.update((ProductKind.BOND, ProductKind.FUND))
    if category is GreenCategory.ECOLOGICAL_ENVIRONMENT and rng.random() < 0.1:
        kinds.add(ProductKind.INSURANCE)  # a forestry firm that also wants cover
    if product is not None:
        kinds.add(product.kind)
    return sorted(k.value for k in kinds)
