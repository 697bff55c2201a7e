"""What the search benchmarks share: where the data is, which indices, engine memory.

Each script takes ``--admin-url`` (a fresh database is created, migrated, seeded and dropped)
or ``--database-url`` (an existing, seeded database), and ``--index NAME`` (repeatable) to load
only some indices. Loading a subset is how the figures at ``--scale 100`` fit in memory: the
embedded engine holds every document in RAM (about 4 GB for the 152,570 documents of scale 10).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import secrets
import statistics
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import asyncpg
import jwt
from sqlalchemy.engine import make_url

from greenrong.core.search import SearchEngine
from greenrong.domain.access.principal import Role
from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.registry import index_names, select_indexes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--admin-url", help="PostgreSQL admin URL: a fresh database is made")
    where.add_argument("--database-url", help="an existing, seeded database")
    parser.add_argument("--scale", type=float, default=10.0, help="seed scale (10 or 100)")
    parser.add_argument("--opensearch-url", default="", help="a cluster (default: embedded)")
    parser.add_argument(
        "--index",
        action="append",
        choices=index_names(),
        help="load only this index (repeatable; default: all)",
    )


def selected(args: argparse.Namespace) -> list[IndexSpec[Any]]:
    return select_indexes(args.index or [])


def all_indices(args: argparse.Namespace) -> bool:
    return not args.index or set(args.index) == set(index_names())


@contextlib.contextmanager
def database(args: argparse.Namespace, prefix: str) -> Iterator[tuple[str, bool]]:
    """The database URL and whether it is fresh (to be seeded); a fresh one is dropped after."""
    if args.database_url:
        yield args.database_url, False
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(args.admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(args.admin_url).set(database=name).render_as_string(False), True
    finally:
        asyncio.run(_admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, sql: str) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def rss_kib(search: SearchEngine) -> int | None:
    """Resident memory of the embedded engine process (VmRSS), None for a cluster."""
    if search.embedded is None:
        return None
    status = Path(f"/proc/{search.embedded.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1])


#: the HS256 secret of this run: the bench's app takes it as ``jwt_secret``
JWT_SECRET = secrets.token_hex(32)


def admin_headers() -> dict[str, str]:
    """The bench calls as an admin (a bearer token it signs itself): an admin's access filter
    is empty, so the GraphQL search and the raw query it is timed against are the same."""
    claims = {
        "sub": "bench",
        "role": Role.ADMIN.value,
        "exp": datetime.now(UTC) + timedelta(hours=4),
    }
    return {"authorization": f"Bearer {jwt.encode(claims, JWT_SECRET, algorithm='HS256')}"}


async def time_paths(
    paths: list[tuple[str, Callable[[], Awaitable[int]]]], *, runs: int, warmup: int
) -> list[tuple[str, list[float], int]]:
    """Per path: milliseconds of each run and the last answer's hit count. Every run calls each
    path once, in turn, so a change in the machine's load falls on all paths alike and the
    ratios stay fair."""
    totals: dict[str, int] = {}
    timings: dict[str, list[float]] = {label: [] for label, _ in paths}
    for n in range(warmup + runs):
        for label, call in paths:
            started = perf_counter()
            totals[label] = await call()
            if n >= warmup:
                timings[label].append((perf_counter() - started) * 1000)
    return [(label, timings[label], totals[label]) for label, _ in paths]


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1..99) of the values, inclusive method."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def without_sniffio_lookups() -> None:
    """httpx's ASGITransport tries ``import sniffio`` on every request (to tell trio from
    asyncio); where it is not installed, each in-process request searched ``sys.path`` for it,
    a cost of the bench's client that a served request never pays. A ``None`` entry in
    ``sys.modules`` makes that import fail at once (the same ImportError)."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
