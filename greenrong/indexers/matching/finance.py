"""Financing demand → products: the eligibility rules as filters, the ranking as one query.

One request body per demand over the products index (flat, so ``function_score`` works on every
engine):

- ``bool.filter``: one clause per rule of ``domain/matching/finance_rules.py`` (``eligibility``),
  so an ineligible product is never a hit;
- ``bool.should``: the scored, *named* parts: each domain term of the demand's text (from the
  synonym file, every alternative a named ``constant_score``, the best one counting through
  ``dis_max``), the demand's text against name and description (BM25 over CJK bigrams), a
  product reserved for the enterprise's category, an institution in the enterprise's
  prefecture and county, a regional product, a product that rewards a valid green level, and
  the purpose fit (``purpose``: made for one of the catalogue items the text names, open to
  any, or made only for others);
- ``functions``: Gaussian decays of the lowest rate and of the amount's distance from the middle
  of the product's range, summed with the query's score.

Every weight comes from ``FINANCE_WEIGHTS``. The names that matched (``matched_queries``) are the
hit's reasons (``finance_scoring.reasons``).

Near misses ride on the same query (``body`` with ``near_misses``), so each product is scored
once: the query keeps the products failing *at most one* near-miss rule (the rules as a
``should`` with ``minimum_should_match`` one less than their number, ACTIVE still a filter), a
``post_filter`` of every rule leaves the eligible ones as the hits (and the total), and a
``filters`` aggregation with one bucket per rule (its clause in ``must_not``: within the query,
failing it means failing only it) keeps each bucket's best through ``top_hits``, ordered like
the hits. The buckets are exactly what one query per rule found before (an ``_msearch`` the
embedded engine ran one query after another), in one pass over the products.

Several demands (a page of them, ``FinancingDemand.productMatches`` under a list) are ranked in
one ``_msearch`` (``rank_products_many``), one request body each.

The ``Borrower`` holds only what the caller may read of the demand (``finance_rules.borrower``
with the policy's withheld fields) and the text without a withheld purpose, so neither the
filters, the scores nor the near misses depend on a value the caller cannot see.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greenrong.core.search import SearchEngine
from greenrong.domain.matching import finance_scoring as names
from greenrong.domain.matching import kit
from greenrong.domain.matching.eligibility import EligibilityRule
from greenrong.domain.matching.finance_rules import FINANCING_KINDS, NEAR_MISS_RULES, Borrower
from greenrong.domain.matching.finance_weights import FINANCE_WEIGHTS, FinanceWeights
from greenrong.domain.matching.purpose import named
from greenrong.indexers.kit.fields import basis_points, fen
from greenrong.indexers.kit.query import (
    Covers,
    Eligible,
    SearchUnavailableError,
    UnavailableReason,
    _call,
)
from greenrong.indexers.kit.synonyms import SegmentKind, Synonyms, domain_synonyms
from greenrong.indexers.products.queries import PRODUCT_QUERIES

INDEX = PRODUCT_QUERIES.index
TEXT_FIELDS = ["name^2", "description"]
PROVINCE = "510000"


@dataclass(frozen=True)
class ProductHit:
    id: uuid.UUID
    score: float
    #: names of the query parts that matched (see ``finance_scoring``)
    matched: frozenset[str]


@dataclass(frozen=True)
class ProductRanking:
    hits: list[ProductHit]
    #: eligible products in all
    total: int
    #: per rule, products that fail exactly that rule, best first
    near_misses: dict[EligibilityRule, list[ProductHit]]


def domain_terms(text: str, synonyms: Synonyms | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The terms of ``text`` that are in the synonym file, each with its alternatives, once."""
    seen: dict[str, tuple[str, ...]] = {}
    for segment in (synonyms or domain_synonyms()).segments(text):
        if segment.kind is SegmentKind.SYNONYM and segment.term.lower() not in seen:
            seen[segment.term.lower()] = segment.alternatives
    return [(alternatives[0], alternatives) for alternatives in seen.values()]


def eligibility(b: Borrower) -> dict[EligibilityRule, dict[str, Any]]:
    """One filter clause per checked rule; a product passes the rule when it matches the clause.
    An unchecked rule (its input withheld from the caller) has no clause, so it neither filters
    nor makes near misses."""
    clauses: dict[EligibilityRule, dict[str, Any]] = {
        EligibilityRule.ACTIVE: {"term": {"active": True}},
        EligibilityRule.KIND: {"terms": {"kind": sorted(k.value for k in b.kinds)}},
        EligibilityRule.AMOUNT: Covers("min_amount_fen", "max_amount_fen").clause(
            fen(b.amount) or 0
        ),
        EligibilityRule.TERM: Covers("min_term_months", "max_term_months").clause(b.term_months),
        EligibilityRule.REGION: {"terms": {"eligible_region_codes": sorted(b.regions)}},
        EligibilityRule.GREEN_CATEGORY: Eligible("eligible_green_categories").clause(
            [b.green_category.value]
        ),
        EligibilityRule.GREEN_LEVEL: {
            "range": {"min_green_level_rank": {"lte": b.green_level.rank}}
        },
        EligibilityRule.COLLATERAL: {
            "terms": {"accepted_collateral": sorted(c.value for c in b.collateral)}
        },
    }
    if b.max_rate is not None:
        clauses[EligibilityRule.RATE] = {
            "range": {"min_rate_bp": {"lte": basis_points(b.max_rate)}}
        }
    return {rule: clause for rule, clause in clauses.items() if rule not in b.unchecked}


def scoring(b: Borrower, text: str, w: FinanceWeights = FINANCE_WEIGHTS) -> list[dict[str, Any]]:
    """The named, scored parts of the query (the ``should`` clauses)."""
    parts: list[dict[str, Any]] = []
    for typed, alternatives in domain_terms(text):
        parts.append(
            {
                "dis_max": {
                    "queries": [
                        _constant(
                            {
                                "multi_match": {
                                    "query": alternative,
                                    "fields": ["name", "description"],
                                    "type": "phrase",
                                }
                            },
                            w.domain_term * (1 if i == 0 else w.synonym_ratio),
                            kit.term_name(typed, alternative),
                        )
                        for i, alternative in enumerate(alternatives)
                    ]
                }
            }
        )
    if text.strip():
        parts.append(
            {
                "multi_match": {
                    "query": " ".join(text.split()),
                    "fields": TEXT_FIELDS,
                    "boost": w.text,
                    "minimum_should_match": w.text_min_shared,
                    "_name": names.TEXT,
                }
            }
        )
    parts.append(
        _constant(
            {"terms": {"eligible_green_categories": [b.green_category.value]}},
            w.category,
            names.CATEGORY,
        )
    )
    prefecture = kit.prefecture(b.region_code)
    if prefecture is not None:
        parts.append(
            _constant(
                {"term": {"institution_region_path": prefecture}},
                w.local_prefecture,
                names.LOCAL_PREFECTURE,
            )
        )
    if b.region_code not in (prefecture, PROVINCE):
        parts.append(
            _constant(
                {"term": {"institution_region_path": b.region_code}},
                w.local_county,
                names.LOCAL_COUNTY,
            )
        )
    regional = sorted(set(b.regions) - {PROVINCE})
    if regional:
        parts.append(
            _constant(
                {"terms": {"eligible_region_codes": regional}}, w.local_product, names.LOCAL_PRODUCT
            )
        )
    if b.green_level.rank > 0:
        parts.append(
            _constant(
                {"range": {"min_green_level_rank": {"gte": 1}}},
                w.green_level,
                names.GREEN_LEVEL_NAME,
            )
        )
    return parts + purpose(text, w)


def purpose(text: str, w: FinanceWeights = FINANCE_WEIGHTS) -> list[dict[str, Any]]:
    """When the text names catalogue items: a product made for one of them, a product made for
    none (open), and (weight 0, for its reason) a product made only for others."""
    wanted = sorted(named(text).items)
    if not wanted:
        return []
    fits = {"terms": {"purposes": wanted}}
    specific = {"exists": {"field": "purposes"}}
    return [
        _constant(fits, w.purpose_fit, names.PURPOSE_FIT_NAME),
        _constant({"bool": {"must_not": [specific]}}, w.purpose_open, names.PURPOSE_OPEN_NAME),
        _constant(
            {"bool": {"filter": [specific], "must_not": [fits]}}, 0.0, names.PURPOSE_OTHER_NAME
        ),
    ]


def _constant(filter: dict[str, Any], boost: float, name: str) -> dict[str, Any]:
    return {"constant_score": {"filter": filter, "boost": boost, "_name": name}}


def functions(b: Borrower, w: FinanceWeights = FINANCE_WEIGHTS) -> list[dict[str, Any]]:
    """The decays: a low rate, and an amount near the middle of the product's range."""
    return [
        {
            "gauss": {
                "min_rate_bp": {
                    "origin": 0,
                    "offset": basis_points(w.rate_origin),
                    "scale": basis_points(w.rate_scale),
                    "decay": 0.5,
                }
            },
            "weight": w.rate,
        },
        {
            "gauss": {
                "amount_middle": {
                    "origin": math.log10(max(float(b.amount), 1.0)),
                    "scale": w.amount_scale,
                    "decay": 0.5,
                }
            },
            "weight": w.amount_fit,
        },
    ]


#: the order of hits and of each near-miss bucket
SORT: list[dict[str, str]] = [{"_score": "desc"}, {"id": "asc"}]
#: the aggregation that holds the near misses, one bucket per rule
NEAR_MISSES = "near_misses"


def body(
    b: Borrower,
    text: str,
    *,
    size: int,
    near_misses: int = 0,
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> dict[str, Any]:
    """The request body: the best ``size`` eligible products and how many there are; with
    ``near_misses`` > 0 also, per rule, the best ``near_misses`` products failing only that
    rule (the ``NEAR_MISSES`` aggregation), from the same query."""
    rules = eligibility(b)
    near = near_miss_rules(b) if near_misses > 0 else []
    query: dict[str, Any] = {"filter": [c for r, c in rules.items() if r not in near]}
    if len(near) > 1:  # fails at most one of them
        query["filter"].append(
            {"bool": {"should": [rules[r] for r in near], "minimum_should_match": len(near) - 1}}
        )
    query["should"] = scoring(b, text, w)
    found: dict[str, Any] = {
        "query": {
            "function_score": {
                "query": {"bool": query},
                "functions": functions(b, w),
                "score_mode": "sum",
                "boost_mode": "sum",
            }
        },
        "sort": SORT,
        "size": size,
        "track_total_hits": True,
        "_source": False,
    }
    if near:
        found["post_filter"] = {"bool": {"filter": [rules[r] for r in near]}}
        found["aggs"] = {
            NEAR_MISSES: {
                "filters": {"filters": {r.value: _failing(r, rules[r]) for r in near}},
                "aggs": {
                    "best": {"top_hits": {"size": near_misses, "sort": SORT, "_source": False}}
                },
            }
        }
    return found


def _failing(rule: EligibilityRule, clause: dict[str, Any]) -> dict[str, Any]:
    """Products failing ``rule`` (among the query's: failing no other)."""
    failing: dict[str, Any] = {"must_not": [clause]}
    if rule is EligibilityRule.KIND:  # insurance is no way to finance a demand
        failing["filter"] = [{"terms": {"kind": sorted(k.value for k in FINANCING_KINDS)}}]
    return {"bool": failing}


def _hits(answer: dict[str, Any]) -> list[ProductHit]:
    return [
        ProductHit(
            id=uuid.UUID(str(h["_id"])),
            score=float(h["_score"] or 0.0),
            matched=frozenset(_matched(h.get("matched_queries"))),
        )
        for h in answer["hits"]["hits"]
    ]


def _matched(value: Any) -> list[str]:
    """``matched_queries`` is a list of names (or, with scores, a name -> score object)."""
    if isinstance(value, dict):
        return [str(k) for k in value]
    return [str(v) for v in value or ()]


def near_miss_rules(b: Borrower) -> list[EligibilityRule]:
    rules = eligibility(b)
    return [r for r in EligibilityRule if r in NEAR_MISS_RULES and r in rules]


@dataclass(frozen=True)
class RankingRequest:
    """One demand's ranking: what the caller may read of it, its text, and the sizes."""

    borrower: Borrower
    text: str
    size: int
    near_misses: int = 0


async def rank_products(
    engine: SearchEngine,
    b: Borrower,
    text: str,
    *,
    size: int,
    near_misses: int = 0,
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> ProductRanking:
    """The eligible products for ``b``, best first, and (``near_misses`` > 0) per rule the best
    products failing only that rule. One search, one pass over the products.
    ``SearchUnavailableError`` when the engine cannot answer."""
    (ranking,) = await rank_products_many(engine, [RankingRequest(b, text, size, near_misses)], w=w)
    if isinstance(ranking, Exception):
        raise ranking
    return ranking


async def rank_products_many(
    engine: SearchEngine,
    requests: Sequence[RankingRequest],
    *,
    w: FinanceWeights = FINANCE_WEIGHTS,
) -> list[ProductRanking | Exception]:
    """``rank_products`` for several demands in one ``_msearch`` (one round trip to the engine
    for a page of demands), in the order of ``requests``. A demand whose search failed gets its
    error (``SearchUnavailableError`` when the engine cannot answer) and the others their
    rankings; ``SearchUnavailableError`` is raised when the whole request fails."""
    if not requests:
        return []
    alias = engine.alias(INDEX)
    lines: list[dict[str, Any]] = []
    for r in requests:
        lines += [
            {"index": alias},
            body(r.borrower, r.text, size=r.size, near_misses=r.near_misses, w=w),
        ]
    answer = await _call(engine.client.msearch(body=lines))
    return [
        _ranking(r, response) for r, response in zip(requests, answer["responses"], strict=True)
    ]


def _ranking(request: RankingRequest, response: dict[str, Any]) -> ProductRanking | Exception:
    if "error" in response:
        return _failed(response)
    buckets = response.get("aggregations", {}).get(NEAR_MISSES, {}).get("buckets", {})
    rules = near_miss_rules(request.borrower) if request.near_misses > 0 else []
    return ProductRanking(
        hits=_hits(response),
        total=int(response["hits"]["total"]["value"]),
        near_misses={rule: _hits(buckets[rule.value]["best"]) for rule in rules},
    )


def _failed(response: dict[str, Any]) -> Exception:
    """A failed search inside ``_msearch`` (the request itself answered 200)."""
    status = int(response.get("status", 500))
    if status == 404:
        return SearchUnavailableError(UnavailableReason.NOT_READY, "search index is not built yet")
    if status in (429, 502, 503, 504):
        return SearchUnavailableError(UnavailableReason.OVERLOADED, "search engine is overloaded")
    return RuntimeError(f"product matching query failed: {response['error']}")
