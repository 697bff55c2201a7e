"""Request-level refusals: errors that stop an operation before it runs.

They carry no path and no original error, so ``ErrorPolicy`` passes them through as they are,
and the view treats them as request errors (400 for ``application/graphql-response+json``).
"""

from __future__ import annotations

from graphql import GraphQLError

from greenrong.core.errors import ErrorCode


def refusal(code: ErrorCode, message: str, **extensions: object) -> GraphQLError:
    """A GraphQL error with ``extensions: {code, **extensions}``."""
    return GraphQLError(message, extensions={"code": str(code), **extensions})
