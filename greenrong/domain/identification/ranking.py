"""The ranking rules and the confidence, applied to what the catalogue index found.

The index (``indexers/catalogue``) scores every level-4 item against the description: each
vocabulary term the text contains (or a synonym of one) counts with a weight that grows with
the term's length, matches on the item's own name count more, and a weak full-text match of
the bigrams is the fallback. This module then:

1. adjusts for what kind of project the text describes. Items named …制造 are about making
   equipment; a description with manufacturing cues (生产线, 年产, 制造 …) lifts them and one
   without lowers them. The green-services items (level 1 ``6``) are lifted by service cues
   (咨询, 认证, 评估 …) and lowered without them. The factors are ``RANKING_WEIGHTS``;
2. orders by the adjusted score (code as the tie-breaker) and keeps the best ``size``;
3. gives each candidate a confidence in [0, 1] (see ``confidence``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from greenrong.domain.identification.catalogue import Catalogue, CatalogueItem

#: changes when the ranking rules or the query change (part of the engine version)
RANKING_VERSION = "1"

#: words that say the project makes equipment or products
MANUFACTURING_CUES = (
    "制造",
    "生产线",
    "生产基地",
    "量产",
    "产业化",
    "研发生产",
    "生产车间",
    "组装",
    "装配线",
    "出货",
)
#: words that say the project is a service to others
SERVICE_CUES = (
    "服务",
    "咨询",
    "认证",
    "评估",
    "审核",
    "审计",
    "核查",
    "交易",
    "第三方",
    "机构",
    "委托",
    "托管",
)


@dataclass(frozen=True)
class RankingWeights:
    manufacturing_with_cue: float = 1.6
    manufacturing_without_cue: float = 0.55
    operation_with_manufacturing_cue: float = 0.75
    service_with_cue: float = 1.25
    service_without_cue: float = 0.6
    #: the adjusted score at which the evidence is worth half (about one distinctive term)
    evidence_half: float = 6.0


RANKING_WEIGHTS = RankingWeights()


@dataclass(frozen=True)
class EngineHit:
    """One item as the index scored it, with the terms that matched (as the text has them)."""

    code: str
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    item: CatalogueItem
    path: tuple[CatalogueItem, ...]
    score: float
    confidence: float
    matched_terms: tuple[str, ...]


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def has_cue(text: str, cues: Sequence[str]) -> bool:
    return any(cue in text for cue in cues)


def adjustment(item: CatalogueItem, text: str, w: RankingWeights = RANKING_WEIGHTS) -> float:
    """The factor applied to an item's engine score for this description."""
    making = has_cue(text, MANUFACTURING_CUES)
    factor = 1.0
    if item.manufacturing:
        factor *= w.manufacturing_with_cue if making else w.manufacturing_without_cue
    elif making:
        factor *= w.operation_with_manufacturing_cue
    if item.code.startswith("6."):
        factor *= w.service_with_cue if has_cue(text, SERVICE_CUES) else w.service_without_cue
    return factor


def confidence(score: float, scores: Sequence[float], w: RankingWeights = RANKING_WEIGHTS) -> float:
    """How much the evidence supports this item, in [0, 1], rounded to 4 places.

    It is the product of two parts: the strength of the evidence, ``1 − 2^(−score / half)``
    (0.5 at ``evidence_half``, about one distinctive term; it approaches 1 with more), and the
    item's share against the other candidates, ``0.5 + 0.5 × score / Σ scores``. So one strong
    candidate alone scores high, and two equally good ones both score lower. It is monotone in
    the score within one answer, so the order of candidates is the order of confidence. It is
    a heuristic, not a calibrated probability (the bench reports how it relates to accuracy).
    """
    if score <= 0:
        return 0.0
    strength = 1 - math.pow(2, -score / w.evidence_half)
    share = score / sum(s for s in scores if s > 0)
    return round(strength * (0.5 + 0.5 * share), 4)


def rank(
    catalogue: Catalogue,
    text: str,
    hits: Sequence[EngineHit],
    *,
    size: int,
    w: RankingWeights = RANKING_WEIGHTS,
) -> list[Candidate]:
    """The best ``size`` candidates, best first, with their confidence."""
    text = normalize(text)
    scored: list[tuple[float, EngineHit, CatalogueItem]] = []
    for hit in hits:
        item = catalogue.get(hit.code)
        if item is None or item.level != 4 or hit.score <= 0:
            continue  # an index older than the data file: never answer an unknown code
        scored.append((hit.score * adjustment(item, text, w), hit, item))
    scored.sort(key=lambda s: (-s[0], s[2].code))
    scores = [s for s, _, _ in scored]
    return [
        Candidate(
            item=item,
            path=tuple(catalogue.path(item.code)),
            score=round(score, 6),
            confidence=confidence(score, scores, w),
            matched_terms=hit.matched_terms,
        )
        for score, hit, item in scored[:size]
    ]
