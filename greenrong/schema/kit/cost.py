"""Query cost: every operation is priced before it runs, and callers spend a budget.

The rules (docs/SECURITY.md, "Query limits"):

- A field's weight is declared next to it: ``strawberry.field(..., metadata=cost(5))``.
  Undeclared, a field weighs 1 when it returns an object, interface or union, 0 when it returns
  a scalar or an enum, and ``MUTATION_WEIGHT`` when it is a root mutation field.
- A field with a ``first`` or ``last`` argument is paged. Its page size is ``first``, else
  ``last``, else the argument's default, else ``default_page_size``; negative counts as 0. The
  list fields directly under it (a connection's ``edges``, ``Suggestions.items``, through
  unions and fragments) repeat that many times.
- Any other list field repeats its declared ``list_size`` times, else ``DEFAULT_LIST_SIZE``.
- A list field costs ``size × (weight + its selection)``, any other field ``weight + its
  selection``, and an operation the sum of its root fields.
- Fields are merged by response key as execution merges them. A fragment counts where it is
  spread, once per selection (as execution collects it). A selection on an interface or a union
  costs as much as its most expensive possible type.
- Introspection counts: ``__schema`` weighs ``SCHEMA_WEIGHT``, ``__type`` ``TYPE_WEIGHT``, other
  introspection fields the defaults, and introspection lists count once (their size is bounded
  by the schema, not by the data).
- ``@skip``/``@include`` are not evaluated: the cost is an upper bound.
- Text operands cost too: a point per ``TEXT_POINT_CHARS`` characters of string values, in the
  document's literals and in the variables together (a long ``contains`` pattern costs the
  database time in proportion to its length).

An operation's structural cost depends only on its document, its name and its integer
variables (the only values the rules read: ``first``/``last``), so ``OperationCosts`` remembers
it under those (a bounded LRU per app) and a repeated view is not walked again; the text of the
variables is priced on every request. The budget is still charged on every request.

``QueryCost`` runs in ``on_execute``: after parsing and validation (so fragment cycles were
already refused, and the walk also guards against them), before any resolver. Too costly
operations get ``QUERY_TOO_COSTLY``; callers whose budget is spent get ``RATE_LIMITED`` with a
retry-after hint. ``extensions.queryCost`` tells clients what they asked for and what is left.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    StringValueNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_composite_type,
    is_list_type,
    visit,
)
from graphql.type.definition import GraphQLAbstractType
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from greenrong.core.errors import ErrorCode
from greenrong.core.lru import LRU
from greenrong.domain.access.principal import Principal
from greenrong.schema.kit.definitions import field_metadata
from greenrong.schema.kit.ratelimit import Budgets
from greenrong.schema.kit.refusal import refusal

COST_KEY = "greenrong.cost"
DEFAULT_LIST_SIZE = 10
MUTATION_WEIGHT = 10
#: a full introspection returns about a thousand types and fields; 500 keeps GraphiQL's
#: introspection query (570) near a tenth of the default maximum, and 10 copies above it
SCHEMA_WEIGHT = 500
TYPE_WEIGHT = 10
PAGE_ARGUMENTS = ("first", "last")
#: deeper selections are refused outright (the depth limit ignores introspection fields)
MAX_NESTING = 64
#: a cost point per this many characters of text operands (literals and variables)
TEXT_POINT_CHARS = 1000


@dataclass(frozen=True, slots=True)
class FieldCost:
    """A field's declared cost: its own weight, and how many items its list holds."""

    weight: int | None = None
    list_size: int | None = None


def cost(weight: int | None = None, *, list_size: int | None = None) -> dict[str, FieldCost]:
    """Field metadata that declares a cost: ``strawberry.field(..., metadata=cost(5))``."""
    if weight is not None and weight < 0:
        raise ValueError("a cost weight cannot be negative")
    if list_size is not None and list_size < 0:
        raise ValueError("a list size cannot be negative")
    return {COST_KEY: FieldCost(weight, list_size)}


class TooDeep(Exception):
    """The selection nests deeper than ``MAX_NESTING``."""


def _declared(field: GraphQLField) -> FieldCost | None:
    declared = field_metadata(field).get(COST_KEY)
    return declared if isinstance(declared, FieldCost) else None


class CostCalculator:
    """Prices one operation of a validated document."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        *,
        variables: Mapping[str, Any] | None,
        default_page_size: int,
    ) -> None:
        self.schema = schema
        self.default_page_size = default_page_size
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables: dict[str, Any] = dict(variables or {})

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        literals = _LiteralText()
        for executable in (operation, *self.fragments.values()):
            visit(executable, literals)
        structure = self._selection_cost(root, [operation.selection_set], page=None, nesting=0)
        return structure + literals.characters // TEXT_POINT_CHARS

    def _selection_cost(
        self,
        named: GraphQLNamedType,
        selection_sets: list[SelectionSetNode],
        *,
        page: int | None,
        nesting: int,
    ) -> int:
        if not selection_sets or not is_composite_type(named):
            return 0
        if nesting > MAX_NESTING:
            raise TooDeep
        if isinstance(named, GraphQLObjectType):
            runtime_types: Iterable[GraphQLObjectType] = (named,)
        else:
            assert is_abstract_type(named)
            runtime_types = self.schema.get_possible_types(named)
        most = 0
        for runtime in runtime_types:
            groups: dict[str, list[FieldNode]] = {}
            self._collect(runtime, selection_sets, groups, set())
            total = sum(
                self._field_cost(runtime, nodes, page=page, nesting=nesting)
                for nodes in groups.values()
            )
            most = max(most, total)
        return most

    def _collect(
        self,
        runtime: GraphQLObjectType,
        selection_sets: Iterable[SelectionSetNode],
        groups: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        """Group the fields that apply to ``runtime`` by response key, as execution does.

        Each fragment is expanded once per collection (``visited``), which also stops cycles.
        """
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    groups.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self._applies(condition.name.value, runtime):
                        self._collect(runtime, [selection.selection_set], groups, visited)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self._applies(fragment.type_condition.name.value, runtime):
                        self._collect(runtime, [fragment.selection_set], groups, visited)

    def _applies(self, type_name: str, runtime: GraphQLObjectType) -> bool:
        condition = self.schema.get_type(type_name)
        if condition is runtime:
            return True
        return isinstance(condition, GraphQLAbstractType) and self.schema.is_sub_type(
            condition, runtime
        )

    def _field_cost(
        self, parent: GraphQLObjectType, nodes: list[FieldNode], *, page: int | None, nesting: int
    ) -> int:
        name = nodes[0].name.value
        weight: int | None = None
        if name == "__typename":
            return 0
        if name == "__schema":
            field, weight = SchemaMetaFieldDef, SCHEMA_WEIGHT
        elif name == "__type":
            field, weight = TypeMetaFieldDef, TYPE_WEIGHT
        elif name in parent.fields:
            field = parent.fields[name]
        else:
            return 0  # validation refused unknown fields already
        named = get_named_type(field.type)
        declared = _declared(field)
        if declared is not None and declared.weight is not None:
            weight = declared.weight
        if weight is None:
            if parent is self.schema.mutation_type:
                weight = MUTATION_WEIGHT
            else:
                weight = 1 if is_composite_type(named) else 0
        is_list = is_list_type(get_nullable_type(field.type))
        paged = any(argument in field.args for argument in PAGE_ARGUMENTS)
        own_page = self._page_size(field, nodes[0]) if paged else None
        selections = [node.selection_set for node in nodes if node.selection_set is not None]
        below = self._selection_cost(
            named,
            selections,
            page=None if is_list else own_page,
            nesting=nesting + 1,
        )
        if not is_list:
            return weight + below
        if declared is not None and declared.list_size is not None:
            size = declared.list_size
        elif own_page is not None:
            size = own_page
        elif parent.name.startswith("__"):
            size = 1
        elif page is not None:
            size = page
        else:
            size = DEFAULT_LIST_SIZE
        return size * (weight + below)

    def _page_size(self, field: GraphQLField, node: FieldNode) -> int:
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in PAGE_ARGUMENTS:
            value = self._int_argument(given.get(name), field.args.get(name))
            if value is not None:
                return max(0, value)
        return self.default_page_size

    def _int_argument(self, value: ValueNode | None, argument: Any) -> int | None:
        raw: object
        if value is None:
            raw = getattr(argument, "default_value", None)
        elif isinstance(value, VariableNode):
            raw = self.variables.get(value.name.value)
        elif isinstance(value, IntValueNode):
            raw = int(value.value)
        else:
            raw = None
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


class _LiteralText(Visitor):
    """Counts the characters of a document's string literals."""

    def __init__(self) -> None:
        super().__init__()
        self.characters = 0

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        self.characters += len(node.value)


def variable_text_points(variables: Mapping[str, Any] | None) -> int:
    """The cost of the text in the variables: a point per ``TEXT_POINT_CHARS`` characters
    (walked without recursion: the nesting of a JSON body is the HTTP layer's to bound)."""
    characters = 0
    stack: list[Any] = [variables or {}]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            characters += len(value)
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return characters // TEXT_POINT_CHARS


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    *,
    variables: Mapping[str, Any] | None = None,
    default_page_size: int,
) -> int:
    """The cost of the named (or only) operation of a validated document."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    calculator = CostCalculator(
        schema, document, variables=variables, default_page_size=default_page_size
    )
    return calculator.operation_cost(operation)


#: the key of a priced operation: query text, operation name, integer variables by name
CostKey = tuple[str, str | None, tuple[tuple[str, int], ...]]


def cost_key(
    query: str, operation_name: str | None, variables: Mapping[str, Any] | None
) -> CostKey:
    """What an operation's cost depends on, besides the schema and the default page size."""
    numbers = tuple(
        sorted(
            (name, value)
            for name, value in (variables or {}).items()
            if isinstance(value, int) and not isinstance(value, bool)
        )
    )
    return query, operation_name, numbers


class OperationCosts:
    """Recently priced operations: the cost, or None for "nests too deep"; at most ``maxsize``,
    the least recently used forgotten first."""

    def __init__(self, maxsize: int = 512) -> None:
        self._costs: LRU[CostKey, int | None] = LRU(maxsize)

    def price(self, key: CostKey, compute: Callable[[], int]) -> int:
        """The remembered cost, else ``compute()``'s (``TooDeep`` is remembered and raised)."""
        if key in self._costs:
            known = self._costs.get(key)
        else:
            try:
                known = compute()
            except TooDeep:
                known = None
            self._costs.put(key, known)
        if known is None:
            raise TooDeep
        return known


def caller_key(principal: Principal | None, request: object) -> str:
    """Whose budget an operation spends: the caller's identity (its API key, else its token
    subject), else the client's IP."""
    if principal is not None and principal.identity is not None:
        return principal.identity
    client = getattr(request, "client", None)
    return f"ip:{getattr(client, 'host', None) or 'unknown'}"


@dataclass(frozen=True, slots=True)
class Charge:
    """What pricing one request came to: ``extensions.queryCost``, and the refusal if any.
    A refused request took nothing from the budget."""

    report: dict[str, int]
    refused: GraphQLError | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class CostPolicy:
    """What ``QueryCost`` enforces; one per app (``QueryLimits``), so the buckets outlive
    requests."""

    max_cost: int
    default_page_size: int
    buckets: Budgets
    costs: OperationCosts = field(default_factory=OperationCosts)

    async def charge(
        self,
        key: str,
        query: str | None,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        compute: Callable[[], int],
    ) -> Charge:
        """Price the operation (``compute`` walks the document when its cost is not known)
        and take it from the caller's budget, or refuse it. Both the extension below and the
        prepared-operation path (``resolvers/compiled/operations.py``) charge through here."""
        report = {"maximum": self.max_cost, "budgetPerMinute": self.buckets.capacity}
        try:
            if query is None:
                requested = compute()
            else:
                requested = self.costs.price(cost_key(query, operation_name, variables), compute)
            requested += variable_text_points(variables)
        except TooDeep:
            report["remaining"] = await self.buckets.remaining(key)
            return Charge(
                report,
                refusal(
                    ErrorCode.QUERY_TOO_COSTLY,
                    f"This query nests more than {MAX_NESTING} levels deep.",
                    maximumCost=self.max_cost,
                ),
            )
        if requested > self.max_cost:
            report = {
                "requested": requested,
                **report,
                "remaining": await self.buckets.remaining(key),
            }
            return Charge(
                report,
                refusal(
                    ErrorCode.QUERY_TOO_COSTLY,
                    f"This query costs {requested} points; the most one request may cost is "
                    f"{self.max_cost}. Ask for smaller pages (first/last) or fewer nested lists.",
                    cost=requested,
                    maximumCost=self.max_cost,
                ),
            )
        taken = await self.buckets.take(key, requested)
        report = {"requested": requested, **report, "remaining": taken.remaining}
        if taken.allowed:
            return Charge(report)
        report["retryAfterSeconds"] = taken.retry_after
        return Charge(
            report,
            refusal(
                ErrorCode.RATE_LIMITED,
                f"This query costs {requested} points and {taken.remaining} are left of your "
                f"{self.buckets.capacity} per minute; retry in {taken.retry_after} s.",
                cost=requested,
                remaining=taken.remaining,
                retryAfterSeconds=taken.retry_after,
            ),
            retry_after=taken.retry_after,
        )

    async def refund(self, key: str, charge: Charge) -> None:
        """Give a taken cost back (the request was answered by another path after all)."""
        if charge.refused is None:
            await self.buckets.give_back(key, charge.report["requested"])


class QueryCost(SchemaExtension):
    """Prices each operation and charges the caller's budget, under the policy of the app
    serving the request (``QueryLimits.costs`` in its context, ``schema/kit/limits.py``)."""

    def __init__(self) -> None:
        self.report: dict[str, int] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        refused = await self._refusal()
        if refused is not None:
            # raised before graphql-core starts; strawberry answers it as the only error, for
            # queries and mutations as for subscriptions
            raise refused
        yield

    async def _refusal(self) -> GraphQLError | None:
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return None
        policy: CostPolicy = context.context.limits.costs

        def compute() -> int:
            return operation_cost(
                context.schema._schema,
                document,
                context.operation_name,
                variables=context.variables,
                default_page_size=policy.default_page_size,
            )

        charge = await policy.charge(
            caller_key(
                getattr(context.context, "principal", None),
                getattr(context.context, "request", None),
            ),
            context.query,
            context.operation_name,
            context.variables,
            compute,
        )
        self.report = charge.report
        response = getattr(context.context, "response", None)
        if charge.retry_after is not None and isinstance(response, Response):
            response.headers["Retry-After"] = str(charge.retry_after)
        return charge.refused

    def get_results(self) -> dict[str, Any]:
        return {} if self.report is None else {"queryCost": self.report}
