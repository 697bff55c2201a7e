"""Search requests as plain OpenSearch DSL, and their answers as plain values.

One index declares what may be searched in ``<index>/queries.py`` (a ``QuerySpec``): its text
fields with boosts, its filters, its facets and its sorts. This module turns a ``SearchRequest``
into one request body and the engine's answer into a ``SearchPage``:

- **text**: every term of the query must match (three in four when there are more than two).
  A term of the synonym file matches any term of its set as a phrase; other Chinese runs match
  through their bigrams; Latin words match with ``fuzziness: AUTO``. A phrase match of the
  whole query adds to the score.
- **filters**: a filter without a facet narrows the query. A filter with a facet of the same
  name goes to ``post_filter``, and each facet's aggregation is filtered by every *other*
  faceted filter, so selecting a value never hides that facet's other values.
- **sorts**: each ends with the unique ``id``, so ``search_after`` pages never skip or repeat.
- **pages**: ``size + 1`` hits tell whether more follow; the cursor of a hit is its sort values,
  opaque to clients (``encode_cursor``). There is never a ``from``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from opensearchpy.exceptions import (
    ConnectionError as EngineConnectionError,
)
from opensearchpy.exceptions import (
    ConnectionTimeout,
    NotFoundError,
    RequestError,
    TransportError,
)

from greenrong.core import metrics, tracing
from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.core.retry import retryable_status
from greenrong.core.search import SearchEngine
from greenrong.domain.kit.jsonable import pack_cursor, unpack_cursor
from greenrong.indexers.kit import labels
from greenrong.indexers.kit.synonyms import Segment, SegmentKind, Synonyms, domain_synonyms

#: the unique tiebreaker of every sort
TIEBREAKER: dict[str, Any] = {"id": "asc"}
HIGHLIGHT_TAGS = ("<em>", "</em>")


# --- declarations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    """A full-text field. ``fragments=0`` highlights the whole value (titles, names)."""

    name: str
    boost: float = 1.0
    fragments: int = 2

    @property
    def weighted(self) -> str:
        return self.name if self.boost == 1 else f"{self.name}^{self.boost:g}"


@dataclass(frozen=True)
class Bounds:
    """An inclusive range; ``None`` leaves that side open."""

    gte: int | float | str | None = None
    lte: int | float | str | None = None


class Filter(Protocol):
    def clause(self, value: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Terms:
    """Any of the given keyword values. ``expand`` maps one value to the indexed values it
    stands for (a product eligible in 510000 serves every region below it)."""

    field: str
    expand: Callable[[str], Sequence[str]] | None = None

    def clause(self, value: Sequence[str]) -> dict[str, Any]:
        values = [v for item in value for v in (self.expand(item) if self.expand else [item])]
        return {"terms": {self.field: sorted(set(values))}}


@dataclass(frozen=True)
class Range:
    """A number or date between inclusive bounds."""

    field: str

    def clause(self, value: Bounds) -> dict[str, Any]:
        bounds = {k: v for k, v in (("gte", value.gte), ("lte", value.lte)) if v is not None}
        return {"range": {self.field: bounds}}


@dataclass(frozen=True)
class Flag:
    """A boolean field."""

    field: str

    def clause(self, value: bool) -> dict[str, Any]:
        return {"term": {self.field: value}}


@dataclass(frozen=True)
class Eligible:
    """Any of the given values, in a list field where an empty list means "every value" (the
    green categories a product is open to)."""

    field: str

    def clause(self, value: Sequence[str]) -> dict[str, Any]:
        return {
            "bool": {
                "should": [
                    {"terms": {self.field: sorted(set(value))}},
                    {"bool": {"must_not": [{"exists": {"field": self.field}}]}},
                ],
                "minimum_should_match": 1,
            }
        }


@dataclass(frozen=True)
class Satisfied:
    """Documents whose own minimum ``field`` is at or below the value, or that set none (the
    needs a listing of a given readiness level satisfies)."""

    field: str

    def clause(self, value: int | float) -> dict[str, Any]:
        return {
            "bool": {
                "should": [
                    {"range": {self.field: {"lte": value}}},
                    {"bool": {"must_not": [{"exists": {"field": self.field}}]}},
                ],
                "minimum_should_match": 1,
            }
        }


@dataclass(frozen=True)
class Covers:
    """A value inside the document's own range ``low``..``high`` (an amount a product lends)."""

    low: str
    high: str

    def clause(self, value: int | float) -> dict[str, Any]:
        return {
            "bool": {
                "filter": [
                    {"range": {self.low: {"lte": value}}},
                    {"range": {self.high: {"gte": value}}},
                ]
            }
        }


@dataclass(frozen=True)
class TermsFacet:
    """Counts per keyword value. ``include`` limits the buckets to these values (for example
    the prefecture codes of a ``region_path``); ``labels`` names a value for people."""

    field: str
    label: str
    labels: Callable[[str], str]
    include: tuple[str, ...] | None = None
    size: int = 50

    def aggregation(self) -> dict[str, Any]:
        terms: dict[str, Any] = {"field": self.field, "size": self.size}
        if self.include is not None:
            terms["include"] = list(self.include)
            terms["size"] = max(self.size, len(self.include))
        return {"terms": terms}

    def buckets(self, answer: dict[str, Any]) -> list[Bucket]:
        found = [(str(b["key"]), int(b["doc_count"])) for b in answer["buckets"]]
        found.sort(key=lambda item: (-item[1], item[0]))
        return [Bucket(value, self.labels(value), count) for value, count in found]


@dataclass(frozen=True)
class Band:
    """One bucket of a range facet: ``gte`` ≤ value < ``lt``."""

    key: str
    label: str
    gte: float | None = None
    lt: float | None = None


@dataclass(frozen=True)
class RangeFacet:
    """Counts per band, every band listed (zero counts too), in declaration order."""

    field: str
    label: str
    bands: tuple[Band, ...]

    def aggregation(self) -> dict[str, Any]:
        ranges = []
        for band in self.bands:
            item: dict[str, Any] = {"key": band.key}
            if band.gte is not None:
                item["from"] = band.gte
            if band.lt is not None:
                item["to"] = band.lt
            ranges.append(item)
        return {"range": {"field": self.field, "ranges": ranges}}

    def buckets(self, answer: dict[str, Any]) -> list[Bucket]:
        counts = {str(b["key"]): int(b["doc_count"]) for b in answer["buckets"]}
        return [Bucket(b.key, b.label, counts.get(b.key, 0)) for b in self.bands]


Facet = TermsFacet | RangeFacet


@dataclass(frozen=True)
class Sort:
    """OpenSearch sort clauses; the builder appends the ``id`` tiebreaker."""

    clauses: tuple[dict[str, Any], ...]

    def body(self) -> list[dict[str, Any]]:
        return [*self.clauses, TIEBREAKER]


RELEVANCE = "relevance"
NEWEST = "newest"


@dataclass(frozen=True)
class QuerySpec:
    """What one index lets clients search, filter, count and sort by.

    A facet named like a filter counts the values that filter selects. ``sorts`` must contain
    ``relevance`` (the default with a query text) and ``newest`` (the default without one).
    """

    index: str
    text_fields: tuple[TextField, ...]
    filters: Mapping[str, Filter]
    facets: Mapping[str, Facet]
    sorts: Mapping[str, Sort]
    suggest_field: str

    def __post_init__(self) -> None:
        if not {RELEVANCE, NEWEST} <= self.sorts.keys():
            raise ValueError(f"{self.index}: sorts need {RELEVANCE!r} and {NEWEST!r}")
        unfiltered = self.facets.keys() - self.filters.keys()
        if unfiltered:
            raise ValueError(f"{self.index}: facets without a filter: {sorted(unfiltered)}")


# --- requests and answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    text: str | None = None
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: str | None = None
    size: int = 20
    #: decoded ``search_after`` values (see ``decode_cursor``)
    after: Sequence[Any] | None = None
    #: filter clauses the caller's access adds (``indexers/kit/access.py``); they limit hits,
    #: totals and facet counts alike
    scope: Sequence[dict[str, Any]] = ()

    def sort_name(self) -> str:
        if self.sort is not None:
            return self.sort
        return RELEVANCE if self.text and self.text.strip() else NEWEST


@dataclass(frozen=True)
class Hit:
    id: str
    score: float | None
    #: field name -> highlighted snippets (matched terms in <em>, the rest HTML-escaped)
    highlights: dict[str, list[str]]
    cursor: str


@dataclass(frozen=True)
class Bucket:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class FacetCounts:
    name: str
    label: str
    buckets: list[Bucket]


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    total: int
    has_next: bool
    facets: list[FacetCounts]


@dataclass(frozen=True)
class Suggestion:
    id: str
    text: str


class UnavailableReason(StrEnum):
    UNREACHABLE = "UNREACHABLE"
    TIMEOUT = "TIMEOUT"
    OVERLOADED = "OVERLOADED"
    NOT_READY = "NOT_READY"


class SearchUnavailableError(Exception):
    """The engine cannot answer now: not reachable, too slow, overloaded or its index missing.
    Always worth trying again later (``core.retry``)."""

    retryable = True

    def __init__(self, reason: UnavailableReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# --- building ---------------------------------------------------------------------------------


def text_query(
    spec: QuerySpec, text: str | None, synonyms: Synonyms | None = None
) -> dict[str, Any]:
    """The scoring part of the query: ``match_all`` without text."""
    segments = (synonyms or domain_synonyms()).segments(text or "")
    if not segments:
        return {"match_all": {}}
    fields = [f.weighted for f in spec.text_fields]
    required = [s for s in segments if not _optional(s)]
    clauses = [_segment_clause(s, fields) for s in segments]
    needed = len(required) if len(required) <= 2 else math.ceil(0.75 * len(required))
    phrase = " ".join((text or "").split())  # as typed: its bigrams stay adjacent
    return {
        "bool": {
            "must": [{"bool": {"should": clauses, "minimum_should_match": max(needed, 1)}}],
            "should": [
                {"multi_match": {"query": phrase, "fields": fields, "type": "phrase", "boost": 2}}
            ],
        }
    }


def _optional(segment: Segment) -> bool:
    """A lone Chinese character has no bigram to match, so it cannot be required."""
    return segment.kind is SegmentKind.CJK and len(segment.term) < 2


def _segment_clause(segment: Segment, fields: list[str]) -> dict[str, Any]:
    if segment.kind is SegmentKind.LATIN:
        return {"multi_match": {"query": segment.term, "fields": fields, "fuzziness": "AUTO"}}
    if segment.kind is SegmentKind.CJK:
        return {
            "multi_match": {"query": segment.term, "fields": fields, "minimum_should_match": "75%"}
        }
    alternatives = [
        {
            "multi_match": {
                "query": term,
                "fields": fields,
                "type": "phrase",
                "boost": 1 if i == 0 else 0.8,  # the word as typed ranks above its synonyms
            }
        }
        for i, term in enumerate(segment.alternatives)
    ]
    return {"bool": {"should": alternatives, "minimum_should_match": 1}}


def build(
    spec: QuerySpec, request: SearchRequest, synonyms: Synonyms | None = None
) -> dict[str, Any]:
    """The request body for one page."""
    unknown = request.filters.keys() - spec.filters.keys()
    if unknown:
        raise ValueError(f"{spec.index}: unknown filters {sorted(unknown)}")
    sort_name = request.sort_name()
    if sort_name not in spec.sorts:
        raise ValueError(f"{spec.index}: unknown sort {sort_name!r}")
    clauses = {name: spec.filters[name].clause(v) for name, v in request.filters.items()}
    narrowing = [c for name, c in clauses.items() if name not in spec.facets]
    faceted = {name: c for name, c in clauses.items() if name in spec.facets}
    has_text = bool(request.text and request.text.strip())

    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": [text_query(spec, request.text, synonyms)],
                "filter": [*request.scope, *narrowing],
            }
        },
        "sort": spec.sorts[sort_name].body(),
        "size": request.size + 1,
        "track_total_hits": True,
        "_source": False,
        "aggs": {
            name: {
                "filter": _all_of([c for other, c in faceted.items() if other != name]),
                "aggs": {"values": facet.aggregation()},
            }
            for name, facet in spec.facets.items()
        },
    }
    if faceted:
        body["post_filter"] = _all_of(list(faceted.values()))
    if request.after is not None:
        body["search_after"] = list(request.after)
    if has_text:
        body["track_scores"] = True
        body["highlight"] = {
            "encoder": "html",
            "pre_tags": [HIGHLIGHT_TAGS[0]],
            "post_tags": [HIGHLIGHT_TAGS[1]],
            "fields": {
                f.name: {"number_of_fragments": f.fragments, "fragment_size": 80}
                for f in spec.text_fields
            },
        }
    return body


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


# --- cursors ----------------------------------------------------------------------------------


def encode_cursor(index: str, sort: str, values: Sequence[Any]) -> str:
    """An opaque cursor: the hit's sort values, with the index and sort they belong to."""
    return pack_cursor([index, sort, list(values)])


def decode_cursor(cursor: str, *, index: str, sort: str, spec: QuerySpec) -> list[Any]:
    """The ``search_after`` values of a cursor made by ``encode_cursor`` for this index and
    sort; anything else is ``INVALID_CURSOR`` on the ``after`` argument."""
    try:
        cursor_index, cursor_sort, values = unpack_cursor(cursor)
    except (ValueError, TypeError):
        values, cursor_index, cursor_sort = None, None, None
    clauses = spec.sorts[sort].body()
    if (
        (cursor_index, cursor_sort) != (index, sort)
        or not isinstance(values, list)
        or len(values) != len(clauses)
        or not all(_search_after_value(c, v) for c, v in zip(clauses, values, strict=True))
    ):
        raise _invalid_cursor()
    return values


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed.one(
        "after", ErrorCode.INVALID_CURSOR, "cursor is not valid for this search and sort"
    )


def _search_after_value(clause: dict[str, Any], value: Any) -> bool:
    """Whether a cursor value is one the engine's sort values can be for ``clause``: a string
    without NUL, an integer of 64 bits or a finite number (JSON has no NaN; the engine no NUL),
    and null only for a keyword (a missing number sorts as the type's extreme, not null)."""
    if value is None:
        field = next(iter(clause))
        return field == "id" or field.endswith(".keyword")
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**64
    return isinstance(value, float) and math.isfinite(value)


# --- reading the answer -----------------------------------------------------------------------


def read_page(spec: QuerySpec, request: SearchRequest, answer: dict[str, Any]) -> SearchPage:
    sort_name = request.sort_name()
    raw_hits = answer["hits"]["hits"]
    hits = [
        Hit(
            id=str(h["_id"]),
            score=None if h.get("_score") is None else float(h["_score"]),
            highlights={k: list(v) for k, v in (h.get("highlight") or {}).items()},
            cursor=encode_cursor(spec.index, sort_name, h["sort"]),
        )
        for h in raw_hits[: request.size]
    ]
    aggregations = answer.get("aggregations", {})
    facets = [
        FacetCounts(name, facet.label, facet.buckets(aggregations[name]["values"]))
        for name, facet in spec.facets.items()
    ]
    return SearchPage(
        hits=hits,
        total=int(answer["hits"]["total"]["value"]),
        has_next=len(raw_hits) > request.size,
        facets=facets,
    )


# --- running ----------------------------------------------------------------------------------


async def search(engine: SearchEngine, spec: QuerySpec, request: SearchRequest) -> SearchPage:
    """One page of hits with facet counts; ``SearchUnavailableError`` when the engine cannot
    answer."""
    body = build(spec, request)
    try:
        answer = await _call(engine.client.search(index=engine.alias(spec.index), body=body))
    except RequestError as error:
        if request.after is None:
            raise
        # a cursor a client wrote, of the right shape, whose values do not fit the sort's
        # fields (a string for a date, null for a score): the engine refuses it with a 400
        raise _invalid_cursor() from error
    return read_page(spec, request, answer)


async def suggest(
    engine: SearchEngine, spec: QuerySpec, prefix: str, *, size: int
) -> list[Suggestion]:
    """Titles or names starting with ``prefix`` (the completion suggester), best first."""
    body = {
        "_source": False,
        "suggest": {
            "titles": {
                "prefix": prefix,
                "completion": {"field": spec.suggest_field, "size": size, "skip_duplicates": True},
            }
        },
    }
    answer = await _call(engine.client.search(index=engine.alias(spec.index), body=body))
    options = answer["suggest"]["titles"][0]["options"]
    return [Suggestion(id=str(o["_id"]), text=str(o["text"])) for o in options]


async def _call(request: Any) -> dict[str, Any]:
    with (
        tracing.search_span("search"),
        metrics.timed(metrics.SEARCH_SECONDS, outcome="error") as labels,
    ):
        answer = await _answer(request)
        labels["outcome"] = "ok"
    return answer


async def _answer(request: Any) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = await request
    except ConnectionTimeout as error:
        raise SearchUnavailableError(UnavailableReason.TIMEOUT, "search timed out") from error
    except EngineConnectionError as error:
        raise SearchUnavailableError(
            UnavailableReason.UNREACHABLE, "search engine is unreachable"
        ) from error
    except NotFoundError as error:
        raise SearchUnavailableError(
            UnavailableReason.NOT_READY, "search index is not built yet"
        ) from error
    except TransportError as error:
        if retryable_status(error.status_code):  # 408, 429, 5xx (core.retry)
            raise SearchUnavailableError(
                UnavailableReason.OVERLOADED, "search engine is overloaded"
            ) from error
        raise
    return answer


#: filter and facet on a region and everything inside it (documents carry ``region_path``)
REGION_FILTER = Terms("region_path")
REGION_FACET = TermsFacet("region_path", "地区", labels.region, include=labels.prefectures())
