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

from collections.abc import Awaitable
from typing import Any

from graphql import GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from starlette.requests import Request
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.info import Info as StrawberryInfo

from greenrong.core.config import Settings
from greenrong.resolvers.compiled.cache import CompiledViews, PlanKey, Planned
from greenrong.resolvers.compiled.operations import CompiledRoots, read_view
from greenrong.resolvers.compiled.plan import Planner
from greenrong.resolvers.node import NODE_TYPES
from greenrong.schema.kit.context import Context
from greenrong.schema.kit.edge import EdgeLimits, check_operation, check_variables

#: recently seen views of this process (``cache.py``)
VIEWS = CompiledViews()
_DEFAULTS = Settings.model_fields
#: the input edge's limits for a context that is not a request's (the settings' defaults)
DEFAULT_EDGE_LIMITS = EdgeLimits(
    _DEFAULTS["max_input_nodes"].default, _DEFAULTS["max_page_size"].default
)


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
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
            definition = field.extensions.get("strawberry-definition")
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


def _enabled(context: Context) -> bool:
    if not context.settings.compiled_views:
        return False
    bind = context.sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"
