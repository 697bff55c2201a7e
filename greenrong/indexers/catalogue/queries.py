"""The identification query: a description in, the level-4 items it most likely describes out.

The query is built from the description's terms, each with its alternatives from the domain
synonym file (``indexers/data/synonyms.json``, expanded at search time as everywhere else):

- every vocabulary term of the catalogue that the text contains (when two overlap, the longer
  one stands for both, unless the shorter one also stands alone elsewhere in the text), and
  every synonym-file term in the text with its synonyms;
- per term, the best of (``dis_max``): the exact vocabulary term (``terms.keyword``), the term
  as a phrase inside a vocabulary term (``terms``), and the term as a phrase in the item's
  name; each ``constant_score`` with the term's weight (longer terms are more specific; on an
  application-style text, times its emphasis: more in the project's opening statement, less
  in side components, ``domain/identification/reading``), and named, so the hit says which
  terms matched;
- a full-text match of the description (without the boilerplate words) against name,
  vocabulary and path (CJK bigrams, BM25) with ``FALLBACK_BOOST``: it carries descriptions
  whose words are in no vocabulary, and breaks ties between items the terms match equally. On
  an application-style text it weighs ``application_fallback`` times that, and a match of the
  opening statement alone is added with ``head_fallback`` times it (weights of the cue file).

``domain/identification/ranking`` then applies the ranking rules and the confidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from greenrong.core.search import SearchEngine
from greenrong.domain.identification.catalogue import catalogue
from greenrong.domain.identification.ranking import EngineHit
from greenrong.domain.identification.reading import (
    emphasis,
    equipment_cap,
    head,
    reading_cues,
)
from greenrong.indexers.catalogue.document import CATALOGUE
from greenrong.indexers.kit.query import _call
from greenrong.indexers.kit.synonyms import SegmentKind, Synonyms, domain_synonyms

#: how many items the engine returns for the ranking rules to order
ENGINE_SIZE = 25
#: the full-text match's weight against the terms' (a term weighs 1-6; chosen on the dev half)
FALLBACK_BOOST = 0.6
_LATIN = re.compile(r"[A-Za-z0-9]")
_NAME = "t:"
#: words nearly every green project states among its benefits (年减排二氧化碳5万吨), so they say
#: nothing about what the project is: never a term of the query (our assumption)
BOILERPLATE = frozenset(
    {"二氧化碳", "CO2", "温室气体", "GHG", "节能", "能效提升", "双碳", "碳达峰碳中和", "碳中和"}
)


@dataclass(frozen=True)
class QueryTerm:
    #: the term as the text has it
    typed: str
    #: it and its synonyms
    alternatives: tuple[str, ...]
    #: where it stands in the text (``reading.emphasis``): its subject counts more
    emphasis: float = 1.0

    @property
    def weight(self) -> float:
        """1 for a two-character term, +0.5 per character more, at most 3 (at most
        ``equipment_term`` for a word naming a piece of equipment: 汽轮发电机组 does not outweigh
        余热锅炉); Latin codes 1.5; times its emphasis."""
        if _LATIN.match(self.typed):
            return 1.5 * self.emphasis
        weight = min(1 + 0.5 * (len(self.typed) - 2), 3.0)
        cap = equipment_cap(self.typed)
        if cap is not None:
            weight = min(weight, cap)
        return weight * self.emphasis


@cache
def _vocabulary() -> tuple[str, ...]:
    terms = {t for item in catalogue().leaves() for t in item.terms}
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))


def _contains(text: str, lowered: str, term: str) -> bool:
    return term.lower() in lowered if _LATIN.match(term) else term in text


def query_terms(text: str, synonyms: Synonyms | None = None) -> list[QueryTerm]:
    """The terms of ``text`` the query looks for, each once, longest first."""
    synonyms = synonyms or domain_synonyms()
    text = unicodedata.normalize("NFKC", text)
    lowered = text.lower()
    found: list[str] = []
    covered = [False] * len(lowered)
    for term in _vocabulary():  # longest first, so a shorter term inside a found one is dropped
        if not _contains(text, lowered, term):
            continue
        pattern = re.escape(term.lower())
        spans = [(m.start(), m.start() + len(term)) for m in re.finditer(pattern, lowered)]
        # a shorter term counts on its own where it also stands outside the longer ones
        # (用户侧储能 … 磷酸铁锂储能: 储能 is named twice)
        if any(term.lower() in f.lower() for f in found) and all(
            all(covered[a:b]) for a, b in spans
        ):
            continue
        found.append(term)
        for a, b in spans:
            covered[a:b] = [True] * (b - a)
    for segment in synonyms.segments(text):
        if (
            segment.kind is SegmentKind.SYNONYM
            and segment.term not in BOILERPLATE
            and not any(segment.term.lower() in f.lower() for f in found)
        ):
            found.append(segment.term)
    w = reading_cues().weights
    return [
        QueryTerm(
            term,
            synonyms.alternatives(term),
            emphasis(
                lowered,
                term.lower(),
                head_factor=w.head_term,
                incidental_factor=w.incidental_term,
            ),
        )
        for term in found
    ]


def _term_clause(term: QueryTerm) -> dict[str, Any]:
    queries: list[dict[str, Any]] = []
    for i, alternative in enumerate(term.alternatives):
        factor = 1.0 if i == 0 else 0.8  # the word as typed above its synonyms
        queries += [
            {
                "constant_score": {
                    "filter": {"term": {"terms.keyword": alternative}},
                    "boost": term.weight * 2 * factor,
                }
            },
            {
                "constant_score": {
                    "filter": {"match_phrase": {"terms": alternative}},
                    "boost": term.weight * factor,
                }
            },
            {
                "constant_score": {
                    "filter": {"match_phrase": {"name": alternative}},
                    "boost": term.weight * 1.2 * factor,
                }
            },
        ]
    return {"dis_max": {"queries": queries, "_name": f"{_NAME}{term.typed}"}}


def _fallback(text: str, boost: float) -> dict[str, Any]:
    return {
        "multi_match": {
            "query": " ".join(text.split()),
            "fields": ["name^2", "terms", "path^0.5"],
            "boost": boost,
        }
    }


def _without(text: str, words: tuple[str, ...] | list[str]) -> str:
    for word in words:
        text = text.replace(word, " ")
    return text


def build(text: str, *, size: int = ENGINE_SIZE) -> tuple[dict[str, Any], list[QueryTerm]]:
    """The request body, and the terms it looks for."""
    terms = query_terms(text)
    should: list[dict[str, Any]] = [_term_clause(t) for t in terms]
    cues = reading_cues()
    application = len(text) >= cues.min_text
    # a capped equipment word is not counted again, uncapped, by the bigrams of the fallback
    capped = [t.typed for t in terms if application and equipment_cap(t.typed) is not None]
    fallback = _without(text, (*BOILERPLATE, *capped))
    boost = FALLBACK_BOOST * (cues.weights.application_fallback if application else 1.0)
    should.append(_fallback(fallback, boost))
    opening = head(unicodedata.normalize("NFKC", text), cues) if application else ""
    opening = _without(opening, capped)
    if opening and cues.weights.head_fallback > 0:
        should.append(_fallback(opening, FALLBACK_BOOST * cues.weights.head_fallback))
    body = {
        "size": size,
        "query": {"bool": {"should": should, "minimum_should_match": 1}},
        "_source": False,
        "track_total_hits": False,
    }
    return body, terms


async def search(engine: SearchEngine, text: str, *, size: int = ENGINE_SIZE) -> list[EngineHit]:
    """The items the engine scores for ``text``, best first; ``SearchUnavailableError`` when it
    cannot answer."""
    body, _ = build(text, size=size)
    answer = await _call(engine.client.search(index=engine.alias(CATALOGUE.name), body=body))
    hits: list[EngineHit] = []
    for hit in answer["hits"]["hits"]:
        names = hit.get("matched_queries", [])
        matched = tuple(sorted(n[len(_NAME) :] for n in names if n.startswith(_NAME)))
        hits.append(
            EngineHit(code=str(hit["_id"]), score=float(hit["_score"]), matched_terms=matched)
        )
    return hits
