"""Node, connections and edges (Relay cursor connections)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

import strawberry

from greenrong.domain.kit.listing import Page
from greenrong.schema.kit.cost import cost
from greenrong.schema.kit.ids import to_global_id

T = TypeVar("T")


@strawberry.interface(description="An object with a global id; fetch any of them with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id: opaque and stable.")


class RowBacked:
    """Mixin of object types built from one domain row.

    ``from_row`` copies every data field of the type (public or ``Private``) from the row's
    attribute of the same name, so a type lists its fields once. Relations are resolver methods.
    """

    entity_type: ClassVar[str]
    #: the row's primary key, for relation resolvers (set by ``from_row``)
    pk: uuid.UUID
    #: the domain row itself, for the access policy's field rules (``schema/kit/guard.py``)
    row: Any
    #: data fields whose row attribute has another name: {field: row attribute}
    renamed: ClassVar[dict[str, str]] = {}
    _copied: ClassVar[tuple[str, ...] | None] = None

    @classmethod
    def _plain_fields(cls) -> tuple[str, ...]:
        if cls.__dict__.get("_copied") is None:
            definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
            resolved = {f.python_name for f in definition.fields if f.base_resolver is not None}
            names = (f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
            cls._copied = tuple(n for n in names if n not in resolved | {"id", "pk"})
        return cls._copied  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> Self:
        values = {name: getattr(row, cls.renamed.get(name, name)) for name in cls._plain_fields()}
        node = cls(id=to_global_id(cls.entity_type, row.id), **values)  # type: ignore[call-arg]
        node.pk = row.id
        node.row = row
        return node


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow `endCursor`.")
    has_previous_page: bool = strawberry.field(description="More items precede `startCursor`.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge.")


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after`/`before` to page from here.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="How many items match the filter, over all pages.",
        metadata=cost(1),  # one COUNT query
    )
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(
        cls, page: Page[Any], to_node: Callable[[Any], T], count: Callable[[], Awaitable[int]]
    ) -> Connection[T]:
        return Connection(
            edges=[
                Edge(cursor=c, node=to_node(r))
                for r, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=page.start_cursor,
                end_cursor=page.end_cursor,
            ),
            count=count,
        )


First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size from the start (the server settings give default and maximum)."
    ),
]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor.")]
Last = Annotated[
    int | None, strawberry.argument(description="Page size, counted from the end (with `before`).")
]
Before = Annotated[str | None, strawberry.argument(description="Return items before this cursor.")]
