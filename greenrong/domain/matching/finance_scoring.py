"""Why a product suits a demand: the ranking's parts as reasons, and the same parts in Python.

The forward view ranks in OpenSearch; each part of its query carries a name (``NAMES``), and
the names that matched a hit (``matched_queries``) become its reasons here. The decays (rate
and amount fit) are functions, which do not report a match, so their reasons are computed
from the product with the same formula the engine uses.

The reverse view (one product, many private demands) has no index: it scores eligible demands
with ``python_score``, the same parts and weights; the text part counts its weight once when
enough bigrams are shared, where the engine scores BM25.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum

from greenrong.domain.finance.models import FinancialProduct
from greenrong.domain.kit.formatting import money, percent
from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.domain.matching.finance_rules import Borrower
from greenrong.domain.matching.finance_weights import FINANCE_WEIGHTS, FinanceWeights
from greenrong.domain.matching.kit import (
    Reason,
    matched_terms,
    prefecture,
    region_name,
    term_name,
)
from greenrong.domain.matching.purpose import Purposes, made_for, named
from greenrong.domain.matching.purpose import label as purpose_label
from greenrong.domain.reference.catalog import region_chain
from greenrong.domain.reference.labels import label
from greenrong.domain.reference.vocab import GreenLevel


class ReasonCode(StrEnum):
    DOMAIN_TERM = "DOMAIN_TERM"
    TEXT = "TEXT"
    CATEGORY = "CATEGORY"
    RATE = "RATE"
    AMOUNT_FIT = "AMOUNT_FIT"
    LOCAL_INSTITUTION = "LOCAL_INSTITUTION"
    LOCAL_PRODUCT = "LOCAL_PRODUCT"
    GREEN_LEVEL = "GREEN_LEVEL"
    #: the hard rules the product meets (weight 0: every ranked product meets them)
    ELIGIBLE = "ELIGIBLE"
    #: a product open to every green category (weight 0)
    GENERAL = "GENERAL"
    #: the product names one of the purposes the demand names (``purpose``)
    PURPOSE_FIT = "PURPOSE_FIT"
    #: the product names no specific purpose: open to the demand's
    PURPOSE_OPEN = "PURPOSE_OPEN"
    #: the product names only other purposes than the demand's (weight 0)
    PURPOSE_MISMATCH = "PURPOSE_MISMATCH"


#: names of the query parts (``_name``); a domain term is ``kit.term_name(typed, alternative)``
TEXT = "text"
CATEGORY = "category"
LOCAL_PREFECTURE = "local_prefecture"
LOCAL_COUNTY = "local_county"
LOCAL_PRODUCT = "local_product"
GREEN_LEVEL_NAME = "green_level"
#: with a demand that names catalogue items, every product matches exactly one of these three
PURPOSE_FIT_NAME = "purpose_fit"
PURPOSE_OPEN_NAME = "purpose_open"
PURPOSE_OTHER_NAME = "purpose_other"

#: a reason from a decay is shown when the part gives at least this share of its weight
SHOWN_SHARE = 0.5


def gauss(distance: float, scale: float) -> float:
    """OpenSearch's ``gauss`` decay with ``decay: 0.5``: 1 at distance 0, 1/2 at ``scale``."""
    return float(0.5 ** ((distance / scale) ** 2))


def rate_part(product: FinancialProduct, w: FinanceWeights = FINANCE_WEIGHTS) -> float:
    distance = max(Decimal(0), product.min_rate - w.rate_origin)
    return w.rate * gauss(float(distance), float(w.rate_scale))


def amount_middle(product: FinancialProduct) -> float:
    """The geometric middle of the product's range, as a power of ten (indexed per product)."""
    low = max(product.min_amount, Decimal(1))
    high = max(product.max_amount, Decimal(1))
    return (math.log10(low) + math.log10(high)) / 2


def amount_part(
    amount: Decimal, product: FinancialProduct, w: FinanceWeights = FINANCE_WEIGHTS
) -> float:
    distance = abs(math.log10(max(amount, Decimal(1))) - amount_middle(product))
    return w.amount_fit * gauss(distance, w.amount_scale)


def offered(product: FinancialProduct) -> Purposes:
    """The catalogue items the product is made for (its name and description): empty for a
    product open to any purpose. The products index stores them (``purposes``)."""
    return made_for(f"{product.name}\n{product.description}")


def reasons(
    b: Borrower,
    product: FinancialProduct,
    matched: Iterable[str],
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> list[Reason]:
    """The reasons of one ranked product, strongest first, from its matched query names."""
    names = set(matched)
    found: list[Reason] = []
    terms: dict[str, list[str]] = {}
    for term in matched_terms(names):
        terms.setdefault(term.typed, []).append(term.alternative)
    for typed, alternatives in terms.items():
        if typed in alternatives:
            found.append(Reason(ReasonCode.DOMAIN_TERM, f"产品涉及“{typed}”", w.domain_term))
        else:
            also = "、".join(alternatives)
            found.append(
                Reason(
                    ReasonCode.DOMAIN_TERM,
                    f"产品涉及“{also}”（即“{typed}”）",
                    w.domain_term * w.synonym_ratio,
                )
            )
    if TEXT in names:
        found.append(Reason(ReasonCode.TEXT, "融资用途与产品名称或说明相关", w.text))
    found += _common(b, product, names, w)
    found += _purpose(product, names, w)
    found.sort(key=lambda r: (-r.weight, r.code))
    return found + _standing(b, product)


def _standing(b: Borrower, product: FinancialProduct) -> list[Reason]:
    """Why the product is on the list at all, after the scored reasons: the hard rules it
    meets (only the ones checked: a rule whose input is withheld from the caller is not named)
    and, for a product open to every category, that it is a general one."""
    checked = [r for r in EligibilityRule if r not in b.unchecked]
    found = [Reason(ReasonCode.ELIGIBLE, "满足准入条件：" + "、".join(map(label, checked)), 0.0)]
    if not product.eligible_green_categories:
        found.append(Reason(ReasonCode.GENERAL, "通用绿色产品：不限企业绿色类别", 0.0))
    return found


def _purpose(product: FinancialProduct, names: set[str], w: FinanceWeights) -> list[Reason]:
    if PURPOSE_FIT_NAME in names:
        what = purpose_label(offered(product))
        return [Reason(ReasonCode.PURPOSE_FIT, f"产品面向{what}，与融资用途相符", w.purpose_fit)]
    if PURPOSE_OPEN_NAME in names:
        return [Reason(ReasonCode.PURPOSE_OPEN, "产品不限定技术或用途", w.purpose_open)]
    if PURPOSE_OTHER_NAME in names:
        what = purpose_label(offered(product))
        return [Reason(ReasonCode.PURPOSE_MISMATCH, f"产品面向{what}，与融资用途不符", 0.0)]
    return []


def _common(
    b: Borrower, product: FinancialProduct, names: set[str], w: FinanceWeights
) -> list[Reason]:
    found: list[Reason] = []
    if CATEGORY in names:
        found.append(
            Reason(ReasonCode.CATEGORY, f"专门支持{label(b.green_category)}类企业", w.category)
        )
    rate = rate_part(product, w)
    if rate >= SHOWN_SHARE * w.rate:
        found.append(Reason(ReasonCode.RATE, f"利率较低：最低 {percent(product.min_rate)}", rate))
    fit = amount_part(b.amount, product, w)
    if fit >= SHOWN_SHARE * w.amount_fit:
        found.append(
            Reason(
                ReasonCode.AMOUNT_FIT,
                f"金额 {money(b.amount)} 与产品额度 {money(product.min_amount)}–"
                f"{money(product.max_amount)} 相称",
                fit,
            )
        )
    if LOCAL_PREFECTURE in names:
        home = prefecture(b.region_code)
        where = region_name(home) if home else region_name(b.region_code)
        weight = w.local_prefecture + (w.local_county if LOCAL_COUNTY in names else 0)
        found.append(Reason(ReasonCode.LOCAL_INSTITUTION, f"机构位于本地（{where}）", weight))
    if LOCAL_PRODUCT in names:
        found.append(
            Reason(
                ReasonCode.LOCAL_PRODUCT,
                f"面向{region_name(b.region_code)}等地的区域性产品",
                w.local_product,
            )
        )
    if GREEN_LEVEL_NAME in names:
        found.append(
            Reason(
                ReasonCode.GREEN_LEVEL,
                f"产品面向{label(product.min_green_level)}及以上企业，"
                f"企业的{label(b.green_level)}等级有效",
                w.green_level,
            )
        )
    return found


# --- the Python ranking (reverse view) --------------------------------------------------------

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")


def bigrams(text: str) -> set[str]:
    """CJK bigrams (a lone character stays a unigram) and lower-cased Latin words."""
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if run.isascii():
            grams.add(run.lower())
        elif len(run) == 1:
            grams.add(run)
        else:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def matched_names(
    b: Borrower,
    product: FinancialProduct,
    *,
    institution_region: str,
    segments: Sequence[tuple[str, tuple[str, ...]]],
    text: str,
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> set[str]:
    """The query names the engine would report for this pair, decided in Python.

    ``segments`` are the demand text's domain terms with their alternatives (the synonym file).
    ``text`` counts as matched when it shares ``text_min_shared`` bigrams with the product's name
    or description (the engine's ``minimum_should_match``); it then adds ``text`` (no BM25).
    """
    names: set[str] = set()
    haystack = f"{product.name}\n{product.description}".lower()
    for typed, alternatives in segments:
        for alternative in alternatives:
            if alternative.lower() in haystack:
                names.add(term_name(typed, alternative))
    grams = bigrams(text)
    if any(
        len(grams & bigrams(field)) >= w.text_min_shared
        for field in (product.name, product.description)
    ):
        names.add(TEXT)
    if b.green_category.value in (product.eligible_green_categories or ()):
        names.add(CATEGORY)
    home_prefecture = prefecture(b.region_code)
    if home_prefecture is not None and home_prefecture in {
        r.code for r in region_chain(institution_region)
    }:
        names.add(LOCAL_PREFECTURE)
    if institution_region == b.region_code:
        names.add(LOCAL_COUNTY)
    if "510000" not in product.eligible_region_codes and (
        set(product.eligible_region_codes) & set(b.regions)
    ):
        names.add(LOCAL_PRODUCT)
    if product.min_green_level is not GreenLevel.NONE and b.green_level is not GreenLevel.NONE:
        names.add(GREEN_LEVEL_NAME)
    wanted = named(text)
    if wanted:
        made_for = offered(product)
        if not made_for:
            names.add(PURPOSE_OPEN_NAME)
        else:
            names.add(PURPOSE_FIT_NAME if made_for.fits(wanted) else PURPOSE_OTHER_NAME)
    return names


def python_score(
    b: Borrower, product: FinancialProduct, names: set[str], w: FinanceWeights = FINANCE_WEIGHTS
) -> float:
    """The score of a pair from its matched names and the decays, with the query's weights."""
    score = rate_part(product, w) + amount_part(b.amount, product, w)
    best: dict[str, float] = {}  # a term counts once, by its best alternative (dis_max)
    for term in matched_terms(names):
        value = w.domain_term * (1 if term.exact else w.synonym_ratio)
        best[term.typed] = max(best.get(term.typed, 0.0), value)
    score += sum(best.values())
    score += w.text if TEXT in names else 0
    score += w.category if CATEGORY in names else 0
    score += w.local_prefecture if LOCAL_PREFECTURE in names else 0
    score += w.local_county if LOCAL_COUNTY in names else 0
    score += w.local_product if LOCAL_PRODUCT in names else 0
    score += w.green_level if GREEN_LEVEL_NAME in names else 0
    score += w.purpose_fit if PURPOSE_FIT_NAME in names else 0
    score += w.purpose_open if PURPOSE_OPEN_NAME in names else 0
    return score
