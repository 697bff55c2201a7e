"""Plans and statements of recently seen views, so that a repeated view skips the planning and
the SQLAlchemy construction (together about a third of a small view's CPU time).

- A plan depends only on the document, the root field, the variables and the page-size
  settings, never on the caller: it is cached under those (``PlanKey``), including the
  planner's "no" (``None``).
- A statement (as the driver runs it: SQL text and arguments, ``driver.py``) also depends on
  the caller's row scope. It is cached only when the access
  policy's predicate for every table of the plan is *timeless*: made of column comparisons
  alone, so its SQL is the same whenever it is built. Consent and subquery rules read "now"
  (a consent expires), so views under them are built for every request.

The parsed document is shared between requests by the parser cache
(``schema/kit/documents.py``), so the operation node identifies the document; each entry keeps
the node to tell a reused ``id()`` apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationDefinitionNode

from greenrong.core.lru import LRU
from greenrong.domain.access.predicates import AllOf, AnyOf, Everything, FieldIn, Nothing, Predicate
from greenrong.resolvers.compiled.driver import DriverStatement
from greenrong.resolvers.compiled.plan import (
    Children,
    ConnectionPlan,
    Edges,
    ObjectPlan,
    RootList,
    RootNode,
    ToOne,
)

#: views kept (each a plan and at most a few statements)
SIZE = 512


@dataclass(frozen=True)
class PlanKey:
    operation: int  # id() of the operation node
    field: str  # the root field's response key
    variables: str  # the coerced variables as canonical JSON
    page_sizes: tuple[int, int]  # default and maximum page size

    @classmethod
    def of(
        cls,
        operation: OperationDefinitionNode,
        field: str,
        variables: Any,
        page_sizes: tuple[int, int],
    ) -> PlanKey | None:
        """The key, or None for variables orjson cannot write (nested deeper than its
        recursion limit of 254): those are not compiled, and the normal path answers them,
        with its typed error where the filter nests too deep."""
        try:
            text = orjson.dumps(
                variables, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=repr
            ).decode()
        except orjson.JSONEncodeError:
            return None
        return cls(id(operation), field, text, page_sizes)


@dataclass(frozen=True)
class Planned:
    operation: OperationDefinitionNode
    plan: RootList | RootNode | None
    #: ``entity_types(plan)``: the tables whose row rules the statement applies
    types: tuple[str, ...]


class CompiledViews:
    """The cache of one process: plans by ``PlanKey``, statements by plan and scope."""

    def __init__(self, maxsize: int = SIZE) -> None:
        self._plans: LRU[PlanKey, Planned] = LRU(maxsize)
        self._statements: LRU[tuple[PlanKey, tuple[Predicate, ...]], DriverStatement] = LRU(maxsize)

    def plan(self, key: PlanKey, operation: OperationDefinitionNode) -> Planned | None:
        found = self._plans.get(key)
        return found if found is not None and found.operation is operation else None

    def keep_plan(
        self, key: PlanKey, operation: OperationDefinitionNode, plan: RootList | RootNode | None
    ) -> Planned:
        planned = Planned(operation, plan, () if plan is None else tuple(entity_types(plan)))
        self._plans.put(key, planned)
        return planned

    def statement(self, key: PlanKey, scopes: tuple[Predicate, ...]) -> DriverStatement | None:
        return self._statements.get((key, scopes))

    def keep_statement(
        self, key: PlanKey, scopes: tuple[Predicate, ...], statement: DriverStatement
    ) -> None:
        if all(_timeless(p) for p in scopes):
            self._statements.put((key, scopes), statement)


def entity_types(plan: RootList | RootNode) -> list[str]:
    """Every entity type whose rows the plan reads, in a fixed order."""
    found: list[str] = []

    def visit_object(node: ObjectPlan) -> None:
        if node.model.entity_type not in found:
            found.append(node.model.entity_type)
        for field in node.fields:
            if isinstance(field, ToOne):
                visit_object(field.target)
            elif isinstance(field, Children):
                visit_connection(field.connection, field.listing.model.entity_type)

    def visit_connection(connection: ConnectionPlan, entity_type: str) -> None:
        if entity_type not in found:
            found.append(entity_type)
        for part in connection.fields:
            if isinstance(part, Edges):
                for edge_part in part.fields:
                    if isinstance(edge_part, tuple):
                        visit_object(edge_part[1])

    if isinstance(plan, RootList):
        visit_connection(plan.connection, plan.listing.model.entity_type)
    else:
        visit_object(plan.node)
    return found


def _timeless(predicate: Predicate) -> bool:
    """Whether the predicate's SQL never depends on the time it is built at."""
    if isinstance(predicate, Everything | Nothing | FieldIn):
        return True
    if isinstance(predicate, AnyOf | AllOf):
        return all(_timeless(p) for p in predicate.parts)
    return False
