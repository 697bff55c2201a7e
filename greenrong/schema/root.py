"""The assembled schema: every context's root fields, plus `node` and the limits."""

from __future__ import annotations

from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from greenrong.core.config import Settings, get_settings
from greenrong.resolvers.access import AccessMutation, AccessQuery
from greenrong.resolvers.carbon import CarbonMutation, CarbonQuery
from greenrong.resolvers.certification import CertificationMutation, CertificationQuery
from greenrong.resolvers.compiled.execution import CompiledExecutionContext
from greenrong.resolvers.deals import DealMutation
from greenrong.resolvers.disclosure import DisclosureMutation, DisclosureQuery
from greenrong.resolvers.enterprises import EnterpriseMutation, EnterpriseQuery
from greenrong.resolvers.experts import ExpertMutation, ExpertQuery
from greenrong.resolvers.finance import FinanceMutation, FinanceQuery
from greenrong.resolvers.identification import IdentificationMutation, IdentificationQuery
from greenrong.resolvers.libraries import LibraryMutation, LibraryQuery
from greenrong.resolvers.node import NodeQuery
from greenrong.resolvers.partners import (
    PartnersQuery,
    PartnersSubscription,
    WebhookMutation,
    WebhookQuery,
)
from greenrong.resolvers.projects import ProjectMutation, ProjectQuery
from greenrong.resolvers.saved_searches import (
    SavedSearchMutation,
    SavedSearchQuery,
    SavedSearchSubscription,
)
from greenrong.resolvers.search import SearchQuery
from greenrong.resolvers.statistics import StatisticsQuery
from greenrong.resolvers.technology import TechnologyMutation, TechnologyQuery
from greenrong.schema.kit.cost import CostPolicy, QueryCost
from greenrong.schema.kit.documents import (
    DOCUMENTS,
    ValidatedDocuments,
    ValidationResults,
    limit_rules,
)
from greenrong.schema.kit.persisted import (
    PersistedQueries,
    PersistedQueryPolicy,
    QueryStore,
    load_allowlist,
)
from greenrong.schema.kit.policy import ErrorPolicy
from greenrong.schema.kit.ratelimit import TokenBuckets

Query = merge_types(
    "Query",
    (
        NodeQuery,
        EnterpriseQuery,
        ProjectQuery,
        FinanceQuery,
        ExpertQuery,
        TechnologyQuery,
        DisclosureQuery,
        StatisticsQuery,
        SearchQuery,
        PartnersQuery,
        WebhookQuery,
        AccessQuery,
        CarbonQuery,
        CertificationQuery,
        LibraryQuery,
        IdentificationQuery,
        SavedSearchQuery,
    ),
)
Query.__strawberry_definition__.description = "Read the greenrong graph."  # type: ignore[attr-defined]
Mutation = merge_types(
    "Mutation",
    (
        EnterpriseMutation,
        ProjectMutation,
        FinanceMutation,
        ExpertMutation,
        TechnologyMutation,
        DisclosureMutation,
        DealMutation,
        WebhookMutation,
        AccessMutation,
        CarbonMutation,
        CertificationMutation,
        LibraryMutation,
        IdentificationMutation,
        SavedSearchMutation,
    ),
)
Subscription = merge_types("Subscription", (PartnersSubscription, SavedSearchSubscription))
Subscription.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Live streams over the graphql-transport-ws WebSocket protocol on /graphql."
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Change the greenrong graph. "
    "Each field is one transaction: it commits wholly or changes nothing."
)


class GreenrongSchema(strawberry.Schema):
    #: the cost rules and budgets (``build_schema``), shared with prepared operations
    costs: CostPolicy

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: ErrorPolicy logs each unexpected error once, with the request id;
        domain, syntax and validation errors are the client's."""


MAX_TOKENS = 5000


def build_schema(settings: Settings) -> GreenrongSchema:
    """The schema with its limits (docs/SECURITY.md, "Query limits"). The persisted-query store
    and the cost budgets belong to the schema, so each app has its own."""
    persisted = PersistedQueryPolicy(
        store=QueryStore(settings.persisted_query_cache_size),
        allowlist=(
            load_allowlist(Path(settings.persisted_query_allowlist))
            if settings.persisted_query_allowlist
            else None
        ),
    )
    costs = CostPolicy(
        max_cost=settings.max_query_cost,
        default_page_size=settings.default_page_size,
        buckets=TokenBuckets(capacity=settings.query_budget_per_minute),
    )
    validated = ValidationResults()
    limits = limit_rules(max_depth=settings.max_query_depth, max_alias_count=settings.max_aliases)
    built = GreenrongSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # compilable views run as one SQL statement (docs/PERFORMANCE.md)
        execution_context_class=CompiledExecutionContext,
        extensions=[
            ErrorPolicy,
            lambda: PersistedQueries(persisted),
            # QueryDepthLimiter and MaxAliasesLimiter, with their rules built once
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: QueryCost(costs),
            # parse and validate each distinct document once (schema/kit/documents.py)
            lambda: ParserCache(maxsize=DOCUMENTS),
            lambda: ValidatedDocuments(validated),
        ],
    )
    built.costs = costs
    return built


schema = build_schema(get_settings())
