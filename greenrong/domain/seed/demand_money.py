"""Every demand's amount and, for financed ones, the financed amount and year, summing exactly.

- Which demands were financed, and in which year, is dealt at random in the plan's exact counts.
- Each year's financed total is apportioned over that year's financed demands (in 万元, by
  weights that follow the project's investment), so the yearly totals are exact.
- A financed demand asked for somewhat more than it got (up to +35 %, rounded up to 万元).
- The demands received total, less what the financed demands asked for, is apportioned over the
  other demands the same way. All amounts are whole fen, so every sum is exact.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from decimal import Decimal

from greenrong.domain.seed.apportion import split_money
from greenrong.domain.seed.financing_layout import FinancingLayout
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.randomness import dealt

_WAN = Decimal("10000")
_WAN_FEN = 1_000_000
#: a demand without a project asks for about ¥5m
_LOOSE_WEIGHT_YUAN = 5_000_000


@dataclass
class DemandMoney:
    #: per demand, in fen
    amounts: array[int]
    #: per demand, in fen; 0 when not financed
    financed: array[int]
    #: per demand: the year financed, 0 when not financed
    financed_year: array[int]


def plan_demand_money(plan: SeedPlan, layout: FinancingLayout, rng: random.Random) -> DemandMoney:
    weights = _weights(layout, rng)
    total = len(weights)
    wanted = sum(plan.financed_counts_by_year.values())
    if wanted > total:
        raise ValueError(f"{wanted} financed demands planned but only {total} demands exist")
    chosen = rng.sample(range(total), wanted)
    years = dealt(rng, list(plan.financed_counts_by_year.items()))
    zeros = bytes(8 * total)
    money = DemandMoney(array("q", zeros), array("q", zeros), array("H", bytes(2 * total)))
    for year, amount in plan.financed_by_year.items():
        members = [d for d, y in zip(chosen, years, strict=True) if y == year]
        parts = split_money(amount, [weights[d] for d in members], unit=_WAN, minimum_units=1)
        for d, part in zip(members, parts, strict=True):
            financed = _fen(part)
            asked = math.ceil(financed * (1 + 0.35 * rng.random()) / _WAN_FEN) * _WAN_FEN
            money.financed[d] = financed
            money.financed_year[d] = year
            money.amounts[d] = max(financed, asked)
    others = [d for d in range(total) if not money.financed_year[d]]
    rest = plan.demand_received - Decimal(sum(money.amounts)).scaleb(-2)
    if rest < _WAN * len(others):
        raise ValueError(f"demands received {plan.demand_received} cannot cover the financed ones")
    parts = split_money(rest, [weights[d] for d in others], unit=_WAN, minimum_units=1)
    for d, part in zip(others, parts, strict=True):
        money.amounts[d] = _fen(part)
    return money


def _weights(layout: FinancingLayout, rng: random.Random) -> list[int]:
    """Per demand, in demand order: a share of its project's investment, or a loose amount."""
    weights: list[int] = []
    project = 0
    for enterprise, projects in enumerate(layout.projects_per_enterprise):
        for p in range(project, project + projects):
            count = layout.demands_per_project[p]
            share = layout.project_investment_wan[p] * 10_000 / max(count, 1) / 8
            weights.extend(max(1, int(share * rng.lognormvariate(0, 0.5))) for _ in range(count))
        project += projects
        for _ in range(layout.loose_demands[enterprise]):
            weights.append(max(1, int(_LOOSE_WEIGHT_YUAN * rng.lognormvariate(0, 0.8))))
    return weights


def _fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))
