"""What the fuzzer sends: hypothesis-graphql's queries and mutations of greenrong's schema, and
a few hostile raw bodies.

hypothesis-graphql draws valid operations (any root field, any selection, arguments of the right
shapes); the values in them come from the strategies here, which mix

- the seeded data (``Pool``: global ids, cursors and strings read back from the API), so that
  lookups, filters and updates reach real rows;
- plausible Chinese input;
- the hostile values of issue 18: non-finite and huge decimals, DateTimes without an offset or
  at the calendar's ends, NUL, control characters, lone surrogates, long operands, wide and
  deep where trees.

Each operation sends its arguments either inline or as variables (``$a0``, ``$a1``, …): the
variables path has checks and limits of its own (coercion, prepared operations, the token limit
it bypasses), and only JSON carries a lone surrogate.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from greenrong.resolvers.relations import root_lists

#: operation kinds, as counted in the report
QUERY, MUTATION, RAW = "query", "mutation", "raw"

#: characters of plausible input: Chinese names and words, ASCII, digits, punctuation
CJK = "绿色金融科技有限公司成都绵阳四川光伏储能碳排放减排项目节能环保新材料氢能风电水电生态农业"
ALPHABET = st.sampled_from(CJK) | st.characters(min_codepoint=0x20, max_codepoint=0x7E)

#: strings of issue 18's classes: NUL, C0 controls, a lone surrogate (it can only travel in
#: variables: JSON escapes it, a GraphQL string literal cannot), bidi overrides, blanks
HOSTILE_STRINGS = (
    "",
    " ",
    "a\x00b",
    "\x00",
    "a\x01\x1b[31mb",
    "a\ud800b",
    "\udfff",
    "a\tb\nc\r\n",
    "\u202e成都\u202c",
    "\ufeff绿色",
    "%",
    "_",
    "\\",
    "'; DROP TABLE enterprise; --",
)
#: lengths past every column and past SQLite's LIKE pattern limit (50,000 bytes)
LONG_LENGTHS = (41, 201, 501, 2_001, 10_001, 60_000)
DECIMAL_STRINGS = (
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1E+9999999",
    "1e-9999999",
    "-0",
    "0.0000000001",
    "99999999999999999999999999999",
    "1e30",
    "-5",
    "12,000",
    "",
    "一百万",
)
DATETIME_STRINGS = (
    "2026-01-01T00:00:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30T00:00:00Z",
    "2026-01-01",
    "2026-01-01T24:00:00Z",
    "1899-12-31T23:59:59Z",
    "2201-01-01T00:00:00Z",
    "",
    "now",
)
DATE_STRINGS = (
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-1-1",
    "1899-12-31",
    "2201-01-01",
    "2026-01-01T00:00:00Z",
    "",
)
INTS = (0, -1, -5, 1, 2, 5, 20, 99, 100, 101, 1000, 2**31 - 1, -(2**31))
#: the node types of greenrong's global ids (``schema/kit/ids.py``), for ids of missing rows
ID_TYPES = ("Enterprise", "Project", "FinancingDemand", "TechnologyListing", "Expert", "Nope")
#: the arguments a root list keeps when the others are dropped
LIST_ARGS = frozenset({"first", "where", "orderBy"})
#: how a where tree is blown up, by the value drawn (0 and most others: not at all): an ``or``
#: list past 1,000 items, and a ``not`` chain deeper than 128 levels and than JSON's 1,024
AMPLIFY = {18: ("or", 1_100), 19: ("not", 200), 20: ("not", 600)}


@dataclass(frozen=True)
class Pool:
    """Values read back from the seeded API, for the scalars to draw from."""

    ids: tuple[str, ...]
    cursors: tuple[str, ...]
    strings: tuple[str, ...]


@dataclass(frozen=True, repr=False)
class Operation:
    """One request: its kind, root field (or raw body's name), and what is sent."""

    kind: str
    root: str
    query: str | None = None
    variables: dict[str, Any] | None = None
    body: bytes = b""
    content_type: str = "application/json"
    #: variables amplified (the where tree blown up): printed with the reproducer by shape only
    amplified: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:  # hypothesis prints the example it stopped at
        return f"Operation({self.kind} {self.root}, {len(self.body):,} bytes)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's printer
        printer.text(repr(self))

    def reproducer(self, limit: int = 4000) -> str:
        """The operation and variables, as a client would send them (long values cut)."""
        if self.query is None:
            return f"raw body {self.root!r} ({len(self.body)} bytes): {self.body[:300]!r}"
        variables = json.dumps(self.variables, ensure_ascii=True)
        if len(variables) > limit:
            variables = variables[:limit] + f"… ({len(variables)} characters)"
        text = self.query if len(self.query) <= limit else self.query[:limit] + "…"
        amplified = f"\n(variables amplified: {self.amplified})" if self.amplified else ""
        return f"{text}\nvariables: {variables}{amplified}"


def _long(length: int) -> str:
    return ("绿色金融a" * (length // 5 + 1))[:length]


def strings(pool: Pool) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(pool.strings),
        st.text(alphabet=ALPHABET, max_size=24),
        st.sampled_from(HOSTILE_STRINGS),
        st.sampled_from(LONG_LENGTHS).map(_long),
        st.sampled_from(pool.cursors),
        st.sampled_from(pool.ids),
        st.text(max_size=12),
    )


def ids(pool: Pool) -> st.SearchStrategy[str]:
    missing = st.builds(
        lambda type_name, key: base64.b64encode(f"{type_name}:{key}".encode()).decode(),
        st.sampled_from(ID_TYPES),
        st.uuids(),
    )
    return st.one_of(st.sampled_from(pool.ids), missing, st.uuids().map(str), strings(pool))


def datetimes() -> st.SearchStrategy[str]:
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-14))])
    aware = st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        offsets,
    )
    plausible = st.datetimes(
        min_value=datetime(2015, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ).map(datetime.isoformat)
    return st.one_of(plausible, st.sampled_from(DATETIME_STRINGS), aware)


def dates() -> st.SearchStrategy[str]:
    plausible = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 1, 1))
    return st.one_of(
        plausible.map(date.isoformat),
        st.sampled_from(DATE_STRINGS),
        st.dates().map(date.isoformat),
    )


def decimals() -> st.SearchStrategy[graphql.ValueNode]:
    plausible = st.decimals(min_value=-1, max_value=10**9, places=2).map(str)
    as_string = st.one_of(plausible, st.sampled_from(DECIMAL_STRINGS))
    return st.one_of(
        as_string.map(nodes.String),
        st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
        st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    )


def scalars(pool: Pool) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """hypothesis-graphql's ``custom_scalars``: greenrong's own scalars, and the built-in ones
    it would otherwise draw without any link to the data or to issue 18's classes."""
    return {
        "String": strings(pool).map(nodes.String),
        "ID": ids(pool).map(nodes.String),
        # mostly page sizes that pass, so that pages (and the compiled path) are reached
        "Int": st.one_of(
            st.integers(min_value=0, max_value=30),
            st.sampled_from(INTS),
            st.integers(min_value=-(2**31), max_value=2**31 - 1),
        ).map(nodes.Int),
        "Decimal": decimals(),
        "DateTime": datetimes().map(nodes.String),
        "Date": dates().map(nodes.String),
    }


def _document(document: graphql.DocumentNode) -> graphql.DocumentNode:
    return document


def _named(type_: graphql.GraphQLInputType) -> str:
    return graphql.get_named_type(type_).name


def _as_variables(
    document: graphql.DocumentNode, schema: graphql.GraphQLSchema
) -> tuple[graphql.DocumentNode, dict[str, Any], list[tuple[str, str]]]:
    """The same operation with each argument's value moved into a variable: the document, the
    variables, and each variable's name with its named type."""
    type_info = graphql.TypeInfo(schema)
    variables: dict[str, Any] = {}
    definitions: list[graphql.VariableDefinitionNode] = []
    named: list[tuple[str, str]] = []

    class Hoist(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            input_type = type_info.get_input_type()
            if input_type is None:
                return graphql.BREAK
            name = f"a{len(definitions)}"
            variables[name] = graphql.value_from_ast_untyped(node.value)
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                    type=graphql.parse_type(str(input_type)),
                )
            )
            named.append((name, _named(input_type)))
            return graphql.ArgumentNode(
                name=node.name, value=graphql.VariableNode(name=graphql.NameNode(value=name))
            )

    hoisted = graphql.visit(document, graphql.TypeInfoVisitor(type_info, Hoist()))
    operation = hoisted.definitions[0]
    operation = graphql.OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    return graphql.DocumentNode(definitions=(operation,)), variables, named


def _amplify(value: Any, how: tuple[str, int]) -> Any:
    verb, size = how
    if verb == "or":
        return {"or": [value or {}] * size}
    for _ in range(size):
        value = {"not": value or {}}
    return value


def _body(query: str, variables: dict[str, Any] | None) -> bytes:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return json.dumps(payload, ensure_ascii=True).encode()


def _raw_bodies() -> dict[str, tuple[bytes, str]]:
    deep = "[" * 1_100 + "]" * 1_100
    return {
        "invalid utf-8": (b'{"query": "{ __typename \xff\xfe }"}', "application/json"),
        "truncated json": (b'{"query": "{ __typename }", "variables": {', "application/json"),
        "json nested 1,100 deep": (
            ('{"query": "{ __typename }", "variables": {"x": ' + deep + "}}").encode(),
            "application/json",
        ),
        "json array": (b"[]", "application/json"),
        "json number": (b"1", "application/json"),
        "json null": (b"null", "application/json"),
        "query not a string": (b'{"query": 5}', "application/json"),
        "variables not an object": (
            b'{"query": "{ __typename }", "variables": []}',
            "application/json",
        ),
        "NaN in variables": (
            b'{"query": "query($d: Decimal) { identifyGreen(amount: $d) { __typename } }",'
            b' "variables": {"d": NaN}}',
            "application/json",
        ),
        "2 MiB body": (_body("{ __typename }", {"x": "a" * (2 << 20)}), "application/json"),
        "operationName not a string": (
            b'{"query": "{ __typename }", "operationName": 5}',
            "application/json",
        ),
        "extensions not an object": (
            b'{"query": "{ __typename }", "extensions": "x"}',
            "application/json",
        ),
        "persistedQuery not an object": (
            b'{"query": "{ __typename }", "extensions": {"persistedQuery": 5}}',
            "application/json",
        ),
        "persistedQuery hash not a string": (
            b'{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": 5}}}',
            "application/json",
        ),
        "batch of a number": (b"[1]", "application/json"),
        "json string": (b'"{ __typename }"', "application/json"),
        "form body": (b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        "text body": (b"{ __typename }", "text/plain"),
        "empty body": (b"", "application/json"),
    }


RAW_BODIES = _raw_bodies()


def operations(schema: graphql.GraphQLSchema, pool: Pool) -> st.SearchStrategy[Operation]:
    """Queries (about 12 in 20), mutations (7 in 20) and raw bodies (1 in 20)."""
    custom = scalars(pool)

    # one root field an operation: smaller documents, drawn several times faster, and each
    # finding belongs to one field
    by_field: dict[str, dict[str, st.SearchStrategy[graphql.DocumentNode]]] = {}
    for kind, root, build in (
        (QUERY, schema.query_type, queries),
        (MUTATION, schema.mutation_type, mutations),
    ):
        assert root is not None
        by_field[kind] = {
            name: build(schema, fields=[name], custom_scalars=custom, print_ast=_document)
            for name in sorted(root.fields)
        }
    documents = {
        kind: st.sampled_from(sorted(fields)).flatmap(fields.__getitem__)
        for kind, fields in by_field.items()
    }
    # and half the queries read a root list, which the compiled path answers on PostgreSQL
    lists = sorted(set(root_lists(schema)) & set(by_field[QUERY]))
    documents[QUERY] = documents[QUERY] | st.sampled_from(lists).flatmap(
        by_field[QUERY].__getitem__
    )

    @st.composite
    def draw_operation(draw: st.DrawFn) -> Operation:
        pick = draw(st.integers(min_value=0, max_value=19))
        if pick == 19:
            name = draw(st.sampled_from(sorted(RAW_BODIES)))
            body, content_type = RAW_BODIES[name]
            return Operation(RAW, name, body=body, content_type=content_type)
        kind = QUERY if pick < 12 else MUTATION
        document: graphql.DocumentNode = draw(documents[kind])
        operation = document.definitions[0]
        assert isinstance(operation, graphql.OperationDefinitionNode)
        first = operation.selection_set.selections[0]
        root = first.name.value if isinstance(first, graphql.FieldNode) else "?"
        if root in lists and draw(st.booleans()):
            # half the time without the other page arguments, which random values mostly
            # make an error: the rest reaches the compiled path with a chance of rows
            assert isinstance(first, graphql.FieldNode)
            first = replace(
                first,
                arguments=tuple(a for a in first.arguments if a.name.value in LIST_ARGS),
            )
            selections = replace(operation.selection_set, selections=(first,))
            operation = replace(operation, selection_set=selections)
            document = replace(document, definitions=(operation,))
        if not draw(st.booleans()):
            query = graphql.print_ast(document)
            return Operation(kind, root, query, None, _body(query, None))
        document, variables, named = _as_variables(document, schema)
        how = AMPLIFY.get(draw(st.integers(min_value=0, max_value=max(AMPLIFY))))
        amplified = None
        if how is not None:
            for name, type_name in named:
                if type_name.endswith("Where"):
                    variables[name] = _amplify(variables[name], how)
                    amplified = f"${name} as {how[0]} × {how[1]}"
                    break
        query = graphql.print_ast(document)
        return Operation(kind, root, query, variables, _body(query, variables), amplified=amplified)

    return draw_operation()


def harvest(value: Any, pool: dict[str, set[str]]) -> None:
    """Collect ids, cursors and short strings from a response's data into ``pool``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                if key == "id" or key.endswith("Id"):
                    pool["ids"].add(item)
                elif key in ("cursor", "startCursor", "endCursor"):
                    pool["cursors"].add(item)
                elif 0 < len(item) <= 60:
                    pool["strings"].add(item)
            else:
                harvest(item, pool)
    elif isinstance(value, list):
        for item in value:
            harvest(item, pool)
