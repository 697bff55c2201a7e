"""One app's query limits, and the state they keep between its requests.

The strawberry schema is built once per process (``schema/root.py``): building it takes about a
quarter of a second, and nothing in it depends on the settings. What does depend on them, or
must live exactly as long as one app, is here: each caller's cost budget, the APQ store, the
allow-list, and the validation answers under the app's depth and alias limits. The app's
GraphQL view (``schema/view.py``) makes one ``QueryLimits`` from its settings and puts it in
every request's context (``Context.limits``), where the extensions read it. Two apps in one
process (tests, benches) so share the schema but never a budget or a store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from greenrong.core.config import Settings
from greenrong.schema import portal
from greenrong.schema.kit.cost import CostPolicy
from greenrong.schema.kit.documents import ValidationResults, limit_rules
from greenrong.schema.kit.persisted import (
    PersistedQueryPolicy,
    QueryStore,
    RedisQueries,
    load_allowlist,
)
from greenrong.schema.kit.ratelimit import Budgets, LocalBudgets, RedisBudgets, TokenBuckets


@dataclass(frozen=True)
class QueryLimits:
    """What the limit extensions enforce for one app (docs/SECURITY.md, "Query limits")."""

    persisted: PersistedQueryPolicy
    costs: CostPolicy
    validated: ValidationResults
    #: the depth and alias rules, built once (``documents.limit_rules``)
    rules: tuple[type[ASTValidationRule], ...]
    #: the Redis client of the budgets and the APQ store, when a broker is configured
    redis: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        allowlist = settings.persisted_query_allowlist
        client: Any = None
        shared = None
        budgets: Budgets = LocalBudgets(TokenBuckets(capacity=settings.query_budget_per_minute))
        if settings.broker_url:
            # several API processes: one budget per caller and one APQ store for all of them
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(
                settings.broker_url,
                socket_connect_timeout=settings.broker_timeout_seconds,
                socket_timeout=settings.broker_timeout_seconds,
            )
            budgets = RedisBudgets(client, capacity=settings.query_budget_per_minute)
            shared = RedisQueries(client)
        return cls(
            persisted=PersistedQueryPolicy(
                store=QueryStore(settings.persisted_query_cache_size),
                allowlist=load_allowlist(Path(allowlist)) if allowlist else None,
                shared=shared,
                pinned=portal.by_hash(),
            ),
            costs=CostPolicy(
                max_cost=settings.max_query_cost,
                default_page_size=settings.default_page_size,
                buckets=budgets,
            ),
            validated=ValidationResults(),
            rules=tuple(
                limit_rules(
                    max_depth=settings.max_query_depth, max_alias_count=settings.max_aliases
                )
            ),
            redis=client,
        )

    async def close(self) -> None:
        """Close the Redis connections (the app's lifespan ends)."""
        if self.redis is not None:
            await self.redis.aclose()


class LimitRules(SchemaExtension):
    """Adds the app's depth and alias rules to each operation's validation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        limits: QueryLimits = context.context.limits
        context.validation_rules = context.validation_rules + limits.rules
        yield
