"""Prepared operations: a view already answered wholly by the compiled path skips strawberry.

The compiled path (``execution.py``) replaces graphql-core's per-field work for a root field,
but every request still pays the fixed machinery around it: strawberry's HTTP view and schema
extensions, graphql-core's executor, decoding the statement's JSON into Python objects and the
response back into JSON. For the portal's small views that machinery is most of a request's
Python time (docs/PERFORMANCE.md, "Round 3").

So an operation whose every root field the compiled path answered is remembered, per app,
under its query text and operation name (``PreparedOperations.learn``, called by the view after
the normal path ran it). The next request with the same text and name, and no ``extensions``
in its body (no persisted-query hash), is answered here (``answer``) with what the normal path
would send:

- the checks that depend only on the document (parsing, validation, the depth, alias and token
  limits, the persisted-query allow-list) passed when it was learned, and give the same answer
  for the same text;
- the checks that depend on the request run here as there: the variables are coerced by
  graphql-core's own ``get_variable_values``; the cost is priced and taken from the caller's
  budget by the same ``CostPolicy.charge``; the row and field rules are the caller's
  (``policy.visible_rows``, ``policy.readable_rows``), applied by the same compiled
  statements, and a statement is reused only by callers with the same rules (``caller_rules``);
- each root field's plan must already be known for these variables (the plan cache is keyed by
  them, ``cache.PlanKey``), and must be a plan, not the planner's "no". A prepared operation
  remembers its plans by the request's variables as sent, so a repeated request skips the
  coercion too.

Whenever one of these does not hold (variables that do not coerce, a refused cost, a plan not
yet made or declined, a statement that fails), ``answer`` returns None before anything is sent
and the request takes the normal path, which answers it, errors included, as it always has; a
cost already taken is given back first, so the normal path's charge is the only one.

The answer's ``data`` holds the root fields in the operation's order, each the value its
statement built, and ``extensions.queryCost`` the charge: the body ``process_result`` writes
for an error-free result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.values import get_variable_values
from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.config import Settings
from greenrong.core.lru import LRU
from greenrong.domain.access import policy
from greenrong.domain.access.predicates import Predicate
from greenrong.domain.access.principal import Principal
from greenrong.resolvers.compiled.cache import CompiledViews, PlanKey, Planned
from greenrong.resolvers.compiled.driver import DriverStatement, fetch_text
from greenrong.resolvers.compiled.sql import Compiler
from greenrong.resolvers.loaders import field_scope, row_scope
from greenrong.schema.kit.answers import OperationKey, canonical_variables
from greenrong.schema.kit.cost import CostPolicy, caller_key, operation_cost


@dataclass(frozen=True)
class Prepared:
    """An operation the compiled path answered whole: its nodes and its root response keys."""

    operation: OperationDefinitionNode
    fragments: tuple[FragmentDefinitionNode, ...]
    keys: tuple[str, ...]
    #: the root fields' plans by the request's variables (as canonical JSON): coercing the
    #: same variables gives the same values, and plans depend on nothing else of a request
    plans: LRU[bytes, tuple[tuple[PlanKey, Planned], ...]] = field(
        default_factory=lambda: LRU(64), compare=False
    )


@dataclass
class CompiledRoots:
    """What the execution context records on a request's context: the operation it ran and
    the root fields the compiled path answered without an error."""

    operation: OperationDefinitionNode
    fragments: tuple[FragmentDefinitionNode, ...]
    answered: list[str] = field(default_factory=list)

    def prepared(self) -> Prepared | None:
        """The operation, if every one of its root fields was answered by the compiled path."""
        operation = self.operation
        if operation.operation != OperationType.QUERY:
            return None
        keys: list[str] = []
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.directives:
                return None  # fragments or directives at the root: leave them to graphql-core
            keys.append((selection.alias or selection.name).value)
        if len(set(keys)) != len(keys) or sorted(keys) != sorted(self.answered):
            return None
        return Prepared(operation, self.fragments, tuple(keys))


class PreparedOperations:
    """One app's prepared operations (bounded, least recently used forgotten first) and the
    path that answers them."""

    def __init__(
        self,
        schema: GraphQLSchema,
        costs: CostPolicy,
        views: CompiledViews,
        settings: Settings,
        maxsize: int = 512,
    ) -> None:
        self.schema = schema
        self.costs = costs
        self.views = views
        self.settings = settings
        self._prepared: LRU[OperationKey, Prepared] = LRU(maxsize)
        #: requests answered here (the tests read it to know which path ran)
        self.answered = 0

    def learn(self, key: OperationKey, roots: CompiledRoots) -> None:
        prepared = roots.prepared()
        if prepared is not None:
            self._prepared.put(key, prepared)

    def get(self, key: OperationKey) -> Prepared | None:
        return self._prepared.get(key)

    def _plans(
        self, prepared: Prepared, variables: Mapping[str, Any] | None
    ) -> tuple[tuple[PlanKey, Planned], ...] | None:
        """Each root field's plan for these variables, None unless every one is a plan.
        The variables are coerced by graphql-core, as execution would coerce them."""
        operation = prepared.operation
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), dict(variables or {})
        )
        if isinstance(coerced, list):
            return None  # the normal path reports the coercion errors
        page_sizes = (self.settings.default_page_size, self.settings.max_page_size)
        planned: list[tuple[PlanKey, Planned]] = []
        for response_key in prepared.keys:
            key = PlanKey.of(operation, response_key, coerced.coerced, page_sizes)
            if key is None:
                return None
            found = self.views.plan(key, operation)
            if found is None or found.plan is None:
                return None
            planned.append((key, found))
        return tuple(planned)

    async def answer(
        self,
        prepared: Prepared,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        principal: Principal,
        request: Any,
        engine: AsyncEngine,
    ) -> dict[str, Any] | None:
        """The response body, or None to let the normal path answer (see the module doc)."""
        operation = prepared.operation
        raw = canonical_variables(variables)
        if raw is None:
            return None  # not prepared: as ``canonical_variables`` says, not shared either
        planned = prepared.plans.get(raw)
        if planned is None:
            planned = self._plans(prepared, variables)
            if planned is None:
                return None
            prepared.plans.put(raw, planned)

        def compute() -> int:
            document = DocumentNode(definitions=(operation, *prepared.fragments))
            return operation_cost(
                self.schema,
                document,
                operation_name,
                variables=variables,
                default_page_size=self.costs.default_page_size,
            )

        caller = caller_key(principal, request)
        charge = await self.costs.charge(caller, query, operation_name, variables, compute)
        if charge.refused is not None:
            return None  # refused: the normal path refuses it too, with its headers
        data: dict[str, Any] = {}
        try:
            for key, found in planned:
                data[key.field] = await read_view(
                    self.views, key, found, principal, engine, self.settings.max_page_size
                )
        except Exception:  # noqa: BLE001 - the normal path runs it again and reports the error
            await self.costs.refund(caller, charge)
            return None
        self.answered += 1
        return {"data": data, "extensions": {"queryCost": charge.report}}


async def read_view(
    views: CompiledViews,
    key: PlanKey,
    planned: Planned,
    principal: Principal,
    engine: AsyncEngine,
    max_page_size: int,
) -> Any:
    """One root field's value: its statement (cached when the caller's rules allow,
    ``cache.py``), read in one round trip and decoded."""
    assert planned.plan is not None
    scopes = caller_rules(principal, planned.types)
    statement = views.statement(key, scopes)
    if statement is None:
        compiler = Compiler(
            partial(row_scope, principal),
            partial(field_scope, principal),
            max_page_size=max_page_size,
        )
        statement = DriverStatement.of(compiler.statement(planned.plan), engine.dialect)
        views.keep_statement(key, scopes, statement)
    text = await fetch_text(engine, statement)
    return None if text is None else orjson.loads(text)


def caller_rules(principal: Principal, types: tuple[str, ...]) -> tuple[Predicate, ...]:
    """Everything of the caller a statement over ``types`` depends on: the row rule of each
    type, then the field rule of each guarded field of those types (filters compile it in).
    Two callers share a cached statement only when all of these are equal."""
    rows = tuple(policy.visible_rows(principal, t) for t in types)
    fields = tuple(
        policy.readable_rows(principal, t, f)
        for t in types
        for entity_type, f in sorted(policy.GUARDED_FIELDS)
        if entity_type == t
    )
    return rows + fields
