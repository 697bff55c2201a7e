"""The SDL is a contract, and GraphiQL's documentation explorer is the API reference."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from greenrong.cli import main
from greenrong.schema.root import schema

ROOT = Path(__file__).parent.parent


def test_export_schema_matches_the_committed_schema_graphql() -> None:
    result = CliRunner().invoke(main, ["export-schema"])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert result.output == committed, "schema changed: review it, then run `make schema`"


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    undocumented: list[str] = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            undocumented.append(name)
        if isinstance(
            graphql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
        ):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    undocumented.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        undocumented.append(f"{name}.{field_name}({arg_name})")
        if isinstance(graphql_type, GraphQLEnumType):
            undocumented += [
                f"{name}.{v}" for v, d in graphql_type.values.items() if not d.description
            ]
    assert undocumented == []


def test_every_mutation_returns_a_payload_union_with_the_typed_errors() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    assert len(mutation.fields) >= 18  # create and update for each of the 9 entities, and more
    for name, field in mutation.fields.items():
        payload = field.type.of_type  # non-null
        assert isinstance(payload, GraphQLUnionType), name
        members = {t.name for t in payload.types}
        # ForbiddenError: the access policy refused the write (docs/SECURITY.md)
        typed_errors = {"ValidationError", "NotFoundError", "ConflictError", "ForbiddenError"}
        assert typed_errors < members, name
        assert payload.name == name[0].upper() + name[1:] + "Payload"
