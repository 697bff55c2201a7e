"""Search results: connections of hits with scores, highlights and facet counts.

Every search field returns a union of its connection and ``SearchUnavailable``: when the
engine cannot answer, that is an expected outcome a client handles (say so, or fall back to
the database lists), not a masked internal error.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Generic, TypeVar

import strawberry

from greenrong.indexers.kit.query import UnavailableReason
from greenrong.schema.disclosure.types import Disclosure
from greenrong.schema.enterprises.types import Enterprise
from greenrong.schema.experts.types import Expert
from greenrong.schema.finance.types import FinancialProduct
from greenrong.schema.kit.cost import cost
from greenrong.schema.kit.enums import register
from greenrong.schema.kit.relay import PageInfo
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

T = TypeVar("T")

register(
    UnavailableReason,
    "Why search could not answer.",
    {
        "UNREACHABLE": "The search engine cannot be reached.",
        "TIMEOUT": "The search engine did not answer in time.",
        "OVERLOADED": "The search engine refused the request for now (429/5xx).",
        "NOT_READY": "The search index is not built yet.",
    },
)


@strawberry.type(
    description="Search cannot answer right now; the database lists and every mutation still "
    "work. Retry later."
)
class SearchUnavailable:
    code: UnavailableReason = strawberry.field(description="Why search could not answer.")
    message: str = strawberry.field(description="Human-readable reason.")


@strawberry.type(description="Where the query matched in one field.")
class Highlight:
    field: str = strawberry.field(description="The field, as named in the API (camelCase).")
    snippets: list[str] = strawberry.field(
        description="Excerpts with the matched terms in <em>…</em>; the rest is HTML-escaped."
    )


@strawberry.type(description="One value of a facet and how many results have it.")
class FacetBucket:
    value: str = strawberry.field(
        description="The value to put into the filter field of the same name (an enum value, a "
        "region code, or a band key such as 4-6)."
    )
    label: str = strawberry.field(description="Chinese label of the value, e.g. 水污染治理.")
    count: int = strawberry.field(
        description="Results with this value, under every filter except this facet's own."
    )


@strawberry.type(description="Result counts per value of one filterable field.")
class Facet:
    field: str = strawberry.field(description="The filter field it counts, e.g. `domain`.")
    label: str = strawberry.field(description="Chinese label of the field, e.g. 技术领域.")
    buckets: list[FacetBucket] = strawberry.field(
        description="Values by count, highest first (range bands in their own order)."
    )


@strawberry.type(description="One search hit: the record, its relevance and where it matched.")
class SearchEdge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this hit.")
    score: float | None = strawberry.field(
        description="Relevance score (null without a query text)."
    )
    highlights: list[Highlight] = strawberry.field(
        description="Matched excerpts per text field (empty without a query text).",
        metadata=cost(list_size=3),  # one per text field of an index, at most 3
    )
    node: T = strawberry.field(description="The record, read from the database.")


@strawberry.type(description="A page of search hits, with facet counts over all of them.")
class SearchConnection(Generic[T]):
    total_count: int = strawberry.field(
        description="How many records match the query and every filter, over all pages."
    )
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    edges: list[SearchEdge[T]] = strawberry.field(description="The hits of this page, in order.")
    facets: list[Facet] = strawberry.field(
        description="Counts per value of each faceted filter; a facet ignores its own selection, "
        "so its other values stay visible.",
        metadata=cost(list_size=6),  # the faceted filters of an index, at most 6
    )


def _result(name: str, what: str) -> strawberry.types.union.StrawberryUnion:
    return strawberry.union(name, description=f"{what}, or SearchUnavailable.")


TechnologyListingSearchResult = Annotated[
    SearchConnection[TechnologyListing] | SearchUnavailable,
    _result("TechnologyListingSearchResult", "Matching technology listings"),
]
TechnologyNeedSearchResult = Annotated[
    SearchConnection[TechnologyNeed] | SearchUnavailable,
    _result("TechnologyNeedSearchResult", "Matching technology needs"),
]
FinancialProductSearchResult = Annotated[
    SearchConnection[FinancialProduct] | SearchUnavailable,
    _result("FinancialProductSearchResult", "Matching financial products"),
]
ExpertSearchResult = Annotated[
    SearchConnection[Expert] | SearchUnavailable,
    _result("ExpertSearchResult", "Matching experts"),
]
DisclosureSearchResult = Annotated[
    SearchConnection[Disclosure] | SearchUnavailable,
    _result("DisclosureSearchResult", "Matching disclosures"),
]
EnterpriseSearchResult = Annotated[
    SearchConnection[Enterprise] | SearchUnavailable,
    _result("EnterpriseSearchResult", "Matching enterprises"),
]


@strawberry.enum(description="A searchable kind of record.")
class SearchEntity(Enum):
    TECHNOLOGY_LISTING = strawberry.enum_value("TechnologyListing", description="技术供给.")
    TECHNOLOGY_NEED = strawberry.enum_value("TechnologyNeed", description="技术需求.")
    FINANCIAL_PRODUCT = strawberry.enum_value("FinancialProduct", description="金融产品.")
    EXPERT = strawberry.enum_value("Expert", description="专家.")
    DISCLOSURE = strawberry.enum_value("Disclosure", description="环境信息披露.")
    ENTERPRISE = strawberry.enum_value("Enterprise", description="企业.")


@strawberry.type(description="A title or name that starts with the typed prefix.")
class Suggestion:
    text: str = strawberry.field(description="The full title or name.")
    id: strawberry.ID = strawberry.field(description="Global id of its record (for `node`).")


@strawberry.type(description="Autocomplete suggestions, best first.")
class Suggestions:
    items: list[Suggestion] = strawberry.field(description="The suggestions.")


SuggestResult = Annotated[
    Suggestions | SearchUnavailable,
    strawberry.union("SuggestResult", description="Suggestions, or SearchUnavailable."),
]
