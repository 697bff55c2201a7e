"""Strawberry's own definition behind a graphql-core field or type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: where strawberry keeps its definition in a graphql-core field's or type's ``extensions``
STRAWBERRY_DEFINITION = "strawberry-definition"


def strawberry_definition(node: Any) -> Any:
    """The ``StrawberryField`` behind a ``GraphQLField``, or the strawberry type definition
    behind a ``GraphQLObjectType`` (None for what strawberry did not build)."""
    return (node.extensions or {}).get(STRAWBERRY_DEFINITION)


def field_metadata(field: Any) -> Mapping[str, Any]:
    """What a ``strawberry.field(metadata=…)`` declared on ``field`` (empty when nothing)."""
    return getattr(strawberry_definition(field), "metadata", None) or {}
