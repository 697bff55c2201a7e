"""One error hierarchy for expected failures, each with a stable code.

The domain raises these; the GraphQL layer maps them to typed payload members.
Anything that is not a ``DomainError`` is unexpected and masked from clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable, machine-readable error codes shared by every context."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_FORMAT = "INVALID_FORMAT"
    INVALID_CHECKSUM = "INVALID_CHECKSUM"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    STALE_VERSION = "STALE_VERSION"
    INVALID_CURSOR = "INVALID_CURSOR"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    BAD_REQUEST = "BAD_REQUEST"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    FORBIDDEN = "FORBIDDEN"
    FORBIDDEN_NO_CONSENT = "FORBIDDEN_NO_CONSENT"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    RATE_LIMITED = "RATE_LIMITED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    UNIT_MISMATCH = "UNIT_MISMATCH"
    FACTOR_NOT_FOUND = "FACTOR_NOT_FOUND"
    LOW_CONFIDENCE_FACTOR = "LOW_CONFIDENCE_FACTOR"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    ALREADY_RETIRED = "ALREADY_RETIRED"
    TIMEOUT = "TIMEOUT"
    #: the document does not parse (graphql-core's syntax errors, the token limit)
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    #: the document or its variables do not validate against the schema (graphql-core's rules,
    #: the depth and alias limits, variable coercion)
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


class DomainError(Exception):
    """Base of every expected failure."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one input field."""

    field: str
    code: ErrorCode
    message: str


class ValidationFailed(DomainError):
    """Input broke one or more rules; ``issues`` names each field."""

    def __init__(self, issues: list[FieldIssue]) -> None:
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))
        self.issues = issues

    @classmethod
    def one(cls, field: str, code: ErrorCode, message: str) -> ValidationFailed:
        return cls([FieldIssue(field, code, message)])


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND

    def __init__(self, entity: str, id: object, *, field: str = "id") -> None:
        super().__init__(f"{entity} {id} does not exist")
        self.entity = entity
        self.id = str(id)
        #: the input field that named the record (snake_case, like ``Issue.field``)
        self.field = field


class StaleVersion(DomainError):
    """Optimistic locking: the caller edited an old version."""

    code = ErrorCode.STALE_VERSION

    def __init__(self, entity: str, id: object, expected: int, actual: int) -> None:
        super().__init__(
            f"{entity} {id} is at version {actual}, not {expected}: "
            "reload it and apply your change again"
        )
        self.entity = entity
        self.id = str(id)
        self.expected = expected
        self.actual = actual


class Unauthenticated(DomainError):
    """The credentials (API key or token) are missing where required, malformed, expired or
    revoked. Never downgraded to anonymous access."""

    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    """The caller's role may not do this (the access policy); nothing was changed."""

    code = ErrorCode.FORBIDDEN


class ConsentRequired(Forbidden):
    """The data belongs to an enterprise that has not granted the caller valid consent."""

    code = ErrorCode.FORBIDDEN_NO_CONSENT


@dataclass
class IssueCollector:
    """Gathers every field problem before raising, so a user sees them all at once."""

    issues: list[FieldIssue] = field(default_factory=list)

    def add(self, field: str, code: ErrorCode, message: str) -> None:
        self.issues.append(FieldIssue(field, code, message))

    def raise_if_any(self) -> None:
        if self.issues:
            raise ValidationFailed(self.issues)
