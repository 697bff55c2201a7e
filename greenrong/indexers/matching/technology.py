"""Technology need → listings: the hard rules as filters, the ranking as one query per need.

Over the listings index (flat, so ``function_score`` works on every engine):

- ``bool.filter``: PUBLISHED, the need's domain, an asking price the budget covers (or none),
  a maturity at or above the need's minimum; ``must_not``: the buyer's own listings. These are
  ``domain/matching/technology.failures``, so an ineligible listing is never a hit;
- ``bool.should``: the named, scored parts: each domain term of the need's text (synonym file,
  every alternative, the best counting through ``dis_max``) and BM25 of the need's text
  against title and description;
- ``functions``: the same county, the same prefecture (filter weights) and a Gaussian decay of
  the listing's age, summed with the query's score.

Several needs go in one ``_msearch`` (the DataLoader's batch). Every number comes from
``TECHNOLOGY_WEIGHTS``; the matched names are the hit's reasons (``technology.listing_reasons``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from greenrong.core.search import SearchEngine
from greenrong.domain.matching import kit
from greenrong.domain.matching import technology as rules
from greenrong.domain.matching.technology import TECHNOLOGY_WEIGHTS, TechnologyWeights
from greenrong.domain.technology.models import ListingStatus, NeedStatus, TechnologyNeed
from greenrong.indexers.kit.fields import fen
from greenrong.indexers.kit.query import SearchUnavailableError, UnavailableReason, _call
from greenrong.indexers.kit.synonyms import SegmentKind, Synonyms, domain_synonyms
from greenrong.indexers.listings.queries import LISTING_QUERIES

INDEX = LISTING_QUERIES.index
TEXT_FIELDS = ["title^2", "description"]


@dataclass(frozen=True)
class RankedHit:
    id: uuid.UUID
    score: float
    #: names of the query parts that matched
    matched: frozenset[str]


def domain_terms(text: str, synonyms: Synonyms | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The terms of ``text`` in the synonym file, each with its alternatives, once each."""
    seen: dict[str, tuple[str, ...]] = {}
    for segment in (synonyms or domain_synonyms()).segments(text):
        if segment.kind is SegmentKind.SYNONYM and segment.term.lower() not in seen:
            seen[segment.term.lower()] = segment.alternatives
    return [(alternatives[0], alternatives) for alternatives in seen.values()]


@lru_cache(maxsize=32768)
def canonical_terms(text: str) -> frozenset[str]:
    """The synonym sets ``text`` mentions, each named by its first term in the file (so 光伏
    and 太阳能发电 are the same term). Remembered per text: a listing's buyers compare it with
    every open need of its domain, whose texts rarely change, and segmenting is the cost."""
    synonyms = domain_synonyms()
    return frozenset(_first_of_set(synonyms, term) for term, _ in domain_terms(text, synonyms))


def _first_of_set(synonyms: Synonyms, term: str) -> str:
    for group in synonyms.sets:
        if any(t.lower() == term.lower() for t in group):
            return group[0]
    return term


def need_text(need: TechnologyNeed) -> str:
    return f"{need.title} {need.description}"


def eligibility(need: TechnologyNeed) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The filter and must-not clauses of ``technology.failures``."""
    filters: list[dict[str, Any]] = [
        {"term": {"status": ListingStatus.PUBLISHED.value}},
        {"term": {"domain": need.domain.value}},
    ]
    if need.budget is not None:
        filters.append(
            {
                "bool": {
                    "should": [
                        {"range": {"asking_price_fen": {"lte": fen(need.budget)}}},
                        {"bool": {"must_not": [{"exists": {"field": "asking_price_fen"}}]}},
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if need.min_maturity is not None:
        filters.append({"range": {"maturity": {"gte": need.min_maturity}}})
    excluded = [{"term": {"owner_enterprise_id": str(need.enterprise_id)}}]
    return filters, excluded


def scoring(
    title: str, text: str, w: TechnologyWeights = TECHNOLOGY_WEIGHTS
) -> list[dict[str, Any]]:
    """The named, scored parts: domain terms, the need's title against listing titles (what
    the technology *is*), and the need's whole text against title and description."""
    parts: list[dict[str, Any]] = []
    for typed, alternatives in domain_terms(text):
        parts.append(
            {
                "dis_max": {
                    "queries": [
                        {
                            "constant_score": {
                                "filter": {
                                    "multi_match": {
                                        "query": alternative,
                                        "fields": ["title", "description"],
                                        "type": "phrase",
                                    }
                                },
                                "boost": w.domain_term,
                                "_name": kit.term_name(typed),
                            }
                        }
                        for alternative in alternatives
                    ]
                }
            }
        )
    if title.strip():
        parts.append(
            {
                "match": {
                    "title": {
                        "query": " ".join(title.split()),
                        "boost": w.title,
                        "_name": rules.TITLE,
                    }
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
                    "_name": rules.TEXT,
                }
            }
        )
    return parts


def functions(need: TechnologyNeed, w: TechnologyWeights = TECHNOLOGY_WEIGHTS) -> list[Any]:
    found: list[dict[str, Any]] = [
        {
            "gauss": {
                "created_at": {
                    "origin": "now",
                    "scale": f"{w.recency_scale_days}d",
                    "decay": 0.5,
                }
            },
            "weight": w.recency,
        }
    ]
    prefecture = kit.prefecture(need.region_code)
    if prefecture is not None:
        found.append({"filter": {"term": {"region_path": prefecture}}, "weight": w.same_prefecture})
    if prefecture is not None and prefecture != need.region_code:
        found.append(
            {"filter": {"term": {"region_code": need.region_code}}, "weight": w.same_county}
        )
    return found


def body(
    need: TechnologyNeed, *, size: int, w: TechnologyWeights = TECHNOLOGY_WEIGHTS
) -> dict[str, Any]:
    filters, excluded = eligibility(need)
    return {
        "query": {
            "function_score": {
                "query": {
                    "bool": {
                        "filter": filters,
                        "must_not": excluded,
                        "should": scoring(need.title, need_text(need), w),
                    }
                },
                "functions": functions(need, w),
                "score_mode": "sum",
                "boost_mode": "sum",
            }
        },
        "sort": [{"_score": "desc"}, {"created_at": "desc"}, {"id": "asc"}],
        "track_scores": True,
        "size": size,
        "_source": False,
    }


async def rank_listings(
    engine: SearchEngine,
    needs: Sequence[TechnologyNeed],
    *,
    size: int,
    w: TechnologyWeights = TECHNOLOGY_WEIGHTS,
) -> list[list[RankedHit]]:
    """The eligible listings of each need, best first, in one ``_msearch`` round trip (an
    empty list for a need that is not OPEN). ``SearchUnavailableError`` when the engine cannot
    answer."""
    open_needs = [n for n in needs if n.status is NeedStatus.OPEN]
    if not open_needs or size <= 0:
        return [[] for _ in needs]
    alias = engine.alias(INDEX)
    searches: list[dict[str, Any]] = []
    for need in open_needs:
        searches += [{"index": alias}, body(need, size=size, w=w)]
    answer = await _call(engine.client.msearch(body=searches))
    by_need: dict[uuid.UUID, list[RankedHit]] = {}
    for need, response in zip(open_needs, answer["responses"], strict=True):
        if "error" in response:
            raise search_failure(response)
        by_need[need.id] = [
            RankedHit(
                id=uuid.UUID(str(h["_id"])),
                score=float(h["_score"] or 0.0),
                matched=frozenset(matched_names(h.get("matched_queries"))),
            )
            for h in response["hits"]["hits"]
        ]
    return [by_need.get(n.id, []) for n in needs]


def matched_names(value: Any) -> list[str]:
    """``matched_queries`` is a list of names (or, with scores, a name -> score object)."""
    if isinstance(value, dict):
        return [str(k) for k in value]
    return [str(v) for v in value or ()]


def search_failure(response: dict[str, Any]) -> Exception:
    status = int(response.get("status", 500))
    if status == 404:
        return SearchUnavailableError(UnavailableReason.NOT_READY, "search index is not built yet")
    if status in (429, 502, 503, 504):
        return SearchUnavailableError(UnavailableReason.OVERLOADED, "search engine is overloaded")
    return RuntimeError(f"technology matching query failed: {response['error']}")
