"""The one table of text lengths (``schema/kit/edge.TEXT_LIMITS``) fits the database: every
String input whose name is also a ``VARCHAR(n)`` column's is held to at most ``n`` at the edge,
unless the domain checks that field's length for each entity before storing it."""

from __future__ import annotations

from graphql import GraphQLInputObjectType, GraphQLScalarType, get_named_type
from sqlalchemy import String
from strawberry.utils.str_converters import to_camel_case

import greenrong.domain.seed  # noqa: F401 - every model registered on the metadata
from greenrong.domain.kit.models import Base
from greenrong.schema.kit.edge import DOMAIN_CHECKED, text_limit
from greenrong.schema.root import schema

#: input names that are also a column's name, but are never stored in that column
NOT_THAT_COLUMN = {
    "api_key.prefix": "the server makes a key's prefix; `prefix` is suggest's argument",
    "library_membership.source": "the server sets it; `source` is a carbon activity's",
    "platform_figure.key": "the server keeps the figures; `key` is an emission factor's key",
}


def _string_inputs() -> set[str]:
    names: set[str] = set()
    for named in schema._schema.type_map.values():
        if isinstance(named, GraphQLInputObjectType):
            for name, field in named.fields.items():
                if _is_text(field.type):
                    names.add(name)
        for field in getattr(named, "fields", {}).values():
            for name, argument in getattr(field, "args", {}).items():
                if _is_text(argument.type):
                    names.add(name)
    return names


def _is_text(type_: object) -> bool:
    named = get_named_type(type_)  # type: ignore[arg-type]
    return isinstance(named, GraphQLScalarType) and named.name == "String"


def test_every_text_input_fits_its_columns() -> None:
    inputs = _string_inputs()
    too_long: list[str] = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            length = getattr(column.type, "length", None)
            name = to_camel_case(column.key)
            if not isinstance(column.type, String) or length is None or name not in inputs:
                continue
            if f"{table.name}.{column.key}" in NOT_THAT_COLUMN:
                continue
            if name not in DOMAIN_CHECKED and text_limit(name) > length:
                too_long.append(f"{table.name}.{column.key}: {text_limit(name)} > {length}")

    assert "\n".join(too_long) == ""
