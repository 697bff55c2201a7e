"""The input edge: every argument value of an operation is checked once, before it runs.

graphql-core coerces an operation's variables and literals to Python values; strawberry's
scalars accept more than the databases, the search engine and the domain can hold (``NaN`` and
``1E+9999999`` as a Decimal, a timestamp without an offset or in year 9999, NUL and lone
surrogates in text, a million-item ``or`` list in the variables). ``check_operation`` walks the
operation's selections (fragments included, each once) and, for each field with arguments,
the values graphql-core gives its resolver, after the variables are applied, and refuses the
whole operation at the first value outside these rules (docs/SECURITY.md, "Input limits"):

- **Text** (``String`` and ``ID``): no NUL, no other C0 control character but tab, line feed
  and carriage return, no lone surrogate; at most ``text_limit(name)`` characters, from the one
  table ``TEXT_LIMITS`` by the field's API name (``DEFAULT_TEXT_LIMIT`` for the others).
- **Decimal**: finite (no ``NaN``, ``Infinity``, ``sNaN``), below 10^16 in magnitude (what
  ``NUMERIC(18, 2)`` holds), at most ``MAX_DECIMAL_PLACES`` places. Finer rules (money has 2
  places, a rate is a fraction below 1) stay with the domain and the filter compiler, which know
  the column.
- **DateTime**: with a UTC offset, and **Date** and DateTime within ``EARLIEST``…``LATEST``
  (years 1900–2200), which PostgreSQL and SQLite both store and return exactly.
- **first/last**: from 0 to ``max_page_size``.
- **Size**: at most ``max_input_nodes`` input objects and list items in all of the operation's
  arguments together (a ``where`` tree's ``and``/``or``/``not`` entries, conditions and ``in``
  items), nested at most ``MAX_INPUT_DEPTH`` levels. Each variable is held to the same bounds as
  sent, before graphql-core coerces it (``check_variables``).

The refusal is a request error (no ``path``, as ``schema/kit/refusal.py``'s), located at the
field, with ``extensions.code`` and
``extensions.field`` (the argument path, ``input.contactPhone``, ``where.or.3.name.contains``),
raised from the execution context's ``build`` (``resolvers/compiled/execution.py``), so it
stops queries, mutations and subscriptions, on the resolver and the compiled path alike,
before any resolver or SQL runs. A refused operation changed nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from greenrong.core.errors import ErrorCode

#: THE table of text lengths, by the field's (or argument's) API name. A field the domain does
#: not check is held to its column's length here (``tests/input/test_limits_table.py`` holds the
#: table to the models). A field the domain checks per entity (``DOMAIN_CHECKED``: names,
#: titles, a saved search's query) gets a looser bound here, so the domain's own maximum (100
#: to 500) answers with its typed ``ValidationError`` payload.
TEXT_LIMITS: Mapping[str, int] = {
    # filter operands (StringFilter) and search text
    "contains": 200,
    "startsWith": 200,
    "eq": 500,
    "ne": 500,
    "in": 500,
    "query": 1000,
    "prefix": 100,
    # names and titles (the domain checks each entity's own maximum, 100 to 300)
    "name": 400,
    "title": 400,
    "affiliation": 400,
    "field": 400,
    "department": 400,
    "purpose": 4000,
    # contact fields
    "contactPerson": 100,
    "contactPhone": 40,
    "contactEmail": 200,
    # codes the domain checks against its catalogues
    "code": 64,
    "creditCode": 64,
    "regionCode": 64,
    "region": 64,
    "eligibleRegionCodes": 64,
    "industrySection": 64,
    "industryDivision": 64,
    # short values
    "pbocSubArea": 40,
    "unit": 20,
    "outputUnit": 20,
    "model": 80,
    "factorVersion": 20,
    "version": 20,
    "keyPrefix": 40,
    "key": 100,
    "serial": 100,
    "sha256": 64,
    "verifier": 200,
    "url": 2000,
    "note": 500,
    "after": 1000,
    "before": 1000,
    # longer text
    "description": 500,
    "reason": 2000,
    "reasons": 2000,
    "comment": 2000,
    "climateScope": 2000,
    "bio": 5000,
    "text": 5000,
    "body": 50_000,
}
#: fields whose length the domain checks for each entity (``domain/kit/rules.text`` and the
#: like), before anything is stored
DOMAIN_CHECKED = frozenset(
    {"name", "title", "affiliation", "field", "department", "purpose", "query"}
    | {"code", "creditCode", "regionCode", "region", "eligibleRegionCodes"}
    | {"industrySection", "industryDivision"}
)
#: any other text field
DEFAULT_TEXT_LIMIT = 1000
#: a global id (``ID``): base64 of "Type:uuid", well under this
ID_LIMIT = 200

#: |value| < 10^16 (what NUMERIC(18, 2) holds)
MAX_DECIMAL_DIGITS = 16
MAX_DECIMAL_PLACES = 10
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
MAX_INPUT_DEPTH = 32
PAGE_ARGUMENTS = frozenset({"first", "last"})

#: C0 controls but tab, line feed and carriage return; and lone UTF-16 surrogates
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def text_limit(name: str) -> int:
    return TEXT_LIMITS.get(name, DEFAULT_TEXT_LIMIT)


@dataclass(frozen=True)
class EdgeLimits:
    """The settings the edge reads (``Settings.max_input_nodes``, ``max_page_size``)."""

    max_input_nodes: int
    max_page_size: int


class Refused(Exception):
    """One value broke a rule; ``field`` is its argument path."""

    def __init__(self, field: str, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


def check_text(value: str, name: str, path: str, *, limit: int | None = None) -> None:
    """Refuse control characters, lone surrogates and text over the table's length."""
    most = text_limit(name) if limit is None else limit
    if len(value) > most:
        raise Refused(path, ErrorCode.OUT_OF_RANGE, f"is longer than {most} characters")
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        char = ord(bad.group())
        what = "a lone surrogate" if char >= 0xD800 else "a control character"
        raise Refused(path, ErrorCode.INVALID_FORMAT, f"contains {what} (U+{char:04X})")


def check_decimal(value: Decimal, path: str) -> None:
    if not value.is_finite():
        raise Refused(path, ErrorCode.INVALID_FORMAT, "must be a finite number")
    if value and value.adjusted() >= MAX_DECIMAL_DIGITS:  # no arithmetic: 1E+9999999 overflows
        raise Refused(path, ErrorCode.OUT_OF_RANGE, "must be below 10^16 in magnitude")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise Refused(
            path, ErrorCode.INVALID_FORMAT, f"has more than {MAX_DECIMAL_PLACES} decimal places"
        )


def check_datetime(value: datetime, path: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise Refused(
            path, ErrorCode.INVALID_FORMAT, "needs a UTC offset (2026-01-01T08:00:00+08:00 or …Z)"
        )
    # the year first: converting year 1 or 9999 to UTC may leave the calendar
    if not EARLIEST.year - 1 < value.year < LATEST.year + 1 or not EARLIEST <= value <= LATEST:
        raise Refused(path, ErrorCode.OUT_OF_RANGE, _RANGE)


def check_date(value: date, path: str) -> None:
    if not EARLIEST.date() <= value <= LATEST.date():
        raise Refused(path, ErrorCode.OUT_OF_RANGE, _RANGE)


_RANGE = f"must be from {EARLIEST.year}-01-01 to {LATEST.year}-12-31 (UTC)"


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        limits: EdgeLimits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.nodes = 0
        self.seen: set[str] = set()

    def selections(self, parent: GraphQLNamedType, selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                named = self.schema.get_type(condition.name.value) if condition else parent
                self.selections(named or parent, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.seen:
                    continue
                self.seen.add(name)
                named = self.schema.get_type(fragment.type_condition.name.value)
                self.selections(named or parent, fragment.selection_set)

    def field(self, parent: GraphQLNamedType, node: FieldNode) -> None:
        definition = self._definition(parent, node.name.value)
        if definition is None:
            return
        if node.arguments:  # arguments left out take the schema's defaults, which pass
            try:
                arguments = get_argument_values(definition, node, self.variables)
            except GraphQLError:
                arguments = {}  # execution reports it, as it always has
            try:
                for name, value in arguments.items():
                    self.argument(definition.args[name].type, name, value)
            except Refused as refused:
                # a request error (no path: nothing ran), located at the field
                raise GraphQLError(
                    f"{refused.field}: {refused.message}",
                    nodes=[node],
                    extensions={"code": str(refused.code), "field": refused.field},
                ) from None
        if node.selection_set is not None:
            self.selections(get_named_type(definition.type), node.selection_set)

    def _definition(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        fields: Mapping[str, GraphQLField] | None = getattr(parent, "fields", None)
        return None if fields is None else fields.get(name)

    def argument(self, type_: GraphQLInputType, name: str, value: Any) -> None:
        if name in PAGE_ARGUMENTS and isinstance(value, int) and not isinstance(value, bool):
            most = self.limits.max_page_size
            if not 0 <= value <= most:
                raise Refused(name, ErrorCode.OUT_OF_RANGE, f"{name} must be between 0 and {most}")
        self.value(type_, name, name, value, depth=0)

    def value(self, type_: GraphQLInputType, name: str, path: str, value: Any, depth: int) -> None:
        if value is None:
            return
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            items: Iterable[Any] = value if isinstance(value, list) else [value]
            # an input object counts itself; a scalar item counts here
            scalars = not isinstance(get_named_type(type_), GraphQLInputObjectType)
            for index, item in enumerate(items):
                if scalars:
                    self._count(f"{path}.{index}", depth)
                self.value(type_.of_type, name, f"{path}.{index}", item, depth + 1)
        elif isinstance(type_, GraphQLInputObjectType):
            self._count(path, depth)
            for key, item in value.items():
                field = type_.fields.get(key)
                if field is not None:
                    self.value(field.type, key, f"{path}.{key}", item, depth + 1)
        elif isinstance(type_, GraphQLScalarType):
            self.scalar(type_.name, name, path, value)

    def _count(self, path: str, depth: int) -> None:
        self.nodes += 1
        most = self.limits.max_input_nodes
        if self.nodes > most:
            raise Refused(
                path,
                ErrorCode.OUT_OF_RANGE,
                f"the operation's arguments hold more than {most} input objects and list items",
            )
        if depth > MAX_INPUT_DEPTH:
            raise Refused(path, ErrorCode.OUT_OF_RANGE, f"nests more than {MAX_INPUT_DEPTH} levels")

    def scalar(self, scalar: str, name: str, path: str, value: Any) -> None:
        if isinstance(value, str):
            check_text(value, name, path, limit=ID_LIMIT if scalar == "ID" else None)
        elif isinstance(value, Decimal):
            check_decimal(value, path)
        elif isinstance(value, datetime):
            check_datetime(value, path)
        elif isinstance(value, date):
            check_date(value, path)


def check_variables(variables: Mapping[str, Any] | None, limits: EdgeLimits) -> GraphQLError | None:
    """The size rule on the variables as sent, before graphql-core coerces them (coercing ten
    thousand ``or`` items takes about 0.3 s): at most ``max_input_nodes`` objects and list items
    (an object counts itself, a scalar item counts as one), nested at most
    ``MAX_INPUT_DEPTH`` levels. ``field`` names the variable (``$where``)."""
    for name, value in (variables or {}).items():
        nodes = 0
        stack: list[tuple[Any, int]] = [(value, 0)]
        while stack:
            item, depth = stack.pop()
            if isinstance(item, Mapping):
                nodes += 1
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, list):
                nodes += sum(1 for v in item if not isinstance(v, Mapping))
                stack.extend((v, depth + 1) for v in item)
            else:
                continue
            if nodes > limits.max_input_nodes or depth > MAX_INPUT_DEPTH:
                reason = (
                    f"holds more than {limits.max_input_nodes} input objects and list items"
                    if nodes > limits.max_input_nodes
                    else f"nests more than {MAX_INPUT_DEPTH} levels"
                )
                return GraphQLError(
                    f"${name}: {reason}",
                    extensions={"code": str(ErrorCode.OUT_OF_RANGE), "field": f"${name}"},
                )
    return None


def check_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: VariableValues,
    limits: EdgeLimits,
) -> GraphQLError | None:
    """The refusal of the operation's first value outside the rules, or None."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    walk = _Walk(schema, fragments, variables, limits)
    try:
        walk.selections(root, operation.selection_set)
    except GraphQLError as error:
        return error
    return None
