"""The execution context that sends compilable root fields through the compiled path.

graphql-core calls ``execute_field`` once per field. For a field of the Query root whose
selection the planner accepts, this class returns the finished value (decoded from the JSON
PostgreSQL built) instead of resolving and completing the subtree field by field. Everything
else, including every field of a mutation or subscription, goes to graphql-core unchanged.

Parsing, validation and every schema extension (limits, cost, persisted queries, error policy)
run before execution as usual; this class only changes how a root field's value is produced.
The compiled path runs only when all of these hold:

- ``Settings.compiled_views`` is on and the database is PostgreSQL (SQLite: normal path);
- no schema extension wraps resolvers (a ``resolve`` hook would be skipped otherwise);
- the planner (``plan.py``) accepts the whole selection of the root field.

The caller's row visibility comes from ``Loaders.scope``, the same per-request function the
loaders use, so both paths see the same rows; fields the access policy guards carry a field
extension, which makes the planner decline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from starlette.requests import Request
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info as StrawberryInfo

from greenrong.core.config import Settings
from greenrong.resolvers.compiled.cache import CompiledViews, PlanKey, Planned
from greenrong.resolvers.compiled.operations import CompiledRoots, read_view
from greenrong.resolvers.compiled.plan import Planner
from greenrong.resolvers.node import NODE_TYPES
from greenrong.schema.kit.context import Context
from greenrong.schema.kit.definitions import strawberry_definition
from greenrong.schema.kit.edge import EdgeLimits, check_operation, check_variables

#: recently seen views of this process (``cache.py``)
VIEWS = CompiledViews()
_DEFAULTS = Settings.model_fields
#: the input edge's limits for a context that is not a request's (the settings' defaults)
DEFAULT_EDGE_LIMITS = EdgeLimits(
    _DEFAULTS["max_input_nodes"].default, _DEFAULTS["max_page_size"].default
)


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: per selection (by identity): how its plain leaves are read (``_plan``)
        self._plans: dict[int, tuple[GroupedFieldSet, tuple[PlainKey, ...] | None]] = {}

    @classmethod
    def build(
        cls,
        schema: Any,
        document: Any,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """graphql-core's executor, or its errors, with the input edge (``schema/kit/edge.py``)
        around it: variables too large are refused before they are coerced, and an operation
        with an argument value outside the input limits after, before any resolver runs, on
        every path."""
        if isinstance(context_value, Context):
            settings = context_value.settings
            limits = EdgeLimits(settings.max_input_nodes, settings.max_page_size)
        else:
            limits = DEFAULT_EDGE_LIMITS
        too_large = check_variables(raw_variable_values, limits)
        if too_large is not None:
            return [too_large]
        built = super().build(
            schema, document, root_value, context_value, raw_variable_values, *args, **kwargs
        )
        if isinstance(built, list):
            return built
        refused = check_operation(
            built.schema, built.operation, built.fragment_definitions, built.variable_values, limits
        )
        return built if refused is None else [refused]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if path is not None and self._plain_leaves:
            plan = self._plan(parent_type, grouped_field_set)
            values = None if plan is None else _plain_values(plan, parent_type, source_value)
            if values is not None:
                return values
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        """A list of objects made only of plain fields (a match's reasons; a page's edges with
        their nodes, ``_object_plan``) as one loop over its items; any other list, or one with
        an item the loop cannot answer, as graphql-core completes it."""
        object_type = get_nullable_type(item_type)
        if (
            self._plain_leaves
            and isinstance(object_type, GraphQLObjectType)
            and self.get_stream_usage(field_details_list, path) is None
        ):
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            plan = self._plan(object_type, grouped_field_set)
            items = items if isinstance(items, list) else list(items)
            if plan is not None and not new_defer_usages:
                completed = _object_values(PlainObject(object_type, plan, many=True), items)
                if completed is not None:
                    return completed
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[PlainKey, ...] | None:
        """``_object_plan``, once per selection of this operation."""
        kept = self._plans.get(id(grouped_field_set))
        if kept is None or kept[0] is not grouped_field_set:
            kept = self._plans[id(grouped_field_set)] = (
                grouped_field_set,
                self._object_plan(parent_type, grouped_field_set),
            )
        return kept[1]

    def _object_plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[PlainKey, ...] | None:
        """How to answer these fields of ``parent_type`` when each is a plain leaf,
        ``__typename`` or a plain object (or list of them) made the same way, however deep;
        None when any is not."""
        plan: list[PlainKey] = []
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            if name == "__typename":
                plan.append((response_name, None))
                continue
            plain = _plain_leaf(parent_type, name) or self._plain_object(
                parent_type, name, field_details_list
            )
            if plain is None:
                return None
            plan.append((response_name, plain))
        return tuple(plan)

    def _plain_object(
        self, parent_type: GraphQLObjectType, name: str, field_details_list: FieldDetailsList
    ) -> PlainField | None:
        """A field strawberry resolves by reading an attribute whose value is an object, or a
        list of objects, whose selection is itself plain (``_object_plan``): a connection's
        edges with their nodes. Not with ``@defer``/``@stream`` or any other directive on it."""
        basic = _basic_field(parent_type, name)
        if basic is None or any(d.node.directives for d in field_details_list):
            return None
        many = isinstance(basic.kind, GraphQLList)
        object_type = get_nullable_type(basic.kind.of_type) if many else basic.kind
        if not isinstance(object_type, GraphQLObjectType):
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        plan = None if new_defer_usages else self._plan(object_type, grouped_field_set)
        if plan is None:
            return None
        return dataclasses.replace(basic, kind=PlainObject(object_type, plan, many))

    @property
    def _plain_leaves(self) -> bool:
        """Whether plain leaves may skip the resolver: not when a schema extension's ``resolve``
        hook (a middleware) must see every field."""
        return self.middleware_manager is None or not self.middleware_manager.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if path.prev is None and parent_type is self.schema.query_type:
            compiled = self._compiled(parent_type, field_details_list, path)
            if compiled is not None:
                return compiled
        elif self._plain_leaves:
            plain = _plain_leaf(parent_type, field_details_list[0].node.name.value)
            if plain is not None:
                key = field_details_list[0].node.name.value
                values = _plain_values(((key, plain),), parent_type, source)
                if values is not None:
                    return values[key]
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _compiled(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList, path: Path
    ) -> Awaitable[Any] | None:
        """The root field's value as an awaitable, or None to run the normal path."""
        context = self.context_value
        if not (isinstance(context, Context) and _enabled(context)):
            return None
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return None
        if len(field_details_list) != 1:
            return None
        details = field_details_list[0]
        field = parent_type.fields.get(details.node.name.value)
        if field is None:
            return None
        settings = context.settings
        page_sizes = (settings.default_page_size, settings.max_page_size)
        key = PlanKey.of(self.operation, str(path.key), self.variable_values.coerced, page_sizes)
        if key is None:
            return None
        planned = VIEWS.plan(key, self.operation)
        if planned is None:
            raw_info = self.build_resolve_info(field, [details.node], parent_type, path)
            definition = strawberry_definition(field)
            info: Any = StrawberryInfo(_raw_info=raw_info, _field=definition)
            planner = Planner(
                self.schema, self.fragment_definitions, self.variable_values, info, NODE_TYPES
            )
            planned = VIEWS.keep_plan(key, self.operation, planner.root(field, details.node))
        if planned.plan is None:
            return None
        return self._run(context, key, planned, field_details_list, path)

    async def _run(
        self,
        context: Context,
        key: PlanKey,
        planned: Planned,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            engine = context.sessionmaker.kw["bind"]
            principal, max_page_size = context.loaders.principal, context.settings.max_page_size
            value = await read_view(VIEWS, key, planned, principal, engine, max_page_size)
        except Exception as error:  # noqa: BLE001 - as graphql-core does for any resolver error
            field = self.schema.query_type.fields[field_details_list[0].node.name.value]  # type: ignore[union-attr]
            self.handle_field_error(error, field.type, field_details_list, path)
            return None
        if not isinstance(context.request, Request):
            return value  # only an HTTP request's operation is learnt (schema/view.py)
        if context.compiled is None or context.compiled.operation is not self.operation:
            fragments = tuple(self.fragment_definitions.values())
            context.compiled = CompiledRoots(self.operation, fragments)
        context.compiled.answered.append(str(path.key))
        return value


@dataclass(frozen=True, slots=True)
class PlainField:
    """How to read a plain field: an attribute (None: through strawberry's resolver
    ``resolve``), what its value is (a leaf type, a plain object's plan, or, before planning, a
    list or object type), and whether it may be null."""

    attribute: str | None
    resolve: Any
    kind: Any
    nullable: bool


@dataclass(frozen=True, slots=True)
class PlainObject:
    """A plain field's object type (or its list's item type) and the plan of its selection."""

    object_type: GraphQLObjectType
    plan: tuple[PlainKey, ...]
    many: bool


#: one response key of a plain object and how to read it (None: ``__typename``)
PlainKey = tuple[str, PlainField | None]
#: per (type, field name): the field as a plain leaf, or None
_PLAIN_LEAVES: dict[tuple[GraphQLObjectType, str], PlainField | None] = {}


def _plain_leaf(parent_type: GraphQLObjectType, name: str) -> PlainField | None:
    """A plain field (``_basic_field``) whose type is a scalar or an enum; None for any other
    field."""
    key = (parent_type, name)
    if key not in _PLAIN_LEAVES:
        basic = _basic_field(parent_type, name)
        _PLAIN_LEAVES[key] = basic if basic is not None and is_leaf_type(basic.kind) else None
    return _PLAIN_LEAVES[key]


def _basic_field(parent_type: GraphQLObjectType, name: str) -> PlainField | None:
    """A field strawberry resolves by reading an attribute (``is_basic_field``: no resolver and
    no field extension, so neither ``Guarded`` nor a permission class; strawberry then calls
    it without resolve info) and without arguments, its kind its nullable type; None for any
    other field."""
    field = parent_type.fields.get(name)
    definition = None if field is None else strawberry_definition(field)
    if (
        field is None
        or not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or not getattr(field.resolve, "_is_default", False)
        or field.args
    ):
        return None
    getter = definition.default_resolver is getattr
    return PlainField(
        definition.python_name if getter else None,
        field.resolve,
        get_nullable_type(field.type),
        not is_non_null_type(field.type),
    )


def _plain_values(
    plan: tuple[PlainKey, ...], parent_type: GraphQLObjectType, source: Any
) -> dict[str, Any] | None:
    """The object's values as graphql-core completes them, without the resolve info, the
    argument coercion and the completion dispatch each field costs; None when a value is null,
    does not coerce or is not of its object type, for the normal path to answer it (and report
    the error, if any)."""
    values: dict[str, Any] = {}
    try:
        for response_name, plain in plan:
            if plain is None:
                values[response_name] = parent_type.name
                continue
            attribute, kind = plain.attribute, plain.kind
            result = (
                plain.resolve(source, None) if attribute is None else getattr(source, attribute)
            )
            if result is None:
                if not plain.nullable:
                    return None
                values[response_name] = None
                continue
            if isinstance(kind, PlainObject):
                nested = _object_values(kind, result)
                if nested is None:
                    return None
                values[response_name] = nested
                continue
            coerced = kind.coerce_output_value(result)
            if coerced is None or coerced is Undefined:
                return None
            values[response_name] = coerced
    except Exception:  # noqa: BLE001 - the normal path raises it again, where it is reported
        return None
    return values


def _object_values(kind: PlainObject, value: Any) -> Any:
    """A plain object's (or list's) completed value; None to leave it to the normal path."""
    object_type, is_type_of = kind.object_type, kind.object_type.is_type_of
    items = value if kind.many else (value,)
    if isinstance(items, (str, bytes, dict)):
        return None
    completed = []
    for item in items:
        # graphql-core asks is_type_of of an object type that has one: strawberry's, for a type
        # with interfaces, is an isinstance check that reads no resolve info (no type of
        # ours defines its own)
        if item is None or (is_type_of is not None and not is_type_of(item, None)):  # type: ignore[arg-type]
            return None
        values = _plain_values(kind.plan, object_type, item)
        if values is None:
            return None
        completed.append(values)
    return completed if kind.many else completed[0]


def _enabled(context: Context) -> bool:
    if not context.settings.compiled_views:
        return False
    bind = context.sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"
