"""Plain leaves skip the resolver machinery and answer exactly as graphql-core does.

``CompiledExecutionContext`` reads a field strawberry resolves by reading an attribute (no
resolver, no field extension, no permission class) straight from its object, and answers a
list of objects made only of such fields in one loop (a match's reasons). The same operations
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


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


FAST = strawberry.Schema(query=Query, execution_context_class=CompiledExecutionContext)
SLOW = strawberry.Schema(query=Query)


OPERATIONS = [
    "{ items { name rank reasons { code message weight colour note } } }",
    "{ items { __typename n: name r: rank reasons { __typename c: code w: weight } } }",
    "{ items { name shouted secret } }",
    "{ items { name maybe { code weight } } }",
    """{ items { ...I } } fragment I on Item { name reasons { ...R } }
       fragment R on Reason { code colour note }""",
    "query ($x: Boolean!) { items { name @include(if: $x) reasons { code @skip(if: $x) } } }",
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
