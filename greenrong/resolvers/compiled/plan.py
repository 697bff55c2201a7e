"""A root field's selection as a plan for one SQL statement, or ``None`` (the normal path runs).

The plan holds only what the SQL needs: for each object, which columns become which response
keys and how each value is written (so the bytes equal what strawberry would write), and for
each relation, the same ``Listing``/``ListQuery`` the resolver would pass to the loaders.
Which fields are relations, and of what, the planner reads off the schema: the ``Relation``
that ``to_one``/``child_list``/``root_list`` (``resolvers/relations.py``) put in each relation
field's metadata, so a relation is declared once for both paths.

The planner is deliberately narrow. It says ``None`` for anything it cannot express exactly:

- a field with a resolver that is not a relation declared through ``resolvers/relations.py``
  (computed fields, search, matching,
  statistics, region/industry from reference data), a field with a field extension (the access
  policy's guarded fields) or with permission classes;
- backwards paging (``last``/``before``), and cursors of lists ordered by a column whose cursor
  value the SQL cannot write exactly (see ``cursor_encoding``);
- list-valued columns, and scalars other than String, Int, Boolean, Date, DateTime, Decimal,
  enums and the global ``id``;
- a directive anywhere, or one response key selected twice with different sub-selections;
- arguments the normal path would reject: the planner calls the same ``list_query`` and
  ``from_global_id``, and any error they raise makes it step aside so that the normal path
  reports it exactly as usual.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values
from sqlalchemy import Column as SqlColumn
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.types.arguments import convert_arguments

from greenrong.core.errors import DomainError
from greenrong.domain.kit.listing import Listing, ListQuery, cursor_columns, page_select
from greenrong.domain.kit.models import Entity
from greenrong.domain.kit.registry import ENTITIES
from greenrong.domain.kit.types import ScaledDecimal, UTCDateTime
from greenrong.resolvers.common import list_query
from greenrong.resolvers.relations import Relation, Shape, relation_of
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.definitions import strawberry_definition
from greenrong.schema.kit.ids import from_global_id
from greenrong.schema.kit.relay import RowBacked

log = logging.getLogger(__name__)
#: PostgreSQL's json_build_object takes at most 100 arguments: 50 keys and 50 values
_MAX_KEYS = 50

# ------------------------------------------------------------------ what the plan knows


class CursorValue(Enum):
    """How an order column's value is written inside a cursor (``jsonable`` of the value)."""

    JSON = "JSON"  # text, uuid, date, boolean, stored enum value: PostgreSQL's to_json
    NUMBER = "NUMBER"  # an integer: its text
    DECIMAL = "DECIMAL"  # str(Decimal), as a JSON string
    DATETIME = "DATETIME"  # isoformat(), as a JSON string


def cursor_encoding(column: Any) -> CursorValue:
    """How a cursor holds ``column`` (an order column of a Listing), or NotCompiled."""
    sql_type = column.property.columns[0].type
    if isinstance(sql_type, ScaledDecimal):
        return CursorValue.DECIMAL
    if isinstance(sql_type, UTCDateTime):
        return CursorValue.DATETIME
    if isinstance(sql_type, SqlEnum):
        stores_values = sql_type.enum_class is not None and set(sql_type.enums) == {
            m.value for m in sql_type.enum_class
        }
        if not stores_values:
            raise NotCompiled
        return CursorValue.JSON  # the stored value is the enum's value, which jsonable writes
    python_type = _python_type(column.property.columns[0])
    if python_type is int:
        return CursorValue.NUMBER
    if python_type in (str, uuid.UUID, datetime.date, bool):
        return CursorValue.JSON
    raise NotCompiled


class Encoding(Enum):
    """How a column value becomes the JSON value strawberry would write."""

    AS_IS = "AS_IS"  # text, integer, boolean: PostgreSQL's JSON is the same
    DATE = "DATE"  # date.isoformat() (PostgreSQL's JSON, but for ±infinity)
    DECIMAL = "DECIMAL"  # str(Decimal) of a fixed-scale NUMERIC is its text form
    DATETIME = "DATETIME"  # datetime.isoformat() of a UTC timestamp
    ENUM = "ENUM"  # the GraphQL name of the stored value


# ------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class Literal:
    """A constant value (``__typename``)."""

    key: str
    value: str


@dataclass(frozen=True)
class GlobalId:
    """The global ``id``: base64 of ``"<entity type>:<uuid>"``."""

    key: str
    entity_type: str


@dataclass(frozen=True)
class Value:
    """A column of the row."""

    key: str
    attribute: str
    encoding: Encoding
    #: for ENUM: stored value -> GraphQL name, when any of them differ
    names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ToOne:
    """A related row by the id in one of our columns (null when missing or not visible)."""

    key: str
    attribute: str
    target: ObjectPlan


@dataclass(frozen=True)
class Children:
    """A page of related rows whose foreign key is our id."""

    key: str
    listing: Listing[Any]
    parent: InstrumentedAttribute[Any]
    query: ListQuery
    connection: ConnectionPlan


@dataclass(frozen=True)
class ObjectPlan:
    model: type[Entity]
    fields: tuple[Literal | GlobalId | Value | ToOne | Children, ...]

    def attributes(self) -> list[str]:
        """The row's columns this object reads: its id, its values, the keys of its to-ones."""
        wanted = ["id"]
        for f in self.fields:
            name = f.attribute if isinstance(f, Value | ToOne) else None
            if name is not None and name not in wanted:
                wanted.append(name)
        return wanted


@dataclass(frozen=True)
class Cursor:
    """An edge's ``cursor``: ``listing.encode_cursor`` of its row, written by the SQL."""

    key: str


@dataclass(frozen=True)
class Edges:
    key: str
    #: Literal for ``__typename``, Cursor, ObjectPlan (with its key) for ``node``
    fields: tuple[Literal | Cursor | tuple[str, ObjectPlan], ...]


@dataclass(frozen=True)
class PageFlags:
    """``pageInfo``: (key, field name) for ``hasNextPage``, ``hasPreviousPage``,
    ``startCursor`` and ``endCursor``; Literal for ``__typename``."""

    key: str
    fields: tuple[Literal | tuple[str, str], ...]


@dataclass(frozen=True)
class TotalCount:
    key: str


@dataclass(frozen=True)
class ConnectionPlan:
    fields: tuple[Literal | Edges | PageFlags | TotalCount, ...]

    def has_cursors(self) -> bool:
        for part in self.fields:
            if isinstance(part, Edges) and any(isinstance(p, Cursor) for p in part.fields):
                return True
            if isinstance(part, PageFlags) and any(
                isinstance(p, tuple) and p[1] in ("startCursor", "endCursor") for p in part.fields
            ):
                return True
        return False


@dataclass(frozen=True)
class RootList:
    """A root connection (``enterprises(...)``)."""

    listing: Listing[Any]
    query: ListQuery
    connection: ConnectionPlan


@dataclass(frozen=True)
class RootNode:
    """``node(id:)`` for an id of a known type."""

    id: uuid.UUID
    node: ObjectPlan


class NotCompiled(Exception):
    """The selection holds something the plan cannot express: run the normal path."""


# ------------------------------------------------------------------ the planner


class Planner:
    """Builds the plan of one root field. ``info`` is that field's strawberry Info (for the
    settings that ``list_query`` reads); ``variables`` are the operation's coerced variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Any,
        info: Info,
        node_types: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.info = info
        self.node_types = node_types
        strawberry_schema = schema._strawberry_schema  # type: ignore[attr-defined]
        self._scalars = strawberry_schema.schema_converter.scalar_registry
        self._config = strawberry_schema.config

    def root(self, field: GraphQLField, node: FieldNode) -> RootList | RootNode | None:
        """The plan of a root field, or None when the normal path must run."""
        try:
            return self._root(field, node)
        except (NotCompiled, DomainError):
            # DomainError: the arguments are invalid; the normal path reports it as usual
            return None
        except Exception:
            # anything else the planner cannot plan is the normal path's to answer, at the
            # field's path (masked when unexpected), never an error of the whole operation
            log.warning("the planner failed on %s", node.name.value, exc_info=True)
            return None

    def _root(self, field: GraphQLField, node: FieldNode) -> RootList | RootNode | None:
        if node.directives or node.selection_set is None:
            raise NotCompiled
        name = node.name.value
        if name == "node":
            return self._node(field, node)
        relation = relation_of(strawberry_definition(field))
        listing = None if relation is None else relation.static_listing
        if relation is None or relation.shape is not Shape.ROOT or listing is None:
            raise NotCompiled
        query = self._list_query(field, node, listing)
        connection = self._connection(_named(field.type), node.selection_set, listing, query)
        return RootList(listing, query, connection)

    def _node(self, field: GraphQLField, node: FieldNode) -> RootNode:
        type_name, pk = from_global_id(self._arguments(field, node)["id"])
        if type_name not in self.node_types:
            raise NotCompiled  # the normal path answers null
        object_type = self.schema.get_type(type_name)
        if not isinstance(object_type, GraphQLObjectType) or node.selection_set is None:
            raise NotCompiled
        return RootNode(pk, self._object(object_type, node.selection_set))

    # -------------------------------------------------------------- arguments

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The resolver's keyword arguments, converted exactly as strawberry converts them."""
        raw = get_argument_values(field, node, self.variables)
        definition = strawberry_definition(field)
        return convert_arguments(raw, definition.arguments, self._scalars, self._config)

    def _list_query(self, field: GraphQLField, node: FieldNode, of: Listing[Any]) -> ListQuery:
        """The resolver's ``list_query``, checked here as the page statement will check it (a
        bad filter, order, cursor or page size): the normal path reports such errors at the
        list's own path, so the plan must step aside rather than fail the whole root field."""
        arguments = self._arguments(field, node)
        if arguments.get("last") is not None or arguments.get("before") is not None:
            raise NotCompiled  # backwards pages: the normal path
        query = list_query(
            self.info,
            where=arguments.get("where"),
            order_by=arguments.get("order_by"),
            first=arguments.get("first"),
            after=arguments.get("after"),
            last=None,
            before=None,
        )
        page_select(
            of,
            query,
            max_page_size=self.info.context.settings.max_page_size,
            readable=self.info.context.loaders.readable,
        )
        return query

    # -------------------------------------------------------------- selections

    def _fields(
        self, selection_set: SelectionSetNode, on: GraphQLObjectType
    ) -> Iterator[FieldNode]:
        """The fields selected on an object of type ``on``, fragments flattened, in response
        order; a key selected twice only when both are the same argument-less leaf."""
        seen: dict[str, FieldNode] = {}
        for field in self._flatten(selection_set, on):
            key = _key(field)
            earlier = seen.get(key)
            if earlier is None:
                seen[key] = field
                yield field
            elif not _same_leaf(earlier, field):
                raise NotCompiled

    def _flatten(
        self, selection_set: SelectionSetNode, on: GraphQLObjectType
    ) -> Iterator[FieldNode]:
        applies = {on.name, *(i.name for i in on.interfaces)}
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled  # @include/@skip: leave them to graphql-core
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or condition.name.value in applies:
                    yield from self._flatten(selection.selection_set, on)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if fragment.type_condition.name.value in applies:
                    yield from self._flatten(fragment.selection_set, on)

    def _connection(
        self,
        type_: GraphQLOutputType,
        selection_set: SelectionSetNode,
        listing: Listing[Any],
        query: ListQuery,
    ) -> ConnectionPlan:
        if not isinstance(type_, GraphQLObjectType):
            raise NotCompiled
        parts: list[Literal | Edges | PageFlags | TotalCount] = []
        for node in self._fields(selection_set, type_):
            name, key = node.name.value, _key(node)
            if name == "__typename":
                parts.append(Literal(key, type_.name))
            elif name == "totalCount":
                parts.append(TotalCount(key))
            elif name == "edges" and node.selection_set is not None:
                edge = _named(type_.fields[name].type)
                if not isinstance(edge, GraphQLList):
                    raise NotCompiled
                parts.append(self._edges(key, _named(edge.of_type), node.selection_set))
            elif name == "pageInfo" and node.selection_set is not None:
                parts.append(
                    self._page_flags(key, _named(type_.fields[name].type), node.selection_set)
                )
            else:
                raise NotCompiled
        if sum(isinstance(p, Edges) for p in parts) > 1:
            raise NotCompiled  # two `edges` selections under different aliases
        plan = ConnectionPlan(_at_most_max(parts))
        if plan.has_cursors():
            for column, _ in cursor_columns(listing, query):
                cursor_encoding(column)  # NotCompiled unless the SQL can write it
        return plan

    def _edges(self, key: str, edge: GraphQLOutputType, selection_set: SelectionSetNode) -> Edges:
        if not isinstance(edge, GraphQLObjectType):
            raise NotCompiled
        parts: list[Literal | Cursor | tuple[str, ObjectPlan]] = []
        for node in self._fields(selection_set, edge):
            name = node.name.value
            if name == "__typename":
                parts.append(Literal(_key(node), edge.name))
            elif name == "cursor":
                parts.append(Cursor(_key(node)))
            elif name == "node" and node.selection_set is not None and not _has_node(parts):
                node_type = _named(edge.fields[name].type)
                if not isinstance(node_type, GraphQLObjectType):
                    raise NotCompiled
                parts.append((_key(node), self._object(node_type, node.selection_set)))
            else:
                raise NotCompiled
        return Edges(key, _at_most_max(parts))

    def _page_flags(
        self, key: str, page_info: GraphQLOutputType, selection_set: SelectionSetNode
    ) -> PageFlags:
        if not isinstance(page_info, GraphQLObjectType):
            raise NotCompiled
        parts: list[Literal | tuple[str, str]] = []
        for node in self._fields(selection_set, page_info):
            name = node.name.value
            if name == "__typename":
                parts.append(Literal(_key(node), page_info.name))
            elif name in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"):
                parts.append((_key(node), name))
            else:
                raise NotCompiled
        return PageFlags(key, _at_most_max(parts))

    def _object(self, type_: GraphQLObjectType, selection_set: SelectionSetNode) -> ObjectPlan:
        origin = strawberry_definition(type_).origin
        if not (isinstance(origin, type) and issubclass(origin, RowBacked)):
            raise NotCompiled
        if origin.from_row.__func__ is not RowBacked.from_row.__func__:  # type: ignore[attr-defined]
            raise NotCompiled  # a type that builds itself in its own way
        model = ENTITIES.get(origin.entity_type)
        if model is None:
            raise NotCompiled
        plain = set(origin._plain_fields())
        parts: list[Literal | GlobalId | Value | ToOne | Children] = []
        for node in self._fields(selection_set, type_):
            name, key = node.name.value, _key(node)
            if name == "__typename":
                parts.append(Literal(key, type_.name))
                continue
            field = type_.fields[name]
            definition = strawberry_definition(field)
            if definition.extensions or definition.permission_classes:
                raise NotCompiled  # guarded fields and any other per-field rule
            relation = relation_of(definition)
            if relation is not None and node.selection_set is not None:
                parts.append(self._relation(key, field, node, model, relation))
            elif node.arguments or node.selection_set is not None:
                raise NotCompiled
            elif name == "id":
                parts.append(GlobalId(key, origin.entity_type))
            elif definition.base_resolver is None and definition.python_name in plain:
                attribute = origin.renamed.get(definition.python_name, definition.python_name)
                parts.append(_value(key, model, attribute, field.type))
            else:
                raise NotCompiled  # computed field
        return ObjectPlan(model, _at_most_max(parts))

    def _relation(
        self,
        key: str,
        field: GraphQLField,
        node: FieldNode,
        model: type[Entity],
        relation: Relation,
    ) -> ToOne | Children:
        """A relation field of an object of ``model``, as its resolver would read it."""
        if node.selection_set is None:
            raise NotCompiled
        column = relation.column
        if relation.shape is Shape.TO_ONE and column is not None and column.class_ is model:
            target = _named(field.type)
            if not isinstance(target, GraphQLObjectType):
                raise NotCompiled
            return ToOne(key, column.key, self._object(target, node.selection_set))
        listing = relation.static_listing
        if relation.shape is Shape.CHILDREN and column is not None and listing is not None:
            query = self._list_query(field, node, listing)
            connection = self._connection(_named(field.type), node.selection_set, listing, query)
            return Children(key, listing, column, query, connection)
        raise NotCompiled  # a list built per call (its plan would outlive it), or a mismatch


# ------------------------------------------------------------------ helpers


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _same_leaf(a: FieldNode, b: FieldNode) -> bool:
    plain = not (a.arguments or b.arguments or a.selection_set or b.selection_set)
    return plain and a.name.value == b.name.value


def _named(type_: GraphQLOutputType) -> GraphQLOutputType:
    """The type without its non-null wrapper (lists stay lists)."""
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _has_node(parts: list[Literal | Cursor | tuple[str, ObjectPlan]]) -> bool:
    """Whether an edge already selects its node (a second alias of it is left to graphql-core)."""
    return any(isinstance(p, tuple) for p in parts)


def _at_most_max(parts: list[Any]) -> tuple[Any, ...]:
    if len(parts) > _MAX_KEYS:
        raise NotCompiled
    return tuple(parts)


def _value(key: str, model: type[Entity], attribute: str, type_: GraphQLOutputType) -> Value:
    """A column field, if its GraphQL type and column type are ones whose JSON we write exactly."""
    column = model.__mapper__.columns.get(attribute)
    if not isinstance(column, SqlColumn):
        raise NotCompiled
    graphql_type = _named(type_)
    if isinstance(graphql_type, GraphQLList):
        raise NotCompiled
    if isinstance(graphql_type, GraphQLEnumType):
        return _enum_value(key, attribute, column, graphql_type)
    if not isinstance(graphql_type, GraphQLScalarType):
        raise NotCompiled
    scalar, python_type = graphql_type.name, _python_type(column)
    if scalar == "DateTime" and isinstance(column.type, UTCDateTime):
        return Value(key, attribute, Encoding.DATETIME)
    if scalar == "Decimal" and isinstance(column.type, ScaledDecimal):
        return Value(key, attribute, Encoding.DECIMAL)
    if scalar == "Date" and python_type is datetime.date:
        return Value(key, attribute, Encoding.DATE)
    simple = {"String": str, "Int": int, "Boolean": bool}
    if simple.get(scalar) is python_type:
        return Value(key, attribute, Encoding.AS_IS)
    raise NotCompiled


def _enum_value(key: str, attribute: str, column: SqlColumn[Any], type_: GraphQLEnumType) -> Value:
    if not isinstance(column.type, SqlEnum):
        raise NotCompiled
    names = {value.value: name for name, value in type_.values.items()}
    if set(column.type.enums) != set(names):
        raise NotCompiled  # the column does not store exactly the enum's values
    renamed = tuple((stored, name) for stored, name in names.items() if stored != name)
    return Value(key, attribute, Encoding.ENUM, renamed)


def _python_type(column: SqlColumn[Any]) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None
