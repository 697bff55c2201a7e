"""The access policy's row predicates as OpenSearch filter clauses.

The same predicate that scopes SQL lists (``domain/access/predicates.py``) scopes a search, in
the main query's ``filter``: hits, ``totalCount`` and facet counts all stay within the caller's
rows. Document fields carry the column names the predicates use (``status``, owner ids).
A ``Consented`` predicate needs the enterprises that consent now, read from the database by
the caller just before the search (``consented``); an ``InQuery`` predicate (SQL only) matches
nothing here. The resolver also drops hits whose row the caller cannot load, as a backstop.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from greenrong.domain.access.predicates import (
    AllOf,
    AnyOf,
    Consented,
    Everything,
    FieldIn,
    InQuery,
    Nothing,
    Predicate,
)

_MATCH_NONE: dict[str, Any] = {"bool": {"must_not": [{"match_all": {}}]}}


def consent_needs(predicate: Predicate) -> Iterator[Consented]:
    """The ``Consented`` parts of a predicate, whose enterprise ids the caller must look up."""
    match predicate:
        case Consented():
            yield predicate
        case AnyOf(parts) | AllOf(parts):
            for part in parts:
                yield from consent_needs(part)
        case _:
            return


def _value(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def to_filter(
    predicate: Predicate, consented: Mapping[Consented, list[uuid.UUID]]
) -> dict[str, Any] | None:
    """One filter clause (None: every document)."""
    match predicate:
        case Everything():
            return None
        case Nothing() | InQuery():
            return _MATCH_NONE
        case FieldIn(field, values):
            return {"terms": {field: [_value(v) for v in values]}}
        case Consented(field):
            ids = consented.get(predicate, [])
            return {"terms": {field: [str(i) for i in ids]}} if ids else _MATCH_NONE
        case AnyOf(parts):
            clauses = [to_filter(p, consented) for p in parts]
            if any(c is None for c in clauses):
                return None
            return {"bool": {"should": clauses, "minimum_should_match": 1}}
        case AllOf(parts):
            kept = [c for c in (to_filter(p, consented) for p in parts) if c is not None]
            return {"bool": {"filter": kept}} if kept else None
    raise TypeError(predicate)  # pragma: no cover
