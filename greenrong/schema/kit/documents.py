"""Parse and validate each distinct document once (docs/PERFORMANCE.md, "Documents").

Parsing and validating a view's document costs about as much as executing a small one, and
clients send the same few documents over and over. Two caches, both bounded LRUs:

- parsing: strawberry's ``ParserCache``, keyed by the query text and the parse options (the
  token limit), shared by every request of the process's one schema. A parsed document is
  never changed after parsing, so sharing it is safe.
- validation: ``ValidatedDocuments`` below, keyed by the query text, one per app
  (``QueryLimits.validated``, ``limits.py``). The rules of one app are the same for every
  request (they come from its settings), so the query text alone decides the result.

The depth and alias limits are validation rules. strawberry's ``QueryDepthLimiter`` and
``MaxAliasesLimiter`` build a new rule class in every request's extension (a class
definition: about a tenth of a small cached view's time in strawberry); ``limit_rules``
builds the same classes once per app, and ``LimitRules`` (``limits.py``) adds them per request.

Extensions are still constructed per request: the caches are held by the schema or the app,
never by an extension instance.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension, max_aliases, query_depth_limiter

from greenrong.core.lru import LRU

#: distinct documents kept; a public endpoint can send any text, so the caches are bounded
DOCUMENTS = 512


def limit_rules(*, max_depth: int, max_alias_count: int) -> list[type[ASTValidationRule]]:
    """The rules of ``QueryDepthLimiter(max_depth=…)`` and ``MaxAliasesLimiter(…)``, built once
    (the same functions those extensions call; same checks, same messages)."""
    return [
        query_depth_limiter.create_validator(max_depth, None, None),
        max_aliases.create_validator(max_alias_count),
    ]


class ValidationResults:
    """Validation errors by query text (an empty list: valid), least recently used evicted."""

    def __init__(self, maxsize: int = DOCUMENTS) -> None:
        self._results: LRU[str, list[GraphQLError]] = LRU(maxsize)

    def get(self, query: str) -> list[GraphQLError] | None:
        return self._results.get(query)

    def put(self, query: str, errors: list[GraphQLError]) -> None:
        self._results.put(query, errors)


class ValidatedDocuments(SchemaExtension):
    """Skip validation for a query text this app validated before, with the same answer."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        results: ValidationResults = context.context.limits.validated
        query = context.query
        known = None if query is None else results.get(query)
        if known is not None:
            context.pre_execution_errors = list(known)  # strawberry then skips validation
        yield
        if known is None and query is not None and context.pre_execution_errors is not None:
            results.put(query, list(context.pre_execution_errors))
