"""Error policy: expected domain errors reach clients with a code; everything else is masked.

A masked error is logged with its traceback and the request id, and the client gets
"Unexpected error" with that request id, so a report can be matched to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from greenrong.core.db import is_statement_timeout
from greenrong.core.errors import DomainError, ErrorCode, ValidationFailed
from greenrong.core.logging import request_id_var
from greenrong.schema.kit.errors import api_field

log = logging.getLogger("greenrong.graphql")


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [public_error(error) for error in result.errors]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """The same for each result a WebSocket sends (a query's, each subscription event's):
        streamed results leave before ``on_operation`` ends, and would carry domain errors
        without their code and unexpected ones unmasked."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [public_error(error) for error in errors]
        yield


def public_error(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it (idempotent: a public error stays as it is)."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return _coded(error)  # syntax, validation and limit errors are the client's own
    if isinstance(original, DomainError):
        extensions: dict[str, str] = {"code": str(original.code)}
        if isinstance(original, ValidationFailed):
            issue = original.issues[0]
            extensions = {"code": str(issue.code), "field": api_field(issue.field)}
        return GraphQLError(
            original.message, nodes=error.nodes, path=error.path, extensions=extensions
        )
    request_id = request_id_var.get()
    if is_statement_timeout(original):
        log.warning("statement timeout at %s (request id %s)", error.path, request_id)
        return GraphQLError(
            "The database statement took longer than the server allows and was cancelled; "
            f"nothing was changed (request id {request_id}). Narrow the filter and retry.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": str(ErrorCode.TIMEOUT), "requestId": request_id},
        )
    log.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        f"Unexpected error (request id {request_id}).",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


def _coded(error: GraphQLError) -> GraphQLError:
    """The client's own error, with a code when graphql-core gave it none: every error a
    client gets carries ``extensions.code``."""
    if error.extensions and "code" in error.extensions:
        return error
    code = (
        ErrorCode.GRAPHQL_PARSE_FAILED
        if isinstance(error, GraphQLSyntaxError)
        else ErrorCode.GRAPHQL_VALIDATION_FAILED
    )
    error.extensions = {**(error.extensions or {}), "code": str(code)}
    return error
