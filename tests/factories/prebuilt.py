"""Worlds built once and copied for every test that starts from them.

Many tests begin by writing the same rows: ``tests/access``'s world of two enterprises, two
banks and their records, the certification world with a cycle in every stage. Written again
for each test they were most of its time (certification/test_access.py: about 0.6 s of a
0.8 s test on PostgreSQL). A builder registered here runs once per run and platform day, into
a database of its own; each test that asks for its fixture gets a fresh copy of that database
(``CREATE DATABASE … TEMPLATE`` on PostgreSQL, a file copy on SQLite) and the builder's value.
The copy is the test's own: what the test writes, no other test sees.

    async def build(sessionmaker: SessionMaker) -> World: ...
    world = prebuilt_world(build, __file__)  # in a conftest.py, or in the module itself

The fixture is named after the variable that holds it (``name=`` otherwise) and holds for the
tests in the directory of the conftest (or in the module) that registers it. The builder's
value is shared by every test of the run: keep it to ids and plain values, or rows no test
changes. The builder writes as the system principal (the ``sessionmaker`` fixture's sessions),
before the test's app starts: the app's start-up indexes what it finds, and its worker sends
the outbox's events, as it would for rows written by a test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from greenrong.core.db import SessionMaker

Builder = Callable[[SessionMaker], Awaitable[Any]]

#: where ``database_url`` leaves the test's world, built (``tests/conftest.py``'s ``BuiltWorld``)
WORLD = pytest.StashKey[Any]()


@dataclass(frozen=True)
class Registration:
    name: str
    scope: Path  # a directory (a conftest's) or a test module
    builder: Builder
    #: whether an app runs on the world until its outbox is settled (``tests/conftest.py``)
    settle: bool = True

    def covers(self, request: pytest.FixtureRequest) -> bool:
        path = Path(request.node.path)
        inside = path == self.scope or (self.scope.is_dir() and path.is_relative_to(self.scope))
        return inside and self.name in request.fixturenames


REGISTRY: list[Registration] = []


def prebuilt_world(builder: Builder, file: str, *, name: str = "world", settle: bool = True) -> Any:
    """Register ``builder`` for the tests around ``file`` (a conftest: its directory; a test
    module: itself) and return the fixture ``name`` that hands a test the builder's value.
    ``settle=False``: only the database is built (no app, no indices), for tests that read
    the database alone; a large world's indices cost more to build than such tests save."""
    origin = Path(file).resolve()
    scope = origin.parent if origin.name == "conftest.py" else origin
    REGISTRY.append(Registration(name, scope, builder, settle))

    @pytest.fixture(name=name)
    def fixture(request: pytest.FixtureRequest, database_url: str) -> Any:
        return request.node.stash[WORLD].value

    fixture.__doc__ = builder.__doc__
    return fixture


def registration_for(request: pytest.FixtureRequest) -> Registration | None:
    """The world this test starts from, if it asks for one (the innermost registration)."""
    found = [r for r in REGISTRY if r.covers(request)]
    return max(found, key=lambda r: len(r.scope.parts)) if found else None
