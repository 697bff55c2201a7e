"""The policy module and the schema agree: every guarded field is marked in its GraphQL type
(and nullable), and no other field is."""

from __future__ import annotations

from graphql import GraphQLNonNull, GraphQLObjectType
from strawberry.utils.str_converters import to_camel_case

from greenrong.domain.access import policy
from greenrong.domain.access.principal import ANONYMOUS, Principal, Role
from greenrong.domain.kit.registry import ENTITIES
from greenrong.resolvers.node import NODE_TYPES
from greenrong.schema.kit.guard import Guarded
from greenrong.schema.root import schema


def test_the_guarded_fields_of_the_types_are_exactly_the_policys() -> None:
    marked = {
        (type_name, field.python_name)
        for type_name, node_type in NODE_TYPES.items()
        for field in node_type.__strawberry_definition__.fields
        if any(isinstance(e, Guarded) for e in field.extensions)
    }

    assert marked == policy.GUARDED_FIELDS


def test_guarded_fields_are_nullable() -> None:
    for type_name, field in policy.GUARDED_FIELDS:
        graphql_type = schema._schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        assert not isinstance(graphql_type.fields[to_camel_case(field)].type, GraphQLNonNull)


def test_every_entity_type_has_a_row_rule_or_is_closed() -> None:
    """A new entity type is visible to ADMIN and REGULATOR only until a rule names it."""
    public = ANONYMOUS
    admin = Principal(role=Role.ADMIN, subject="admin")
    for entity_type in ENTITIES:
        assert policy.visible_rows(admin, entity_type) == policy.visible_rows(admin, "Unknown")
        if entity_type not in policy.ROW_RULES:
            assert policy.visible_rows(public, entity_type) == policy.visible_rows(
                public, "Unknown"
            )
