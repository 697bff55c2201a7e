"""The assembled schema: every context's root fields, plus `node` and the limits."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from greenrong.core.config import get_settings
from greenrong.resolvers.disclosure import DisclosureMutation, DisclosureQuery
from greenrong.resolvers.enterprises import EnterpriseMutation, EnterpriseQuery
from greenrong.resolvers.experts import ExpertMutation, ExpertQuery
from greenrong.resolvers.finance import FinanceMutation, FinanceQuery
from greenrong.resolvers.node import NodeQuery
from greenrong.resolvers.projects import ProjectMutation, ProjectQuery
from greenrong.resolvers.search import SearchQuery
from greenrong.resolvers.statistics import StatisticsQuery
from greenrong.resolvers.technology import TechnologyMutation, TechnologyQuery
from greenrong.schema.kit.policy import ErrorPolicy

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
    ),
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Change the greenrong graph. "
    "Each field is one transaction: it commits wholly or changes nothing."
)


class GreenrongSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here: ErrorPolicy logs each unexpected error once, with the request id;
        domain, syntax and validation errors are the client's."""


def build_schema(*, max_depth: int, max_aliases: int) -> strawberry.Schema:
    return GreenrongSchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            ErrorPolicy,
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            lambda: MaxTokensLimiter(max_token_count=5000),
        ],
    )


_settings = get_settings()
schema = build_schema(max_depth=_settings.max_query_depth, max_aliases=_settings.max_aliases)
