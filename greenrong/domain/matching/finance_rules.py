"""The hard eligibility rules between a financing demand and a financial product.

Pure Python over plain values, so the same code decides eligibility for the reverse view
(``FinancialProduct.demandMatches``), verifies every ranked product of
``FinancingDemand.productMatches``, and explains near misses. The product index's filters
(``indexers/matching/finance.py``) mirror these rules one to one; a test keeps them in step.

The rules, in the order they are reported:

- ``ACTIVE``: the product is offered now;
- ``KIND``: its kind is one the demand accepts (none listed: any kind of financing, which
  excludes insurance);
- ``AMOUNT``, ``TERM``: the amount and the term are inside the product's ranges, bounds
  included;
- ``REGION``: the enterprise's region is covered: a product listing 510000 covers the province,
  a prefecture covers its counties, a county only itself;
- ``GREEN_CATEGORY``: the product lists no categories, or the enterprise's;
- ``GREEN_LEVEL``: the enterprise's level is at least the product's minimum. A certification
  whose ``green_level_valid_until`` is before the day of the match counts as level NONE;
- ``COLLATERAL``: the product accepts NONE, or one of the collateral the demand offers;
- ``RATE``: the product's lowest rate is at most the demand's acceptable maximum (when given).

Consent (docs/SECURITY.md, Matching): a demand's collateral and maximum rate are consent-gated.
For a caller that may not read one (``policy.withheld_fields``), its rule is *unchecked*: the
value is unknown, so the rule neither excludes a product nor makes a near miss, and the answer
names it in ``Borrower.unchecked`` instead. What was withheld never reaches the rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import (
    Collateral,
    FinancialProduct,
    FinancingDemand,
    ProductKind,
)
from greenrong.domain.kit.formatting import money, percent, points
from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.domain.matching.kit import region_name
from greenrong.domain.reference.catalog import region_chain
from greenrong.domain.reference.labels import label
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel

#: products that put money in an enterprise's hands; insurance does not finance a demand
FINANCING_KINDS = frozenset(ProductKind) - {ProductKind.INSURANCE}


#: rules a near miss may fail: an inactive product is not on offer at all
NEAR_MISS_RULES = frozenset(EligibilityRule) - {EligibilityRule.ACTIVE}
#: the consent-gated demand values (``policy.PRIVATE_FIELDS``) each rule reads; no other rule
#: reads a gated value (the purpose only feeds the text, ``finance.demand_text``)
GATED_RULES: dict[str, EligibilityRule] = {
    "collateral_offered": EligibilityRule.COLLATERAL,
    "max_rate": EligibilityRule.RATE,
}


@dataclass(frozen=True)
class Borrower:
    """What the rules need to know of a demand and its enterprise."""

    demand_id: uuid.UUID
    amount: Decimal
    term_months: int
    #: accepted kinds as given; empty means FINANCING_KINDS
    accepted_kinds: frozenset[ProductKind]
    region_code: str
    green_category: GreenCategory
    #: the level that counts today: NONE when the certification expired
    green_level: GreenLevel
    #: the certified level, even when expired (for the message)
    certified_level: GreenLevel
    collateral_offered: frozenset[Collateral]
    max_rate: Decimal | None
    #: rules whose input the caller may not read: not checked, never a near miss
    unchecked: frozenset[EligibilityRule] = frozenset()

    @property
    def kinds(self) -> frozenset[ProductKind]:
        return self.accepted_kinds or FINANCING_KINDS

    @property
    def regions(self) -> tuple[str, ...]:
        """The enterprise's region and every region around it: a product for any covers it."""
        return tuple(r.code for r in region_chain(self.region_code)) or (self.region_code,)

    @property
    def collateral(self) -> frozenset[Collateral]:
        """Collateral values a product may ask for: what is offered, and NONE (no collateral)."""
        return self.collateral_offered | {Collateral.NONE}

    @property
    def level_expired(self) -> bool:
        return self.certified_level is not GreenLevel.NONE and self.green_level is GreenLevel.NONE


def effective_level(enterprise: Enterprise, on: date) -> GreenLevel:
    """The enterprise's green level on day ``on``: NONE once its certification has expired."""
    valid_until = enterprise.green_level_valid_until
    if enterprise.green_level is GreenLevel.NONE or valid_until is None or valid_until < on:
        return GreenLevel.NONE
    return enterprise.green_level


def borrower(
    demand: FinancingDemand,
    enterprise: Enterprise,
    *,
    on: date,
    withheld: frozenset[str],
) -> Borrower:
    """The demand's facts for the rules. ``withheld`` names the demand's private fields the
    caller may not read (``policy.withheld_fields``): they are never read here, and their
    rules are unchecked. It has no default: every caller says what it may read (a trusted
    job, such as the relevance benchmark, passes an empty set)."""
    collateral = () if "collateral_offered" in withheld else demand.collateral_offered or ()
    return Borrower(
        demand_id=demand.id,
        amount=demand.amount,
        term_months=demand.term_months,
        accepted_kinds=frozenset(ProductKind(k) for k in demand.accepted_product_kinds or ()),
        region_code=enterprise.region_code,
        green_category=enterprise.green_category,
        green_level=effective_level(enterprise, on),
        certified_level=enterprise.green_level,
        collateral_offered=frozenset(Collateral(c) for c in collateral),
        max_rate=None if "max_rate" in withheld else demand.max_rate,
        unchecked=frozenset(rule for field, rule in GATED_RULES.items() if field in withheld),
    )


@dataclass(frozen=True)
class Failure:
    """One broken rule, explained for the enterprise (Chinese), with the gap where it has one."""

    rule: EligibilityRule
    message: str


def failures(b: Borrower, p: FinancialProduct) -> list[Failure]:
    """Every checked rule ``p`` breaks for ``b``, in rule order; empty means eligible (an
    unchecked rule, ``b.unchecked``, never fails)."""
    found: list[Failure] = []
    if not p.active:
        found.append(Failure(EligibilityRule.ACTIVE, "产品已停止受理"))
    if p.kind not in b.kinds:
        found.append(Failure(EligibilityRule.KIND, _kind_message(b, p.kind)))
    if b.amount > p.max_amount:
        found.append(
            Failure(
                EligibilityRule.AMOUNT,
                f"金额超过上限 {money(p.max_amount)}，超出 {money(b.amount - p.max_amount)}",
            )
        )
    elif b.amount < p.min_amount:
        found.append(
            Failure(
                EligibilityRule.AMOUNT,
                f"金额低于下限 {money(p.min_amount)}，相差 {money(p.min_amount - b.amount)}",
            )
        )
    if b.term_months > p.max_term_months:
        gap = b.term_months - p.max_term_months
        found.append(
            Failure(EligibilityRule.TERM, f"期限超过上限 {p.max_term_months}个月，超出 {gap}个月")
        )
    elif b.term_months < p.min_term_months:
        gap = p.min_term_months - b.term_months
        found.append(
            Failure(EligibilityRule.TERM, f"期限低于下限 {p.min_term_months}个月，相差 {gap}个月")
        )
    if not set(p.eligible_region_codes) & set(b.regions):
        covered = "、".join(region_name(c) for c in p.eligible_region_codes)
        found.append(
            Failure(
                EligibilityRule.REGION,
                f"不覆盖企业所在地{region_name(b.region_code)}（仅限{covered}）",
            )
        )
    categories = p.eligible_green_categories
    if categories and b.green_category.value not in categories:
        allowed = "、".join(label(GreenCategory(c)) for c in categories)
        found.append(
            Failure(
                EligibilityRule.GREEN_CATEGORY,
                f"不支持{label(b.green_category)}类企业（仅限{allowed}）",
            )
        )
    if b.green_level.rank < p.min_green_level.rank:
        found.append(Failure(EligibilityRule.GREEN_LEVEL, _level_message(b, p.min_green_level)))
    offered = set(p.accepted_collateral) & b.collateral
    if EligibilityRule.COLLATERAL not in b.unchecked and not offered:
        needed = "、".join(label(Collateral(c)) for c in p.accepted_collateral)
        found.append(Failure(EligibilityRule.COLLATERAL, f"需要提供以下担保之一：{needed}"))
    if (
        EligibilityRule.RATE not in b.unchecked
        and b.max_rate is not None
        and p.min_rate > b.max_rate
    ):
        found.append(
            Failure(
                EligibilityRule.RATE,
                f"最低利率 {percent(p.min_rate)} 高于可接受上限 {percent(b.max_rate)}，"
                f"高出 {points(p.min_rate - b.max_rate)}个百分点",
            )
        )
    return found


def eligible(b: Borrower, p: FinancialProduct) -> bool:
    return not failures(b, p)


def near_miss(b: Borrower, p: FinancialProduct) -> Failure | None:
    """The one rule ``p`` breaks, when it breaks exactly one that a near miss may show."""
    found = failures(b, p)
    if len(found) == 1 and found[0].rule in NEAR_MISS_RULES:
        if found[0].rule is EligibilityRule.KIND and p.kind not in FINANCING_KINDS:
            return None  # insurance is not a way to finance a demand
        return found[0]
    return None


def _kind_message(b: Borrower, kind: ProductKind) -> str:
    if not b.accepted_kinds:
        return f"{label(kind)}不属于融资产品"
    accepted = "、".join(label(k) for k in sorted(b.accepted_kinds))
    return f"产品类型为{label(kind)}，需求只接受{accepted}"


def _level_message(b: Borrower, minimum: GreenLevel) -> str:
    need = (
        f"需要{label(minimum)}等级"
        if minimum is GreenLevel.EXCELLENT_GREEN
        else f"需要{label(minimum)}及以上等级"
    )
    if b.level_expired:
        return f"{need}，企业的{label(b.certified_level)}等级认证已过期"
    if b.green_level is GreenLevel.NONE:
        return f"{need}，企业尚无绿色等级"
    return f"{need}，企业当前为{label(b.green_level)}"
