"""The ranking rules and the confidence, applied to what the catalogue index found.

The index (``indexers/catalogue``) scores every level-4 item against the description: each
vocabulary term the text contains (or a synonym of one) counts with a weight that grows with
the term's length and with where it stands (the opening statement of the project counts more,
a side component after 配套 less: ``reading.emphasis``), matches on the item's own name count
more, and a weak full-text match of the bigrams is the fallback. This module then:

1. adjusts for what kind of project the text describes (``reading.mode``). Items named …制造
   are about making equipment; a text whose making cues (年产…台, 生产能力, 产值 …) outweigh
   its facility cues (改造, 并网, 投运, 处理规模 …) lifts them, any other lowers them (a tie
   leaves them be). The green-services items (level 1 ``6``) are lifted by service cues
   (咨询, 认证, 评估 …) and lowered without them. The factors are ``RANKING_WEIGHTS``;
2. puts a narrower item before the broader ones it narrows when the text names its conditions
   (钢铁企业超低排放改造 before 工业脱硫脱硝除尘改造 for a steel works), and after them when it
   does not (a cement kiln's 超低排放): ``reading.specific``;
3. orders by the adjusted score (code as the tie-breaker) and keeps the best ``size``;
4. gives each candidate a confidence in [0, 1] (see ``confidence``).

The cue words are ``data/reading_cues.json`` (versioned, our own assumption).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from greenrong.domain.identification.catalogue import Catalogue, CatalogueItem
from greenrong.domain.identification.reading import Mode, mode, reading_cues, rule_applies

#: changes when the ranking rules or the query change (part of the engine version)
RANKING_VERSION = "3"


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
    kind = mode(text)
    factor = 1.0
    if item.manufacturing:
        if kind is Mode.MAKING:
            factor *= w.manufacturing_with_cue
        elif kind is Mode.FACILITY:
            factor *= w.manufacturing_without_cue
    elif kind is Mode.MAKING:
        factor *= w.operation_with_manufacturing_cue
    if item.code.startswith("6."):
        serving = has_cue(text, reading_cues().service)
        factor *= w.service_with_cue if serving else w.service_without_cue
    return factor


def specific_first(text: str, scores: dict[str, float]) -> dict[str, float]:
    """The scores with each narrower item placed against the broader items it narrows: when
    the text names its conditions where they count (``reading.rule_applies``: in an
    application's opening statement, not in a side component or an input's origin),
    ``specific_lift`` times above the best of them; when it does not, no higher than that best
    divided by ``specific_lift`` (a cement kiln's 超低排放 is not the steel item's), or, when
    none of them was found, than the best other item's (a slag plant fed by steel works is not
    a steel works' retrofit). Items without a rule are unchanged."""
    cues = reading_cues()
    lift = cues.weights.specific_lift
    placed = dict(scores)
    for rule in cues.specific:
        if rule.code not in scores or lift <= 0:
            continue
        broader = [scores[c] for c in rule.over if c in scores]
        if rule_applies(rule, text, cues):
            if broader:
                placed[rule.code] = max(placed[rule.code], max(broader) * lift)
            continue
        others = broader or [s for c, s in scores.items() if c != rule.code]
        if others:
            placed[rule.code] = min(placed[rule.code], max(others) / lift)
    return placed


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
    found: dict[str, tuple[EngineHit, CatalogueItem]] = {}
    adjusted: dict[str, float] = {}
    for hit in hits:
        item = catalogue.get(hit.code)
        if item is None or item.level != 4 or hit.score <= 0:
            continue  # an index older than the data file: never answer an unknown code
        found[item.code] = (hit, item)
        adjusted[item.code] = hit.score * adjustment(item, text, w)
    adjusted = specific_first(text, adjusted)
    scored = sorted(
        ((adjusted[code], hit, item) for code, (hit, item) in found.items()),
        key=lambda s: (-s[0], s[2].code),
    )
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
