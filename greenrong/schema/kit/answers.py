"""Shared answers: a read whose answer many callers share is computed once per revision.

Some root fields answer the same for every caller of a group, from data kept for that purpose:
``platformStatistics`` reads the figures kept per scope (``domain/statistics``), so every
anonymous visitor of the home page gets the same answer until a figure changes. Such a field
declares it (``metadata=shared_answer(...)``): its whole answer, selection included, is a
function of

- the operation (query text, operation name) and its variables, as sent;
- the caller's share key, ``scope(principal)``: callers with equal keys get equal answers, and
  None means this caller's answer is its own (it is never shared, nor kept);
- the committed ``revisions`` it names (``domain/kit/revision_repository.py``), which every
  change of the data it reads moves in the same transaction.

An operation whose every root field declares it (a query, plain fields at the root, no
fragments or directives there), and selects under it only plain values of the object it
returns (no field with a resolver of its own, arguments, an extension or a permission: such a
field, like ``platformStatistics.libraries``, which reads the day and other tables, may depend
on what no revision follows), is learnt after the normal path answered it without an error.
From then on the view (``schema/view.py``), for a plain JSON POST with that text, reads the
revisions (one statement on a pooled connection, on every request: a write committed by any
process is seen by the next request of every other) and looks the answer up under (text,
operation name, variables, share keys, revisions):

- found: the cost is priced and taken from the caller's budget by the same
  ``CostPolicy.charge`` the ``QueryCost`` extension uses, and the body is the normal path's:
  ``{"data": …, "extensions": {"queryCost": …}}``, through the view's ``create_response``. A
  refused charge takes the normal path, which refuses it with its usual error and headers;
- not found: the normal path answers, and its ``data`` is kept under the revisions read
  *before* it ran, if it had no error. The answer can only be newer than those revisions (a
  write commits its rows and its revision together), so a request that reads them gets an
  answer at least as fresh as the one it would compute.

Everything the normal path checks from the document alone (parsing, validation, the depth,
alias and token limits) gave the same answer for the same text when it was learnt. Requests
with ``extensions`` (persisted queries), GET, batches and streaming transports always take
the normal path. Both maps are bounded LRUs; an answer larger than ``MAX_ANSWER_BYTES`` is
not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
)

from greenrong.core.lru import LRU
from greenrong.domain.access.principal import Principal
from greenrong.schema.kit.definitions import field_metadata, strawberry_definition

SHARED_KEY = "greenrong.shared"
#: an answer larger than this is not kept (the portal's figures are a few kilobytes)
MAX_ANSWER_BYTES = 256 * 1024
#: selections nested deeper than this under a shared root field are not shared
MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class SharedAnswer:
    """A root field's declaration (see the module doc)."""

    revisions: tuple[str, ...]
    #: the caller's share key; None: this caller's answer is its own
    scope: Callable[[Principal], str | None]


def shared_answer(
    *, revisions: Sequence[str], scope: Callable[[Principal], str | None]
) -> dict[str, SharedAnswer]:
    """Field metadata: ``strawberry.field(..., metadata={**cost(10), **shared_answer(...)})``."""
    if not revisions:
        raise ValueError("a shared answer must name the revisions it follows")
    return {SHARED_KEY: SharedAnswer(tuple(revisions), scope)}


@dataclass(frozen=True, slots=True)
class Shareable:
    """A learnt operation: its document (to price it when its cost was forgotten), the
    declarations of its root fields, and every revision they name."""

    document: DocumentNode
    declarations: tuple[SharedAnswer, ...]
    revisions: tuple[str, ...]

    def share_keys(self, principal: Principal) -> tuple[str, ...] | None:
        keys = []
        for declaration in self.declarations:
            key = declaration.scope(principal)
            if key is None:
                return None
            keys.append(key)
        return tuple(keys)


#: an operation, as the prepared and the shared answers know it: (query text, operation name)
OperationKey = tuple[str, str | None]
#: (query text, operation name, variables as canonical JSON, share keys, revisions)
AnswerKey = tuple[str, str | None, bytes, tuple[str, ...], tuple[int, ...]]
_NOT_SHAREABLE = object()


def canonical_variables(variables: Mapping[str, Any] | None) -> bytes | None:
    """The variables as canonical JSON (sorted keys), None when orjson cannot write them
    (nested deeper than it writes, an integer beyond 64 bits): such requests are not shared."""
    try:
        return orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None


def _plain(
    selections: SelectionSetNode,
    parent: GraphQLNamedType,
    fragments: Mapping[str, FragmentDefinitionNode],
    depth: int,
) -> bool:
    """Whether every field under a shared root field is a plain value of the object the
    root field returned: no resolver of its own, no arguments, no field extension or
    permission (a field with a resolver may read what no revision follows: the clock, other
    tables, the caller). Only object types, so every fragment applies to ``parent``."""
    if depth > MAX_DEPTH or not isinstance(parent, GraphQLObjectType):
        return False
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == "__typename":
                continue
            field = parent.fields.get(selection.name.value)
            definition = None if field is None else strawberry_definition(field)
            if (
                field is None
                or definition is None
                or definition.base_resolver is not None
                or definition.arguments
                or definition.extensions
                or definition.permission_classes
            ):
                return False
            if selection.selection_set is not None and not _plain(
                selection.selection_set, get_named_type(field.type), fragments, depth + 1
            ):
                return False
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value != parent.name:
                return False
            if not _plain(selection.selection_set, parent, fragments, depth + 1):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.type_condition.name.value != parent.name:
                return False
            if not _plain(fragment.selection_set, parent, fragments, depth + 1):
                return False
        else:
            return False
    return True


class SharedAnswers:
    """One app's learnt operations and kept answers (bounded, least recently used forgotten
    first)."""

    def __init__(self, schema: GraphQLSchema, maxsize: int = 512) -> None:
        self.schema = schema
        self._operations: LRU[OperationKey, object] = LRU(maxsize)
        self._answers: LRU[AnswerKey, orjson.Fragment] = LRU(maxsize)
        #: requests answered from a kept answer (the tests read it to know which path ran)
        self.answered = 0

    def operation(self, key: OperationKey) -> Shareable | None:
        found = self._operations.get(key)
        return found if isinstance(found, Shareable) else None

    def known(self, key: OperationKey) -> bool:
        return key in self._operations

    def learn(self, key: OperationKey) -> None:
        """Remember whether the operation is shareable (once: the answer depends on its text
        alone). Called after the normal path answered it without an error."""
        if key not in self._operations:
            self._operations.put(key, self._shareable(*key) or _NOT_SHAREABLE)

    def _shareable(self, query: str, operation_name: str | None) -> Shareable | None:
        try:
            document = parse(query)
        except GraphQLError:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
            return None
        query_type = self.schema.query_type
        if query_type is None:
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        declarations: list[SharedAnswer] = []
        for selection in operations[0].selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.directives:
                return None
            field = query_type.fields.get(selection.name.value)
            if field is None:
                return None
            declared = field_metadata(field).get(SHARED_KEY)
            if not isinstance(declared, SharedAnswer):
                return None
            if selection.selection_set is not None and not _plain(
                selection.selection_set, get_named_type(field.type), fragments, 0
            ):
                return None
            declarations.append(declared)
        revisions = tuple(sorted({name for d in declarations for name in d.revisions}))
        return Shareable(document, tuple(declarations), revisions)

    def get(self, key: AnswerKey) -> orjson.Fragment | None:
        return self._answers.get(key)

    def keep(self, key: AnswerKey, data: object) -> None:
        """Keep a normal answer's ``data`` (as the JSON it is written as)."""
        try:
            written = orjson.dumps(data)
        except TypeError:
            return  # what orjson refuses the view writes with json.dumps: not kept
        if len(written) <= MAX_ANSWER_BYTES:
            self._answers.put(key, orjson.Fragment(written))
