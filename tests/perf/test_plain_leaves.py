"""Plain leaves skip the resolver machinery and answer exactly as graphql-core does.

``CompiledExecutionContext`` reads a field strawberry resolves by reading an attribute (no
resolver, no field extension, no permission class) straight from its object, and answers a
list of objects made only of such fields in one loop (a match's reasons), and objects and lists
of objects whose selections are plain in turn, however deep (a page's edges with their nodes). The same operations
run against one small schema with that execution context and with strawberry's own, and the
results (data, error messages and paths) must be equal: values, aliases, ``__typename``,
enums, nulls where allowed and where not, values that do not coerce, a field extension and a
permission class that must still run.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission

from greenrong.resolvers.compiled.execution import CompiledExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    GREEN = "GREEN"
    RED = "RED"


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


class Never(BasePermission):
    message = "不可见"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Reason:
    code: str
    message: str
    weight: float
    colour: Colour
    note: str | None


@strawberry.type
class Item:
    name: str
    rank: int
    shouted: str = strawberry.field(extensions=[Upper()])
    secret: str | None = strawberry.field(permission_classes=[Never])
    reasons: list[Reason]
    maybe: list[Reason] | None


def _reason(n: int, **overrides: Any) -> Reason:
    values: dict[str, Any] = {
        "code": f"CODE_{n}",
        "message": f"理由{n}：同在成都市",
        "weight": n / 4,
        "colour": Colour.GREEN if n % 2 else Colour.RED,
        "note": None if n % 3 else f"备注{n}",
    }
    return Reason(**(values | overrides))


ITEMS: list[Item] = [
    Item(
        name="光伏组件回收",
        rank=1,
        shouted="solar",
        secret="机密",
        reasons=[_reason(n) for n in range(5)],
        maybe=None,
    ),
    Item(
        name="废水处理",
        rank=2,
        shouted="water",
        secret=None,
        # a non-null field that is null, and a value an Int/String cannot hold
        reasons=[_reason(1), _reason(2, message=None), _reason(3)],
        maybe=[_reason(4, weight="不是数字")],
    ),
]


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Product(Named):
    kind: Colour
    computed_at: int = 0

    @strawberry.field
    def label(self) -> str:
        return f"产品：{self.name}"


@strawberry.type
class Other(Named):
    pass


@strawberry.type
class Edge:
    rank: int
    node: Product
    reasons: list[Reason]
    maybe: Product | None


@strawberry.type
class Page:
    total: int
    edges: list[Edge]


def _edge(rank: int, **overrides: Any) -> Edge:
    values: dict[str, Any] = {
        "rank": rank,
        "node": Product(name=f"绿色贷{rank}", kind=Colour.GREEN),
        "reasons": [_reason(rank), _reason(rank + 1)],
        "maybe": None,
    }
    return Edge(**(values | overrides))


PAGES = {
    "plain": Page(total=2, edges=[_edge(1), _edge(2, maybe=Product(name="备选", kind=Colour.RED))]),
    # a null non-null object, an object of another type, a value that does not coerce deep down
    "null": Page(total=1, edges=[_edge(1, node=None)]),
    "other": Page(total=1, edges=[_edge(1, node=_reason(1))]),
    # another type of the interface passes strawberry's is_type_of (graphql-core's answer)
    "named": Page(total=1, edges=[_edge(1, node=Other(name="别的"))]),
    "deep": Page(total=1, edges=[_edge(1, reasons=[_reason(1, weight="不是数字")])]),
}


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def page(self, which: str = "plain") -> Page:
        return PAGES[which]


class CountingContext(CompiledExecutionContext):
    """Counts the fields graphql-core executes one by one."""

    executed = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingContext.executed += 1
        return super().execute_field(*args, **kwargs)


FAST = strawberry.Schema(query=Query, execution_context_class=CountingContext)
SLOW = strawberry.Schema(query=Query)


OPERATIONS = [
    "{ items { name rank reasons { code message weight colour note } } }",
    "{ items { __typename n: name r: rank reasons { __typename c: code w: weight } } }",
    "{ items { name shouted secret } }",
    "{ items { name maybe { code weight } } }",
    """{ items { ...I } } fragment I on Item { name reasons { ...R } }
       fragment R on Reason { code colour note }""",
    "query ($x: Boolean!) { items { name @include(if: $x) reasons { code @skip(if: $x) } } }",
    # objects and lists of objects, plain however deep (a page's edges with their nodes)
    """{ page { total edges { __typename rank node { __typename name kind }
         reasons { code weight } maybe { name } } } }""",
    "{ page { edges { n: node { name } m: node { kind } } } }",
    "{ page { edges { node { ... on Named { name } ... on Product { kind } } } } }",
    # a field with a resolver under the node, and directives on the nested fields
    "{ page { edges { rank node { name label } } } }",
    "query ($x: Boolean!) { page { edges { node @include(if: $x) { name } rank } } }",
    "query ($x: Boolean!) { page { edges { reasons @skip(if: $x) { code } rank } } }",
    *(
        f'{{ page(which: "{which}") {{ total edges {{ rank node {{ name }} reasons {{ weight }} }} }} }}'
        for which in ("named", "null", "other", "deep")
    ),
]


@pytest.mark.parametrize("document", OPERATIONS)
async def test_plain_leaves_answer_as_graphql_core_does(document: str) -> None:
    # when
    fast = await FAST.execute(document, variable_values={"x": True})
    slow = await SLOW.execute(document, variable_values={"x": True})

    # then: the same data, and the same errors at the same paths
    assert fast.data == slow.data
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in slow.errors or []
    ]


async def test_the_cases_are_not_trivial() -> None:
    # when
    plain = await FAST.execute(OPERATIONS[1])
    null = await FAST.execute(OPERATIONS[0])
    guarded = await FAST.execute(OPERATIONS[2])

    # then: plain leaves are answered with their aliases; a null non-null field is an error at
    # its path (nulling up to the root, every level being non-null); the extension and the
    # permission still ran
    assert plain.errors is None
    assert plain.data is not None
    assert plain.data["items"][1] == {
        "__typename": "Item",
        "n": "废水处理",
        "r": 2,
        "reasons": [
            {"__typename": "Reason", "c": "CODE_1", "w": 0.25},
            {"__typename": "Reason", "c": "CODE_2", "w": 0.5},
            {"__typename": "Reason", "c": "CODE_3", "w": 0.75},
        ],
    }
    assert null.data is None
    assert [(e.message, e.path) for e in null.errors or []] == [
        (
            "Cannot return null for non-nullable field Reason.message.",
            ["items", 1, "reasons", 1, "message"],
        )
    ]
    assert guarded.data == {
        "items": [
            {"name": "光伏组件回收", "shouted": "SOLAR", "secret": None},
            {"name": "废水处理", "shouted": "WATER", "secret": None},
        ]
    }
    assert [e.message for e in guarded.errors or []] == ["不可见", "不可见"]


async def test_nested_plain_objects_are_answered_in_one_pass_with_graphql_cores_errors() -> None:
    # when
    CountingContext.executed = 0
    plain = await FAST.execute(OPERATIONS[6])
    executed = CountingContext.executed
    named, null, other, deep = [await FAST.execute(document) for document in OPERATIONS[-4:]]

    # then: the page is complete, with typenames and enum values, nested however deep, and
    # graphql-core executed its root field alone
    assert (plain.errors, executed) == (None, 1)
    assert plain.data == {
        "page": {
            "total": 2,
            "edges": [
                {
                    "__typename": "Edge",
                    "rank": rank,
                    "node": {"__typename": "Product", "name": f"绿色贷{rank}", "kind": "GREEN"},
                    "reasons": [{"code": f"CODE_{n}", "weight": n / 4} for n in (rank, rank + 1)],
                    "maybe": maybe,
                }
                for rank, maybe in ((1, None), (2, {"name": "备选"}))
            ],
        }
    }
    assert named.errors is None
    assert named.data == {
        "page": {
            "total": 1,
            "edges": [
                {
                    "rank": 1,
                    "node": {"name": "别的"},
                    "reasons": [{"weight": 0.25}, {"weight": 0.5}],
                }
            ],
        }
    }
    # and what the loop cannot answer is graphql-core's, with its error at its path
    assert [(e.message, e.path) for e in null.errors or []] == [
        ("Cannot return null for non-nullable field Edge.node.", ["page", "edges", 0, "node"])
    ]
    assert [e.path for e in other.errors or []] == [["page", "edges", 0, "node"]]
    assert [e.path for e in deep.errors or []] == [["page", "edges", 0, "reasons", 0, "weight"]]
