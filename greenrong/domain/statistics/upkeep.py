"""Keeping the platform figures in the transactions that change the rows they count.

One listener on every ``Session`` (installed by importing this module, which
``kit/registry.py`` does), so no write path has to remember it:

- after each flush, each inserted, updated or deleted row of a counted model (``figures.TRACKED``)
  adds its contribution minus its previous one to the session's pending deltas, per scope whose
  base rows it is in (``scopes.holds``), from the ORM's attribute history;
- at the commit of the outermost transaction (after its last flush), the deltas are added to
  ``platform_figure`` in one upsert: the figures commit, or roll back, with the rows.

What the listener cannot see it does not guess: a bulk or textual INSERT, UPDATE or DELETE on a
counted table (the demo seed's loader, ``update(Model)``, ``text(...)``), a changed attribute
whose previous value was never loaded, or a savepoint rolled back after a flush, make that
transaction rebuild every scope from a recomputation at its commit instead (correct, and as
slow as one recomputation per scope). Writes on a raw connection, outside a ``Session``, are
not seen at all: do not write counted tables that way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Delete, Insert, Table, TextClause, Update, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from greenrong.domain.kit.models import Entity
from greenrong.domain.statistics import scopes
from greenrong.domain.statistics.figures import PARTS, TRACKED, Tally
from greenrong.domain.statistics.repository import apply_sync
from greenrong.domain.statistics.service import rebuild_sync

_PENDING = "greenrong.statistics.pending"
_REBUILD = "greenrong.statistics.rebuild"

_PARTS_OF: dict[type[Entity], tuple[Any, ...]] = {
    model: tuple(p for p in PARTS if p.model is model) for model in TRACKED
}
#: per model, the attributes its figures and its scopes' base rows read
_ATTRIBUTES: dict[type[Entity], tuple[str, ...]] = {
    model: tuple(
        sorted(
            frozenset().union(
                *(p.attributes for p in _PARTS_OF[model]),
                *(scopes.fields(s.rows[model.entity_type]) for s in scopes.SCOPES),
            )
        )
    )
    for model in TRACKED
}
_TABLES = frozenset(model.__tablename__ for model in TRACKED)
_TABLE_WORDS = re.compile(r"\b(" + "|".join(sorted(_TABLES)) + r")\b", re.IGNORECASE)


class _Unknown(Exception):
    """A previous value the session never loaded."""


def _current(row: Entity) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _ATTRIBUTES[type(row)]}


def _previous(row: Entity) -> dict[str, Any]:
    """The values ``row`` had before this flush."""
    attrs = inspect(row).attrs
    values = {}
    for name in _ATTRIBUTES[type(row)]:
        history = attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        else:
            raise _Unknown(name)
    return values


def _count(deltas: dict[tuple[str, str, str], Tally], row: type[Entity],
           values: Mapping[str, Any], sign: int) -> None:  # fmt: skip
    for scope in scopes.SCOPES:
        if not scopes.holds(scope.rows[row.entity_type], values):
            continue
        for part in _PARTS_OF[row]:
            contribution = part.contribution(values)
            if contribution is None:
                continue
            key, amount = contribution
            tally = deltas.setdefault((scope.name, part.figure, key), Tally())
            tally.count += sign
            tally.amount += sign * amount


def _tracked(rows: Iterable[Any]) -> list[Entity]:
    return [row for row in rows if type(row) in _PARTS_OF]


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if session.info.get(_REBUILD):
        return
    deltas = session.info.setdefault(_PENDING, {})
    try:
        for row in _tracked(session.new):
            _count(deltas, type(row), _current(row), +1)
        for row in _tracked(session.dirty):
            previous, current = _previous(row), _current(row)
            if previous != current:
                _count(deltas, type(row), previous, -1)
                _count(deltas, type(row), current, +1)
        for row in _tracked(session.deleted):
            _count(deltas, type(row), _previous(row), -1)
    except _Unknown:
        session.info[_REBUILD] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    """A statement that writes a counted table behind the unit of work's back."""
    statement = state.statement
    if isinstance(statement, Insert | Update | Delete):
        table = statement.table
        if isinstance(table, Table) and table.name in _TABLES:
            state.session.info[_REBUILD] = True
    elif isinstance(statement, TextClause):
        sql = statement.text.lstrip().lower()
        if not sql.startswith(("select", "with", "set", "show")) and _TABLE_WORDS.search(sql):
            state.session.info[_REBUILD] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: its deltas are applied with the outermost commit
    session.flush()
    if session.info.pop(_REBUILD, False):
        session.info.pop(_PENDING, None)
        rebuild_sync(session)
        return
    deltas = session.info.pop(_PENDING, None)
    if deltas:
        apply_sync(session, deltas)


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested and session.info.get(_PENDING):
        session.info[_REBUILD] = True  # which deltas the savepoint took back is not known


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_REBUILD, None)
