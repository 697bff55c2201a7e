"""Green technology ↔ buyers: the rules, the weights and the reasons of both directions.

**Need → listings** (``TechnologyNeed.listingMatches``) runs as one OpenSearch query over the
listings index (``indexers/matching/technology.py``). Its hard rules are ``failures()``:

- the listing is PUBLISHED and the need OPEN;
- the domains are the same;
- when both are known, the budget covers the asking price (budget == price fits);
- when the need names a minimum, the maturity meets it (maturity == minimum fits);
- the listing is not the buyer's own.

The rest ranks: each domain term of the need's text (from the synonym file) found in the
listing, BM25 text relevance, the same county or prefecture, and recency.

**Listing → buyers** (``TechnologyListing.buyerMatches``, ``buyer_matches()``) ranks two kinds
of buyer together: posted needs that pass the same rules, and *enterprise leads*, enterprises
without an open need in the domain whose industry, disclosed metrics or environmental
evaluation show the problem the technology solves. Which industries and metrics count is
reference data (``reference/data/technology_buyers.json``, each entry with its source or marked
as our assumption). A posted need carries ``posted_need`` on top, so an explicit need ranks
above a lead with the same evidence.

Every number of the ranking is in ``TECHNOLOGY_WEIGHTS``.
"""

from __future__ import annotations

import heapq
import json
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.formatting import money
from greenrong.domain.matching import repository
from greenrong.domain.matching.kit import Reason, matched_terms, prefecture
from greenrong.domain.matching.lead_repository import Lead, lead_candidates
from greenrong.domain.reference.catalog import industry_division_names, regions
from greenrong.domain.reference.labels import label
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyDomain,
    TechnologyListing,
    TechnologyNeed,
)

#: canonical domain terms of a text (the synonym file's; injected by the caller, since the
#: synonym file belongs to the search layer)
TermsOf = Callable[[str], frozenset[str]]


@dataclass(frozen=True)
class TechnologyWeights:
    version: str
    #: per domain term of the other side's text that matches (synonyms included)
    domain_term: float
    #: times the engine's BM25 score of the need's title against listing titles
    title: float
    #: times the engine's BM25 score of the need's text against title and description
    text: float
    same_county: float
    same_prefecture: float
    #: Gaussian decay of the age: the full weight when new, half at ``recency_scale_days``
    recency: float
    recency_scale_days: int
    #: a buyer who posted a need ranks above a lead with the same evidence
    posted_need: float
    #: lead evidence
    industry: float
    disclosed_metric: float
    evaluation: float

    def __post_init__(self) -> None:
        numbers = [v for k, v in vars(self).items() if k != "version"]
        if any(n < 0 for n in numbers) or self.recency_scale_days <= 0:
            raise ValueError("technology weights must not be negative; the scale is positive")


TECHNOLOGY_WEIGHTS = TechnologyWeights(
    version="2026-11-25.1",
    domain_term=2.0,
    title=1.0,
    text=0.3,
    same_county=1.5,
    same_prefecture=1.0,
    recency=0.5,
    recency_scale_days=365,
    posted_need=5.0,
    industry=1.5,
    disclosed_metric=2.0,
    evaluation=1.5,
)


class ReasonCode(StrEnum):
    DOMAIN = "DOMAIN"  # hard rule: same domain
    BUDGET = "BUDGET"  # hard rule: the budget covers the price
    MATURITY = "MATURITY"  # hard rule: the maturity meets the minimum
    DOMAIN_TERM = "DOMAIN_TERM"
    TITLE = "TITLE"
    TEXT = "TEXT"
    SAME_COUNTY = "SAME_COUNTY"
    SAME_PREFECTURE = "SAME_PREFECTURE"
    RECENT = "RECENT"
    POSTED_NEED = "POSTED_NEED"
    INDUSTRY = "INDUSTRY"
    DISCLOSED_METRIC = "DISCLOSED_METRIC"
    EVALUATION = "EVALUATION"


class ListingRule(StrEnum):
    LISTING_PUBLISHED = "LISTING_PUBLISHED"
    NEED_OPEN = "NEED_OPEN"
    DOMAIN = "DOMAIN"
    BUDGET = "BUDGET"
    MATURITY = "MATURITY"
    OWN_LISTING = "OWN_LISTING"


class NeedRules(Protocol):
    """What the hard rules read of a need: a ``TechnologyNeed`` or ``repository.OpenNeed``."""

    @property
    def enterprise_id(self) -> uuid.UUID: ...
    @property
    def domain(self) -> TechnologyDomain: ...
    @property
    def status(self) -> NeedStatus: ...
    @property
    def budget(self) -> Decimal | None: ...
    @property
    def min_maturity(self) -> int | None: ...


def failures(listing: TechnologyListing, need: NeedRules) -> list[ListingRule]:
    """The hard rules ``listing`` breaks for ``need``; empty when it may be matched."""
    broken = []
    if listing.status is not ListingStatus.PUBLISHED:
        broken.append(ListingRule.LISTING_PUBLISHED)
    if need.status is not NeedStatus.OPEN:
        broken.append(ListingRule.NEED_OPEN)
    if listing.domain is not need.domain:
        broken.append(ListingRule.DOMAIN)
    if (
        need.budget is not None
        and listing.asking_price is not None
        and need.budget < listing.asking_price
    ):
        broken.append(ListingRule.BUDGET)
    if need.min_maturity is not None and listing.maturity < need.min_maturity:
        broken.append(ListingRule.MATURITY)
    if (
        listing.owner_enterprise_id is not None
        and listing.owner_enterprise_id == need.enterprise_id
    ):
        broken.append(ListingRule.OWN_LISTING)
    return broken


def rule_reasons(listing: TechnologyListing, need: TechnologyNeed) -> list[Reason]:
    """The hard rules a matched pair meets, as weightless reasons."""
    found = [Reason(ReasonCode.DOMAIN, f"技术领域相符：{label(listing.domain)}", 0.0)]
    if need.budget is not None and listing.asking_price is not None:
        found.append(
            Reason(
                ReasonCode.BUDGET,
                f"预算{money(need.budget)}可覆盖报价{money(listing.asking_price)}",
                0.0,
            )
        )
    if need.min_maturity is not None:
        found.append(
            Reason(
                ReasonCode.MATURITY,
                f"技术成熟度{listing.maturity}级，满足不低于{need.min_maturity}级的要求",
                0.0,
            )
        )
    return found


def region_reason(
    here: str, there: str, w: TechnologyWeights = TECHNOLOGY_WEIGHTS
) -> Reason | None:
    """Same county (or district), else same prefecture; None when further apart."""
    if here == there and regions().get(here) is not None and regions()[here].level == "county":
        return Reason(ReasonCode.SAME_COUNTY, f"同在{regions()[here].name}", w.same_county)
    shared = prefecture(here)
    if shared is not None and shared == prefecture(there):
        return Reason(
            ReasonCode.SAME_PREFECTURE, f"同在{regions()[shared].name}", w.same_prefecture
        )
    return None


def recency(
    created_at: datetime, now: datetime, w: TechnologyWeights = TECHNOLOGY_WEIGHTS
) -> float:
    """The recency part: ``w.recency`` when new, half of it at ``recency_scale_days``. The same
    curve as OpenSearch's ``gauss`` decay with ``decay: 0.5``."""
    age = max((now - created_at).total_seconds(), 0.0) / 86_400
    return w.recency * math.pow(0.5, (age / w.recency_scale_days) ** 2)


#: names of the scored parts of the listings query (``_name``; a domain term is
#: ``kit.term_name(typed)``)
TEXT = "text"
TITLE = "title"
#: a recency reason is shown when it gives at least this share of its weight
SHOWN_SHARE = 0.5


def listing_reasons(
    need: TechnologyNeed,
    listing: TechnologyListing,
    matched: Iterable[str],
    *,
    now: datetime,
    w: TechnologyWeights = TECHNOLOGY_WEIGHTS,
) -> list[Reason]:
    """Why ``listing`` fits ``need``: the hard rules met, the named query parts that matched,
    region and recency (recomputed here with the query's own formulas)."""
    found = rule_reasons(listing, need)
    for term in matched_terms(matched):
        found.append(Reason(ReasonCode.DOMAIN_TERM, f"技术涉及“{term.typed}”", w.domain_term))
    if TITLE in matched:
        found.append(Reason(ReasonCode.TITLE, "技术名称与需求标题相近", w.title))
    if TEXT in matched:
        found.append(Reason(ReasonCode.TEXT, "技术名称或说明与需求描述相关", w.text))
    near = region_reason(need.region_code, listing.region_code, w)
    if near is not None:
        found.append(near)
    fresh = recency(listing.created_at, now, w)
    if fresh >= SHOWN_SHARE * w.recency:
        found.append(Reason(ReasonCode.RECENT, "近期发布的技术", round(fresh, 4)))
    return found


# --- listing → buyers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricSignal:
    metric: str
    at_least: Decimal
    reason: str


@dataclass(frozen=True)
class DomainSignals:
    """Which enterprises have the problem a domain's technologies solve."""

    divisions: frozenset[str]
    metrics: tuple[MetricSignal, ...]
    evaluation_below: Decimal | None


@cache
def buyer_signals() -> dict[TechnologyDomain, DomainSignals]:
    """``reference/data/technology_buyers.json``: industries, metrics and evaluation scores."""
    text = (
        resources.files("greenrong.domain.reference")
        .joinpath("data", "technology_buyers.json")
        .read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    signals = {}
    for domain in TechnologyDomain:
        entry = data["domains"][domain.value]
        below = entry["evaluation_below"]
        signals[domain] = DomainSignals(
            divisions=frozenset(entry["industries"]["divisions"]),
            metrics=tuple(
                MetricSignal(m["metric"], Decimal(m["at_least"]), m["reason"])
                for m in entry["metrics"]
            ),
            evaluation_below=None if below is None else Decimal(below["score"]),
        )
    return signals


@dataclass(frozen=True)
class BuyerMatch:
    """A posted need (``need`` set) or an enterprise lead (``need`` None)."""

    enterprise_id: uuid.UUID
    need: TechnologyNeed | None
    score: float
    reasons: list[Reason]
    #: for a stable order among equal scores
    key: str = field(compare=False, default="")


@dataclass
class _Evidence:
    """What the disclosures say about one enterprise: latest value per metric, latest score."""

    metrics: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    evaluation: tuple[int, Decimal] | None = None


async def buyer_matches(
    session: AsyncSession,
    listings: Sequence[TechnologyListing],
    *,
    first: int,
    terms_of: TermsOf,
    now: datetime,
    w: TechnologyWeights = TECHNOLOGY_WEIGHTS,
) -> dict[uuid.UUID, list[BuyerMatch]]:
    """The best ``first`` buyers of each listing, in three statements whatever the number of
    listings: the open needs that may be a buyer of one of them (``repository.open_needs``:
    domain, budget and maturity in SQL; their columns, not entities), the leads that may rank
    (``lead_repository``), and the whole rows of the needs that reach a listing's page.

    Each need that passes ``failures`` is scored without its reasons (``_NeedScorer``: its terms
    and recency once per call, the place once per pair of regions); only each listing's best
    ``first`` needs get their reasons (``_need_match``), which are the same numbers; a lead is
    scored the same way (``_NeedScorer.lead_score``) and written out with its reasons
    (``_lead_match``) only when it reaches a listing's page. A need's
    terms are not stored: the synonym file belongs to the search layer, and ``terms_of``
    (``canonical_terms``) remembers them per text across calls."""
    published = [x for x in listings if x.status is ListingStatus.PUBLISHED]
    result: dict[uuid.UUID, list[BuyerMatch]] = {x.id: [] for x in listings}
    if not published or first <= 0:
        return result
    needs = await repository.open_needs(session, published)
    # what makes an enterprise a lead does not depend on the listing, only on its domain: it
    # is precomputed (``lead_repository.py``), and only the leads that may rank are read; an
    # enterprise with an open need in the domain is no lead there (the need is the buyer)
    evidenced = await lead_candidates(session, published, first=first)
    of_domain: dict[TechnologyDomain, list[repository.OpenNeed]] = {x.domain: [] for x in published}
    for need in needs:  # a need of another domain fails the DOMAIN rule
        of_domain[need.domain].append(need)
    scorer = _NeedScorer(terms_of, now, w)
    # the best ``first`` needs of each listing by the final order (score, then key): no other
    # need can reach its page, and its leads only compare with the best ``first`` scores
    best_needs: dict[uuid.UUID, list[tuple[float, repository.OpenNeed]]] = {}
    for listing in published:
        offered = scorer.listing_terms(listing)
        scored = [
            (scorer.score(listing, need, offered), f"0{need.id}", need)
            for need in of_domain[listing.domain]
            if not failures(listing, need)
        ]
        best_needs[listing.id] = [
            (score, need)
            for score, _, need in heapq.nsmallest(first, scored, key=lambda t: (-t[0], t[1]))
        ]
    rows = await repository.needs_by_id(
        session, {need.id for found in best_needs.values() for _, need in found}
    )
    for listing in published:
        offered = scorer.listing_terms(listing)
        ranked = [
            _need_match(listing, rows[need.id], scorer.terms(need) & offered, now=now, w=w)
            for _, need in best_needs[listing.id]
            if need.id in rows  # not deleted in between
        ]
        best = sorted(m.score for m in ranked)[-first:] if len(ranked) >= first else []
        entries: list[tuple[float, str, BuyerMatch | Lead]] = [(m.score, m.key, m) for m in ranked]
        for candidate in evidenced[listing.domain]:
            # leads come best first: once even the nearest place cannot lift one into the
            # best ``first`` found so far, none that follows can
            if len(best) >= first and candidate.score + w.same_county < best[0]:
                break
            if candidate.enterprise_id == listing.owner_enterprise_id:
                continue
            score = scorer.lead_score(listing, candidate)
            entries.append((score, f"1{candidate.enterprise_id}", candidate))
            best = sorted([*best, score])[-first:]
        # only the leads that reach the page get their reasons (``_lead_match``: same score)
        result[listing.id] = [
            found if isinstance(found, BuyerMatch) else _lead_match(listing, found, w)
            for _, _, found in heapq.nsmallest(first, entries, key=lambda t: (-t[0], t[1]))
        ]
    return result


class _NeedScorer:
    """A need's or a lead's score for a listing, as ``_need_match`` and ``_lead_match`` compute
    it (the same weights added in the same order, so the same float), without writing its
    reasons. Within one call a need's terms and recency are computed once, and the place once
    per pair of regions."""

    def __init__(self, terms_of: TermsOf, now: datetime, w: TechnologyWeights) -> None:
        self._terms_of, self._now, self._w = terms_of, now, w
        self._terms: dict[uuid.UUID, frozenset[str]] = {}
        self._fresh: dict[uuid.UUID, tuple[float, float]] = {}
        self._near: dict[tuple[str, str], float | None] = {}

    def listing_terms(self, listing: TechnologyListing) -> frozenset[str]:
        return self._terms_of(f"{listing.title} {listing.description}")

    def terms(self, need: repository.OpenNeed) -> frozenset[str]:
        found = self._terms.get(need.id)
        if found is None:
            found = self._terms[need.id] = self._terms_of(f"{need.title} {need.description}")
        return found

    def near(self, here: str, there: str) -> float | None:
        """``region_reason``'s weight, once per pair of regions."""
        places = (here, there)
        if places not in self._near:
            near = region_reason(here, there, self._w)
            self._near[places] = None if near is None else near.weight
        return self._near[places]

    def lead_score(self, listing: TechnologyListing, lead: Lead) -> float:
        """A lead's score for a listing, as ``_lead_match`` computes it."""
        weight = self.near(listing.region_code, lead.region_code)
        return round(lead.score + (0.0 if weight is None else weight), 6)

    def score(
        self, listing: TechnologyListing, need: repository.OpenNeed, offered: frozenset[str]
    ) -> float:
        w = self._w
        total = w.posted_need  # the rules' reasons weigh 0.0
        for _ in self.terms(need) & offered:
            total += w.domain_term
        weight = self.near(listing.region_code, need.region_code)
        if weight is not None:
            total += weight
        fresh = self._fresh.get(need.id)
        if fresh is None:
            value = recency(need.created_at, self._now, w)
            # a recency shown as a reason weighs its rounded value; a hidden one its exact value
            shown = value >= SHOWN_SHARE * w.recency
            fresh = self._fresh[need.id] = (
                round(value, 4) if shown else 0.0,
                0.0 if shown else value,
            )
        return round(total + fresh[0] + fresh[1], 6)


def _need_match(
    listing: TechnologyListing,
    need: TechnologyNeed,
    shared: frozenset[str],
    *,
    now: datetime,
    w: TechnologyWeights,
) -> BuyerMatch:
    """``shared``: the domain terms the need's text and the listing's text have in common."""
    reasons = [Reason(ReasonCode.POSTED_NEED, f"已发布技术需求“{need.title}”", w.posted_need)]
    reasons += rule_reasons(listing, need)
    reasons += [
        Reason(ReasonCode.DOMAIN_TERM, f"需求提到“{term}”", w.domain_term)
        for term in sorted(shared)
    ]
    near = region_reason(listing.region_code, need.region_code, w)
    if near is not None:
        reasons.append(near)
    fresh = recency(need.created_at, now, w)
    if fresh >= SHOWN_SHARE * w.recency:
        reasons.append(Reason(ReasonCode.RECENT, "近期发布的需求", round(fresh, 4)))
    score = 0.0
    for reason in reasons:  # left to right, as ``_NeedScorer.score`` adds (not ``sum``, which
        score += reason.weight  # compensates from Python 3.12 on)
    score += 0.0 if fresh >= SHOWN_SHARE * w.recency else fresh
    return BuyerMatch(need.enterprise_id, need, round(score, 6), reasons, key=f"0{need.id}")


def _lead_evidence(
    enterprise: Enterprise,
    evidence: _Evidence | None,
    signals: DomainSignals,
    domain: TechnologyDomain,
    w: TechnologyWeights,
) -> tuple[float, Enterprise, list[Reason]] | None:
    """Why ``enterprise`` has the problem ``domain`` solves, and how much that weighs; None when
    nothing says so."""
    reasons: list[Reason] = []
    if enterprise.industry_division in signals.divisions:
        name = industry_division_names().get(enterprise.industry_division, "")
        reasons.append(
            Reason(
                ReasonCode.INDUSTRY,
                f"所属行业“{name}”（{enterprise.industry_division}）常需{label(domain)}技术",
                w.industry,
            )
        )
    if evidence is not None:
        for signal in signals.metrics:
            found = evidence.metrics.get(signal.metric)
            if found is not None and found[1] >= signal.at_least:
                year, value = found
                reasons.append(
                    Reason(
                        ReasonCode.DISCLOSED_METRIC,
                        f"{year}年披露：" + signal.reason.format(value=f"{value:,.0f}"),
                        w.disclosed_metric,
                    )
                )
        below = signals.evaluation_below
        if below is not None and evidence.evaluation is not None:
            year, points = evidence.evaluation
            if points < below:
                reasons.append(
                    Reason(
                        ReasonCode.EVALUATION,
                        f"{year}年环境评价得分{points}，低于{below}分，有待治理",
                        w.evaluation,
                    )
                )
    if not reasons:
        return None
    return sum(r.weight for r in reasons), enterprise, reasons


def _lead_match(listing: TechnologyListing, lead: Lead, w: TechnologyWeights) -> BuyerMatch:
    reasons = [Reason(ReasonCode(r["code"]), r["message"], r["weight"]) for r in lead.reasons]
    near = region_reason(listing.region_code, lead.region_code, w)
    found = reasons if near is None else [*reasons, near]
    score = lead.score + (0.0 if near is None else near.weight)
    return BuyerMatch(
        lead.enterprise_id, None, round(score, 6), found, key=f"1{lead.enterprise_id}"
    )


__all__ = [
    "TECHNOLOGY_WEIGHTS",
    "BuyerMatch",
    "ListingRule",
    "ReasonCode",
    "TechnologyWeights",
    "buyer_matches",
    "failures",
    "listing_reasons",
]
