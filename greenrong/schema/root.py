"""The assembled schema: every context's root fields, plus `node` and the limits."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

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
from greenrong.schema.kit.cost import QueryCost
from greenrong.schema.kit.documents import DOCUMENTS, ValidatedDocuments
from greenrong.schema.kit.limits import LimitRules
from greenrong.schema.kit.persisted import PersistedQueries
from greenrong.schema.kit.policy import ErrorPolicy, public_error

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
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Apply the error policy in place. ErrorPolicy does it for every result made inside
        the operation; an error raised by an extension's own hook (the parser's token limit,
        a refusal, a failure of the budget store) leaves the operation and reaches the client
        only through here. It logs each unexpected error once, with the request id."""
        errors[:] = [public_error(error) for error in errors]


MAX_TOKENS = 5000


def build_schema() -> GreenrongSchema:
    """The schema with its limits (docs/SECURITY.md, "Query limits"). Nothing in it depends on
    the settings: each app's limits and the state they keep (budgets, the APQ store) reach the
    extensions through the request context (``schema/kit/limits.py``), so one schema, built
    at import, serves every app of the process."""
    return GreenrongSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # compilable views run as one SQL statement (docs/PERFORMANCE.md)
        execution_context_class=CompiledExecutionContext,
        extensions=[
            ErrorPolicy,
            PersistedQueries,
            # QueryDepthLimiter and MaxAliasesLimiter, with their rules built once per app
            LimitRules,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            QueryCost,
            # parse and validate each distinct document once (schema/kit/documents.py)
            lambda: ParserCache(maxsize=DOCUMENTS),
            ValidatedDocuments,
        ],
    )


#: the process's one schema
schema = build_schema()
