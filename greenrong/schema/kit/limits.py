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

from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from greenrong.core.config import Settings
from greenrong.schema.kit.cost import CostPolicy
from greenrong.schema.kit.documents import ValidationResults, limit_rules
from greenrong.schema.kit.persisted import PersistedQueryPolicy, QueryStore, load_allowlist
from greenrong.schema.kit.ratelimit import TokenBuckets


@dataclass(frozen=True)
class QueryLimits:
    """What the limit extensions enforce for one app (docs/SECURITY.md, "Query limits")."""

    persisted: PersistedQueryPolicy
    costs: CostPolicy
    validated: ValidationResults
    #: the depth and alias rules, built once (``documents.limit_rules``)
    rules: tuple[type[ASTValidationRule], ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        allowlist = settings.persisted_query_allowlist
        return cls(
            persisted=PersistedQueryPolicy(
                store=QueryStore(settings.persisted_query_cache_size),
                allowlist=load_allowlist(Path(allowlist)) if allowlist else None,
            ),
            costs=CostPolicy(
                max_cost=settings.max_query_cost,
                default_page_size=settings.default_page_size,
                buckets=TokenBuckets(capacity=settings.query_budget_per_minute),
            ),
            validated=ValidationResults(),
            rules=tuple(
                limit_rules(
                    max_depth=settings.max_query_depth, max_alias_count=settings.max_aliases
                )
            ),
        )


class LimitRules(SchemaExtension):
    """Adds the app's depth and alias rules to each operation's validation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        limits: QueryLimits = context.context.limits
        context.validation_rules = context.validation_rules + limits.rules
        yield
