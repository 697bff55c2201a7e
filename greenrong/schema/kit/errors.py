"""Typed errors: the expected failures of a mutation, as members of its payload union."""

from __future__ import annotations

import strawberry
from strawberry.utils.str_converters import to_camel_case

from greenrong.core import metrics
from greenrong.core.errors import (
    DomainError,
    ErrorCode,
    Forbidden,
    NotFound,
    StaleVersion,
    ValidationFailed,
)

ErrorCodeType = strawberry.enum(
    ErrorCode, name="ErrorCode", description="Why an input was refused."
)
_CODE_DESCRIPTIONS = {
    "INVALID": "The value breaks a rule; the message says which.",
    "REQUIRED": "A value is missing or empty.",
    "OUT_OF_RANGE": "The value is too small, too large or in the wrong order.",
    "INVALID_FORMAT": "The value is not in the expected format.",
    "INVALID_CHECKSUM": "The value's check character is wrong (统一社会信用代码).",
    "UNKNOWN_REFERENCE": "The value refers to something that does not exist (an id or a code).",
    "DUPLICATE": "Another record already has this value.",
    "NOT_FOUND": "The record does not exist.",
    "STALE_VERSION": "The record changed since you read it.",
    "INVALID_CURSOR": "The cursor does not belong to this list and ordering.",
    "INVALID_TRANSITION": "The record's current status cannot move to the status asked for.",
    "UNAUTHENTICATED": "The API key or token is malformed, expired or revoked.",
    "BAD_REQUEST": "The HTTP request is not a GraphQL request (e.g. its body is not JSON).",
    "PAYLOAD_TOO_LARGE": "The request body is larger than the server takes (HTTP 413).",
    "REQUEST_TIMEOUT": "The request body did not arrive in time (HTTP 408).",
    "FORBIDDEN": "Your role may not do this (docs/SECURITY.md).",
    "FORBIDDEN_NO_CONSENT": "The enterprise has not granted you valid consent for this data.",
    "QUERY_TOO_COSTLY": "The operation's cost is above the per-request maximum; it did not run.",
    "RATE_LIMITED": "Your cost budget per minute is spent; retry after `retryAfterSeconds`.",
    "PERSISTED_QUERY_NOT_FOUND": "The persisted query's hash is unknown: send the query with it.",
    "PERSISTED_QUERY_NOT_SUPPORTED": "The `persistedQuery` extension is malformed or not v1.",
    "PERSISTED_QUERY_HASH_MISMATCH": "The query's sha256 is not the `sha256Hash` sent with it.",
    "PERSISTED_QUERY_NOT_ALLOWED": "Only persisted queries of your role's allow-list run here.",
    "UNIT_MISMATCH": "A unit does not fit (t vs 10^4 Nm3 vs kWh); nothing was converted.",
    "FACTOR_NOT_FOUND": "No emission factor exists for this key in the factor set asked for.",
    "LOW_CONFIDENCE_FACTOR": "A low-confidence factor is needed: accept it or supply your own.",
    "NOT_SUPPORTED": "This industry, model or indicator is not supported yet (docs/CARBON.md).",
    "ALREADY_RETIRED": "This credit serial number has already been retired.",
    "TIMEOUT": "A database statement ran longer than the server allows; nothing was changed.",
    "GRAPHQL_PARSE_FAILED": "The GraphQL document does not parse; nothing ran.",
    "GRAPHQL_VALIDATION_FAILED": "The document or its variables do not fit the schema.",
}
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _CODE_DESCRIPTIONS[_value.name]


def api_field(domain_key: str) -> str:
    """A domain key (``credit_code``, ``where.name``) as the API names it (``creditCode``)."""
    return ".".join(to_camel_case(part) for part in domain_key.split("."))


@strawberry.type(description="One problem with one input field.")
class FieldError:
    field: str = strawberry.field(description="The input field, as named in the API (camelCase).")
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Human-readable reason.")


@strawberry.type(description="The input broke one or more rules; nothing was changed.")
class ValidationError:
    code: ErrorCode = strawberry.field(description="Reason of the first problem.")
    field: str = strawberry.field(description="Field of the first problem.")
    message: str = strawberry.field(description="Every problem, in one sentence.")
    errors: list[FieldError] = strawberry.field(description="Every problem, one per field.")


@strawberry.type(description="The record does not exist; nothing was changed.")
class NotFoundError:
    code: ErrorCode = strawberry.field(description="Always NOT_FOUND.")
    field: str = strawberry.field(description="The input field that named the record.")
    message: str = strawberry.field(description="Human-readable reason.")


@strawberry.type(
    description="The record changed since it was read (stale `version`); nothing was changed."
)
class ConflictError:
    code: ErrorCode = strawberry.field(description="Always STALE_VERSION.")
    field: str = strawberry.field(description="Always `version`.")
    message: str = strawberry.field(description="Human-readable reason.")
    current_version: int = strawberry.field(description="The record's version now.")


@strawberry.type(
    description="Your role may not make this change (docs/SECURITY.md); nothing was changed."
)
class ForbiddenError:
    code: ErrorCode = strawberry.field(description="Always FORBIDDEN.")
    field: str = strawberry.field(description="Always empty: the change as a whole is refused.")
    message: str = strawberry.field(description="Human-readable reason.")


MutationError = ValidationError | NotFoundError | ConflictError | ForbiddenError


def to_error(error: DomainError) -> MutationError:
    metrics.count_error(error.code.value, "payload")
    if isinstance(error, ValidationFailed):
        issues = [
            FieldError(field=api_field(i.field), code=i.code, message=i.message)
            for i in error.issues
        ]
        return ValidationError(
            code=issues[0].code,
            field=issues[0].field,
            message="; ".join(f"{i.field}: {i.message}" for i in issues),
            errors=issues,
        )
    if isinstance(error, StaleVersion):
        return ConflictError(
            code=ErrorCode.STALE_VERSION,
            field="version",
            message=error.message,
            current_version=error.actual,
        )
    if isinstance(error, Forbidden):
        return ForbiddenError(code=ErrorCode.FORBIDDEN, field="", message=error.message)
    if isinstance(error, NotFound):
        return NotFoundError(
            code=ErrorCode.NOT_FOUND, field=api_field(error.field), message=error.message
        )
    return ValidationError(
        code=error.code,
        field="",
        message=error.message,
        errors=[FieldError(field="", code=error.code, message=error.message)],
    )
