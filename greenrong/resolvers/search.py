"""Root search fields: parse the arguments, run one search, load the hits from the database."""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.access import policy
from greenrong.domain.access.predicates import Consented, consenting_enterprises
from greenrong.domain.disclosure.models import Disclosure as DisclosureRow
from greenrong.domain.enterprises.models import Enterprise as EnterpriseRow
from greenrong.domain.experts.models import Expert as ExpertRow
from greenrong.domain.finance.models import FinancialProduct as ProductRow
from greenrong.domain.kit.models import Entity
from greenrong.domain.reference.catalog import regions
from greenrong.domain.reference.vocab import GreenLevel
from greenrong.domain.technology.models import TechnologyListing as ListingRow
from greenrong.domain.technology.models import TechnologyNeed as NeedRow
from greenrong.indexers.disclosures.queries import DISCLOSURE_QUERIES
from greenrong.indexers.enterprises.queries import ENTERPRISE_QUERIES
from greenrong.indexers.experts.queries import EXPERT_QUERIES
from greenrong.indexers.kit import access as search_access
from greenrong.indexers.kit import query as search_query
from greenrong.indexers.kit.query import Bounds, QuerySpec, SearchRequest, SearchUnavailableError
from greenrong.indexers.listings.queries import LISTING_QUERIES
from greenrong.indexers.needs.queries import NEED_QUERIES
from greenrong.indexers.products.queries import PRODUCT_QUERIES
from greenrong.schema.disclosure.types import Disclosure
from greenrong.schema.enterprises.types import Enterprise
from greenrong.schema.experts.types import Expert
from greenrong.schema.finance.types import FinancialProduct
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.cost import cost
from greenrong.schema.kit.errors import api_field
from greenrong.schema.kit.ids import from_global_id, to_global_id
from greenrong.schema.kit.relay import After, First, PageInfo
from greenrong.schema.search.inputs import (
    DateRange,
    DisclosureSearchFilter,
    DisclosureSearchSort,
    EnterpriseSearchFilter,
    EnterpriseSearchSort,
    ExpertSearchFilter,
    ExpertSearchSort,
    FinancialProductSearchFilter,
    FinancialProductSearchSort,
    IntRange,
    MoneyRange,
    QueryArg,
    TechnologyListingSearchFilter,
    TechnologyListingSearchSort,
    TechnologyNeedSearchFilter,
    TechnologyNeedSearchSort,
)
from greenrong.schema.search.types import (
    DisclosureSearchResult,
    EnterpriseSearchResult,
    ExpertSearchResult,
    Facet,
    FacetBucket,
    FinancialProductSearchResult,
    Highlight,
    SearchConnection,
    SearchEdge,
    SearchEntity,
    SearchUnavailable,
    Suggestion,
    Suggestions,
    SuggestResult,
    TechnologyListingSearchResult,
    TechnologyNeedSearchResult,
)
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

T = TypeVar("T")

#: filter fields whose meaning is not "any of these values": {field: value -> filter value}
Conversions = Mapping[str, Callable[[Any], Any]]


@dataclass(frozen=True)
class Searchable(Generic[T]):
    """One searchable entity: its query declarations, its rows and its GraphQL type."""

    spec: QuerySpec
    model: type[Entity]
    to_node: Callable[[Any], T]
    filter_type: type
    sort_type: type[Enum]
    conversions: Conversions = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        """The filter input and sort enum must match the index's declarations exactly."""
        fields = {f.name for f in dataclasses.fields(self.filter_type)}
        sorts = {member.value for member in self.sort_type}
        if fields != set(self.spec.filters) or sorts != set(self.spec.sorts):
            raise RuntimeError(
                f"{self.filter_type.__name__}/{self.sort_type.__name__} do not match the "
                f"{self.spec.index} index: filters {sorted(fields ^ set(self.spec.filters))}, "
                f"sorts {sorted(sorts ^ set(self.spec.sorts))}"
            )


LISTINGS = Searchable(
    LISTING_QUERIES,
    ListingRow,
    TechnologyListing.from_row,
    TechnologyListingSearchFilter,
    TechnologyListingSearchSort,
)


def _readiness_level(level: int) -> int:
    if not 1 <= level <= 9:
        raise ValidationFailed.one(
            "filter.accepts_maturity", ErrorCode.OUT_OF_RANGE, "a readiness level is 1 to 9"
        )
    return level


NEEDS = Searchable(
    NEED_QUERIES,
    NeedRow,
    TechnologyNeed.from_row,
    TechnologyNeedSearchFilter,
    TechnologyNeedSearchSort,
    conversions={"accepts_maturity": _readiness_level},
)
PRODUCTS = Searchable(
    PRODUCT_QUERIES,
    ProductRow,
    FinancialProduct.from_row,
    FinancialProductSearchFilter,
    FinancialProductSearchSort,
    conversions={"green_level": lambda level: Bounds(lte=GreenLevel(level.value).rank)},
)
EXPERTS = Searchable(
    EXPERT_QUERIES, ExpertRow, Expert.from_row, ExpertSearchFilter, ExpertSearchSort
)
DISCLOSURES = Searchable(
    DISCLOSURE_QUERIES,
    DisclosureRow,
    Disclosure.from_row,
    DisclosureSearchFilter,
    DisclosureSearchSort,
)
ENTERPRISES = Searchable(
    ENTERPRISE_QUERIES,
    EnterpriseRow,
    Enterprise.from_row,
    EnterpriseSearchFilter,
    EnterpriseSearchSort,
    conversions={"min_green_level": lambda level: Bounds(gte=GreenLevel(level.value).rank)},
)
BY_ENTITY: dict[SearchEntity, Searchable[Any]] = {
    SearchEntity.TECHNOLOGY_LISTING: LISTINGS,
    SearchEntity.TECHNOLOGY_NEED: NEEDS,
    SearchEntity.FINANCIAL_PRODUCT: PRODUCTS,
    SearchEntity.EXPERT: EXPERTS,
    SearchEntity.DISCLOSURE: DISCLOSURES,
    SearchEntity.ENTERPRISE: ENTERPRISES,
}


# --- arguments --------------------------------------------------------------------------------


def filter_values(of: Searchable[Any], given: Any) -> dict[str, Any]:
    """A filter input as the index's filter values (absent fields left out)."""
    if given is None or given is strawberry.UNSET:
        return {}
    values: dict[str, Any] = {}
    for f in dataclasses.fields(given):
        value = getattr(given, f.name)
        if value is None or value is strawberry.UNSET:
            continue
        path = f"filter.{f.name}"
        if f.name in of.conversions:
            values[f.name] = of.conversions[f.name](value)
        else:
            values[f.name] = _value(f.name, value, path)
    return values


def _value(name: str, value: Any, path: str) -> Any:
    if isinstance(value, list):
        if name == "region":
            _known_regions(value, path)
        return [v.value if isinstance(v, Enum) else v for v in value]
    if isinstance(value, IntRange | DateRange | MoneyRange):
        return _bounds(value, path)
    if isinstance(value, Decimal):
        return _fen(value, math.floor)
    if name.endswith("_id"):
        return [str(from_global_id(value, field=path)[1])]
    return value


def _known_regions(codes: list[str], path: str) -> None:
    unknown = [c for c in codes if c not in regions()]
    if unknown:
        raise ValidationFailed.one(
            path, ErrorCode.UNKNOWN_REFERENCE, f"unknown GB/T 2260 codes: {', '.join(unknown)}"
        )


def _bounds(given: IntRange | DateRange | MoneyRange, path: str) -> Bounds:
    low: Any = None if given.min is strawberry.UNSET else given.min
    high: Any = None if given.max is strawberry.UNSET else given.max
    if low is not None and high is not None and low > high:
        raise ValidationFailed.one(path, ErrorCode.OUT_OF_RANGE, "min must not exceed max")
    if isinstance(given, MoneyRange):  # the whole fen inside the range
        return Bounds(
            gte=None if low is None else _fen(low, math.ceil),
            lte=None if high is None else _fen(high, math.floor),
        )
    if isinstance(given, DateRange):
        return Bounds(
            gte=None if low is None else date.isoformat(low),
            lte=None if high is None else date.isoformat(high),
        )
    return Bounds(gte=low, lte=high)


def _fen(amount: Decimal, rounding: Callable[[Decimal], int]) -> int:
    return rounding(amount * 100)


def _page_size(info: Info, first: int | None) -> int:
    settings = info.context.settings
    size = settings.default_page_size if first is None else first
    if not 0 <= size <= settings.max_page_size:
        raise ValidationFailed.one(
            "first", ErrorCode.OUT_OF_RANGE, f"first must be between 0 and {settings.max_page_size}"
        )
    return size


# --- running ----------------------------------------------------------------------------------


async def _access_scope(info: Info, model: type[Entity]) -> tuple[dict[str, Any], ...]:
    """The caller's rows (the access policy) as filter clauses of the search."""
    visible = policy.visible_rows(info.context.principal, model.entity_type)
    needs = list(search_access.consent_needs(visible))
    consented: dict[Consented, list[uuid.UUID]] = {}
    if needs:
        async with info.context.sessionmaker() as session:
            for need in needs:
                query = consenting_enterprises(
                    need.institution_id, need.scope, info.context.clock.now()
                )
                consented[need] = list((await session.scalars(query)).all())
    clause = search_access.to_filter(visible, consented)
    return () if clause is None else (clause,)


async def run_search(
    info: Info,
    of: Searchable[T],
    *,
    query: str | None,
    filter: Any,
    sort: Enum | None,
    first: int | None,
    after: str | None,
) -> SearchConnection[T] | SearchUnavailable:
    request = SearchRequest(
        text=query,
        filters=filter_values(of, filter),
        sort=None if sort is None else str(sort.value),
        size=_page_size(info, first),
    )
    if after is not None:
        values = search_query.decode_cursor(
            after, index=of.spec.index, sort=request.sort_name(), spec=of.spec
        )
        request = dataclasses.replace(request, after=values)
    request = dataclasses.replace(request, scope=await _access_scope(info, of.model))
    try:
        page = await search_query.search(info.context.search, of.spec, request)
    except SearchUnavailableError as error:
        return SearchUnavailable(code=error.reason, message=error.message)

    ids = [uuid.UUID(hit.id) for hit in page.hits]
    rows = await info.context.loaders.entity(of.model).load_many(ids)
    edges = [
        SearchEdge(
            cursor=hit.cursor,
            score=hit.score,
            highlights=[
                Highlight(field=api_field(f), snippets=s) for f, s in hit.highlights.items()
            ],
            node=of.to_node(row),
        )
        for hit, row in zip(page.hits, rows, strict=True)
        if row is not None  # deleted since it was indexed, or not the caller's to see
    ]
    return SearchConnection(
        total_count=page.total,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=page.hits[0].cursor if page.hits else None,
            end_cursor=page.hits[-1].cursor if page.hits else None,
        ),
        edges=edges,
        facets=[
            Facet(
                field=api_field(counts.name),
                label=counts.label,
                buckets=[
                    FacetBucket(value=b.value, label=b.label, count=b.count) for b in counts.buckets
                ],
            )
            for counts in page.facets
        ],
    )


# --- fields -----------------------------------------------------------------------------------

_SEARCH = "Search {what}: full text with synonyms, typed filters, facet counts and highlights."
#: one request to the search engine, plus the page's rows through the loaders
SEARCH_COST = cost(5)


def _filter(what: str) -> Any:
    return strawberry.argument(description=f"Only {what} that meet every given condition.")


_SORT = strawberry.argument(description="Order (default: relevance with a query, else newest).")


@strawberry.type(description="Full-text search.")
class SearchQuery:
    @strawberry.field(
        description=_SEARCH.format(what="technology listings (技术供给)"), metadata=SEARCH_COST
    )
    async def search_technology_listings(
        self,
        info: Info,
        query: QueryArg = None,
        filter: Annotated[TechnologyListingSearchFilter | None, _filter("listings")] = None,
        sort: Annotated[TechnologyListingSearchSort | None, _SORT] = None,
        first: First = None,
        after: After = None,
    ) -> TechnologyListingSearchResult:
        return await run_search(
            info, LISTINGS, query=query, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(
        description=_SEARCH.format(what="technology needs (技术需求)"), metadata=SEARCH_COST
    )
    async def search_technology_needs(
        self,
        info: Info,
        query: QueryArg = None,
        filter: Annotated[TechnologyNeedSearchFilter | None, _filter("needs")] = None,
        sort: Annotated[TechnologyNeedSearchSort | None, _SORT] = None,
        first: First = None,
        after: After = None,
    ) -> TechnologyNeedSearchResult:
        return await run_search(
            info, NEEDS, query=query, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(
        description=_SEARCH.format(what="financial products (金融产品)"), metadata=SEARCH_COST
    )
    async def search_financial_products(
        self,
        info: Info,
        query: QueryArg = None,
        filter: Annotated[FinancialProductSearchFilter | None, _filter("products")] = None,
        sort: Annotated[FinancialProductSearchSort | None, _SORT] = None,
        first: First = None,
        after: After = None,
    ) -> FinancialProductSearchResult:
        return await run_search(
            info, PRODUCTS, query=query, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(description=_SEARCH.format(what="experts (专家)"), metadata=SEARCH_COST)
    async def search_experts(
        self,
        info: Info,
        query: QueryArg = None,
        filter: Annotated[ExpertSearchFilter | None, _filter("experts")] = None,
        sort: Annotated[ExpertSearchSort | None, _SORT] = None,
        first: First = None,
        after: After = None,
    ) -> ExpertSearchResult:
        return await run_search(
            info, EXPERTS, query=query, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(
        description=_SEARCH.format(what="disclosures (环境信息披露)"), metadata=SEARCH_COST
    )
    async def search_disclosures(
        self,
        info: Info,
        query: QueryArg = None,
        filter: Annotated[DisclosureSearchFilter | None, _filter("disclosures")] = None,
        sort: Annotated[DisclosureSearchSort | None, _SORT] = None,
        first: First = None,
        after: After = None,
    ) -> DisclosureSearchResult:
        return await run_search(
            info, DISCLOSURES, query=query, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(description=_SEARCH.format(what="enterprises (企业)"), metadata=SEARCH_COST)
    async def search_enterprises(
        self,
        info: Info,
        query: QueryArg = None,
        filter: Annotated[EnterpriseSearchFilter | None, _filter("enterprises")] = None,
        sort: Annotated[EnterpriseSearchSort | None, _SORT] = None,
        first: First = None,
        after: After = None,
    ) -> EnterpriseSearchResult:
        return await run_search(
            info, ENTERPRISES, query=query, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(
        description="Autocomplete: titles or names that start with `prefix`.", metadata=cost(2)
    )
    async def suggest(
        self,
        info: Info,
        prefix: Annotated[str, strawberry.argument(description="What the user typed so far.")],
        entity: Annotated[SearchEntity, strawberry.argument(description="What to suggest.")],
        first: Annotated[
            int, strawberry.argument(description="How many suggestions, at most (1–50).")
        ] = 8,
    ) -> SuggestResult:
        if not 1 <= first <= 50:
            raise ValidationFailed.one("first", ErrorCode.OUT_OF_RANGE, "first must be 1–50")
        of = BY_ENTITY[entity]
        if not prefix.strip():
            return Suggestions(items=[])
        try:
            found = await search_query.suggest(info.context.search, of.spec, prefix, size=first)
        except SearchUnavailableError as error:
            return SearchUnavailable(code=error.reason, message=error.message)
        # the completion suggester cannot filter by role: keep what the caller may load
        rows = await info.context.loaders.entity(of.model).load_many(
            [uuid.UUID(s.id) for s in found]
        )
        return Suggestions(
            items=[
                Suggestion(
                    text=s.text,
                    id=strawberry.ID(to_global_id(of.model.entity_type, uuid.UUID(s.id))),
                )
                for s, row in zip(found, rows, strict=True)
                if row is not None
            ]
        )
