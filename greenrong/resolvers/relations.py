"""Relation fields declared once: one call builds the strawberry field and tells the compiled
planner what it is.

A relation of a row-backed type is one of three shapes, each with its factory:

- ``to_one(ProjectRow.enterprise_id, Enterprise)``: the row whose id is in one of our columns
  (``load_one``: one ``SELECT … WHERE id IN`` per level; null when missing or not visible);
- ``child_list(PROJECTS, ProjectRow.enterprise_id, Project, where=…, order_by=…)``: a page of
  the rows whose foreign key is our id (``child_connection``: one statement per level, one
  more for ``totalCount``);
- ``root_list(ENTERPRISES, Enterprise, where=…, order_by=…)``: a root connection
  (``root_connection``).

Each returns a ``strawberry.field`` with the usual arguments (``first``/``after``/``last``/
``before``, and ``where``/``orderBy`` when given) and carries its ``Relation`` in the field's
metadata. The compiled planner (``resolvers/compiled/plan.py``) reads that ``Relation`` off
the schema, so a relation declared here is compiled and covered by the differential test
(``tests/perf/test_compiled_differential.py`` walks ``relations(schema)``) without a second
declaration. A list whose ``Listing`` is built per call (a callable, such as the libraries'
``memberships(today())``) is never compiled: a plan is kept across requests and days.

The target type is a strawberry type, or ``Annotated["Name", strawberry.lazy("module")]`` when
importing it would be circular (the usual strawberry spelling); it is resolved on first use.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any, ForwardRef, get_args, get_origin

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.types.lazy_type import StrawberryLazyReference

from greenrong.domain.kit.listing import Listing
from greenrong.domain.kit.registry import ENTITIES
from greenrong.resolvers.common import child_connection, list_query, load_one, root_connection
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.definitions import strawberry_definition
from greenrong.schema.kit.relay import After, Before, Connection, First, Last

#: where a relation field keeps its ``Relation`` (``StrawberryField.metadata``)
RELATION = "greenrong.relation"


class Shape(Enum):
    TO_ONE = "TO_ONE"
    CHILDREN = "CHILDREN"
    ROOT = "ROOT"


@dataclass(frozen=True)
class Relation:
    """What a relation field reads, for the planner: exactly its resolver's arguments."""

    shape: Shape
    #: CHILDREN and ROOT: the listing, or a callable that builds it per call (never compiled)
    listing: Listing[Any] | Callable[[], Listing[Any]] | None = None
    #: TO_ONE: our column holding the target's id; CHILDREN: the child's foreign key to us
    column: InstrumentedAttribute[Any] | None = None

    @property
    def static_listing(self) -> Listing[Any] | None:
        """The listing when it is fixed (the planner compiles only those)."""
        return self.listing if isinstance(self.listing, Listing) else None

    def listing_now(self) -> Listing[Any]:
        """The listing to read now (built now, when it is built per call)."""
        listing = self.listing
        if listing is None:
            raise TypeError(f"a {self.shape.value} relation has no listing")
        return listing if isinstance(listing, Listing) else listing()


def relation_of(field_definition: Any) -> Relation | None:
    """The ``Relation`` a strawberry field was declared with, or None for any other field."""
    metadata = getattr(field_definition, "metadata", None) or {}
    found = metadata.get(RELATION)
    return found if isinstance(found, Relation) else None


def relations(schema: GraphQLSchema) -> Iterator[tuple[str, str, Relation]]:
    """(type name, field name, relation) of every relation field of a built schema, by type
    name and then in the type's field order: what the differential test walks."""
    for name, type_ in sorted(schema.type_map.items()):
        if not isinstance(type_, GraphQLObjectType) or name.startswith("__"):
            continue
        for field_name, field in type_.fields.items():
            found = relation_of(strawberry_definition(field))
            if found is not None:
                yield name, field_name, found


def root_lists(schema: GraphQLSchema) -> list[str]:
    """The root fields the compiled path may answer: root lists over a fixed listing."""
    return [
        field
        for type_name, field, relation in relations(schema)
        if relation.shape is Shape.ROOT
        and relation.static_listing is not None
        and schema.query_type is not None
        and type_name == schema.query_type.name
    ]


# ------------------------------------------------------------------ the factories


def to_one(column: InstrumentedAttribute[Any], target: Any, *, description: str) -> Any:
    """The row of ``target`` whose id is in our ``column`` (null when there is none, or the
    caller may not see it)."""
    annotation, target_type = _target(target)
    attribute = column.key

    async def resolve(root: Any, info: Info) -> Any:
        node = target_type()
        return await load_one(
            info, ENTITIES[node.entity_type], getattr(root, attribute), node.from_row
        )

    _sign(resolve, [_INFO], annotation | None)
    return strawberry.field(
        resolver=resolve,
        description=description,
        metadata={RELATION: Relation(Shape.TO_ONE, column=column)},
    )


def child_list(
    listing: Listing[Any] | Callable[[], Listing[Any]],
    parent: InstrumentedAttribute[Any],
    node: Any,
    *,
    description: str,
    where: Any = None,
    order_by: Any = None,
) -> Any:
    """A page of ``listing`` rows whose foreign key ``parent`` is our id, as ``node``s."""
    relation = Relation(Shape.CHILDREN, listing=listing, column=parent)
    return _list_field(relation, node, description, where, order_by)


def root_list(
    listing: Listing[Any],
    node: Any,
    *,
    description: str,
    where: Any = None,
    order_by: Any = None,
) -> Any:
    """A root connection over ``listing``, as ``node``s, as the caller may see them."""
    return _list_field(Relation(Shape.ROOT, listing=listing), node, description, where, order_by)


def _list_field(
    relation: Relation, node: Any, description: str, where_type: Any, order_type: Any
) -> Any:
    annotation, node_type = _target(node)
    parent = relation.column

    async def resolve(
        root: Any,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        where: Any = None,
        order_by: Any = None,
    ) -> Any:
        query = list_query(
            info, where=where, order_by=order_by, first=first, after=after, last=last, before=before
        )
        of, to_node = relation.listing_now(), node_type().from_row
        if parent is None:
            return await root_connection(info, of, query, to_node)
        return await child_connection(info, of, parent, root.pk, query, to_node)

    _sign(resolve, _list_parameters(where_type, order_type), Connection[annotation])  # type: ignore[valid-type]
    return strawberry.field(
        resolver=resolve, description=description, metadata={RELATION: relation}
    )


# ------------------------------------------------------------------ helpers


def _parameter(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default
    )


_ROOT = _parameter("root", Any)
_INFO = _parameter("info", Info)


def _list_parameters(where: Any, order_by: Any) -> list[inspect.Parameter]:
    """The arguments of every list, in the order the SDL has always shown them."""
    parameters = [
        _INFO,
        _parameter("first", First, None),
        _parameter("after", After, None),
        _parameter("last", Last, None),
        _parameter("before", Before, None),
    ]
    if where is not None:
        parameters.append(_parameter("where", where, None))
    if order_by is not None:
        parameters.append(_parameter("order_by", order_by, None))
    return parameters


def _sign(resolve: Callable[..., Any], parameters: list[Any], returns: Any) -> None:
    """Give the resolver the signature strawberry reads its arguments and type from (objects,
    not strings: this module's names are not the declaring module's)."""
    signature = inspect.Signature([_ROOT, *parameters], return_annotation=returns)
    resolve.__signature__ = signature  # type: ignore[attr-defined]
    resolve.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    resolve.__annotations__["return"] = returns


def _target(target: Any) -> tuple[Any, Callable[[], Any]]:
    """The annotation to declare and the type to build nodes with (resolved once, on first
    use) of ``SomeType`` or ``Annotated["SomeType", strawberry.lazy("module")]``."""
    if isinstance(target, type):
        return target, lambda: target
    if get_origin(target) is Annotated:
        name, *extras = get_args(target)
        references = [e for e in extras if isinstance(e, StrawberryLazyReference)]
        if isinstance(name, ForwardRef) and len(references) == 1:
            lazy = references[0].resolve_forward_ref(name)
            return lazy, cache(lazy.resolve_type)
    raise TypeError(
        f"a relation's target is a type or Annotated['Name', strawberry.lazy(…)]: {target!r}"
    )
