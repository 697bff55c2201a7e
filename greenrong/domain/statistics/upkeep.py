"""Keeping the platform figures in the transactions that change the rows they count.

One listener on every ``Session`` (installed by importing this module, which
``kit/registry.py`` does), so no write path has to remember it:

- after each flush, each inserted, updated or deleted row of a counted model (``figures.TRACKED``)
  adds its contribution minus its previous one to the session's pending deltas, per scope whose
  base rows it is in (``scopes.holds``), from the ORM's attribute history;
- library memberships count by their subject's green category, which is not theirs: before
  each flush the memberships it may change (written ones, and those of an enterprise or a
  project whose category changes or which is deleted) are read and taken out, and after it
  read again and added back (``libraries/figures.py``, one indexed statement each);
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
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Delete, Insert, Table, TextClause, Update, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.models import Entity
from greenrong.domain.libraries import figures as library_figures
from greenrong.domain.libraries.models import LibraryMembership
from greenrong.domain.libraries.repository import member_rows_sync
from greenrong.domain.projects.models import Project
from greenrong.domain.statistics import scopes
from greenrong.domain.statistics.figures import PARTS, TRACKED, Tally
from greenrong.domain.statistics.repository import apply_sync, key_sync
from greenrong.domain.statistics.service import rebuild_sync

_PENDING = "greenrong.statistics.pending"
_REBUILD = "greenrong.statistics.rebuild"
_MEMBERS = "greenrong.statistics.members"  # library memberships: libraries/figures.Pending
_NAMED = "greenrong.statistics.named"  # this flush's memberships: (ids, enterprises, projects)

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
#: a membership counts by its subject's green category (libraries/figures.py)
_SUBJECTS: tuple[type[Entity], ...] = (Enterprise, Project)
_WRITTEN: tuple[type[Entity], ...] = (*TRACKED, LibraryMembership, *_SUBJECTS)
_TABLES = frozenset(model.__tablename__ for model in _WRITTEN)
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


def _named(session: Session) -> tuple[set[Any], list[LibraryMembership], set[Any], set[Any]]:
    """The memberships whose figures this flush may change: those written (the new ones as
    objects: their ids are set by the flush), and those of a subject whose green category
    changes or which is deleted."""
    ids = {row.id for rows in (session.dirty, session.deleted) for row in rows
           if isinstance(row, LibraryMembership)}  # fmt: skip
    new = [row for row in session.new if isinstance(row, LibraryMembership)]
    subjects: tuple[set[Any], set[Any]] = (set(), set())
    for rows in (session.dirty, session.deleted):
        for row in rows:
            for model, named in zip(_SUBJECTS, subjects, strict=True):
                if isinstance(row, model) and (
                    row in session.deleted
                    or inspect(row).attrs.green_category.history.has_changes()
                ):
                    named.add(row.id)
    return ids, new, *subjects


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Take out the figures of the memberships this flush may change, as they stand before it
    (and add them back, as they stand after it, in ``_after_flush``)."""
    if session.info.get(_REBUILD):
        return
    ids, new, enterprises, projects = named = _named(session)
    if not (ids or new or enterprises or projects):
        return
    session.info[_NAMED] = named
    members = member_rows_sync(session, ids=ids, enterprise_ids=enterprises, project_ids=projects)
    library_figures.count(session.info.setdefault(_MEMBERS, Counter()), members, -1)


def _members_after_flush(session: Session) -> None:
    named = session.info.pop(_NAMED, None)
    if named is None or session.info.get(_REBUILD):
        return
    ids, new, enterprises, projects = named
    ids = ids | {row.id for row in new}
    members = member_rows_sync(session, ids=ids, enterprise_ids=enterprises, project_ids=projects)
    library_figures.count(session.info.setdefault(_MEMBERS, Counter()), members, +1)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    _members_after_flush(session)
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
        session.info.pop(_MEMBERS, None)
        rebuild_sync(session)
        return
    deltas = session.info.pop(_PENDING, None)
    members = session.info.pop(_MEMBERS, None)
    if members and any(members.values()):
        # keyed now, against the horizon this commit adds to (a rebuild may have moved it)
        horizon = key_sync(session, library_figures.HORIZON)
        if horizon is not None:  # else no scope is built: the rebuild will count them
            more = library_figures.deltas(members, date.fromisoformat(horizon))
            deltas = deltas or {}
            for key, tally in more.items():
                deltas.setdefault(key, Tally()).count += tally.count
    if deltas:
        apply_sync(session, deltas)


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.nested and (session.info.get(_PENDING) or session.info.get(_MEMBERS)):
        session.info[_REBUILD] = True  # which deltas the savepoint took back is not known


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for name in (_PENDING, _REBUILD, _MEMBERS, _NAMED):
            session.info.pop(name, None)
