"""The views' request path in-process, by stage: far less load-sensitive than wrk.

    .venv/bin/python bench/views/inprocess.py --database-url postgresql+asyncpg://…/db
    .venv/bin/python bench/views/inprocess.py --database-url … --profile Q3   # cProfile of asgi

The database must be migrated and seeded (``greenrong seed --demo --scale 1``) and carry the
bench-only indexes (``harness.BENCH_SQL``; they are created here when missing). One event loop,
one request at a time, as a REGULATOR with a bearer JWT (like ``bench/views/run``). Per query
(Q1-Q3), per request and stage, the median wall-clock µs and the mean CPU µs of this
process; each round runs every stage in turn, so a change in the machine's load falls on all
of them alike:

- ``asgi``: the whole app (``create_app``) called as an ASGI callable with a prepared request:
  middleware, authentication, strawberry's view, extensions, execution, JSON, response;
- ``execute``: ``schema.execute`` with a ready context (extensions, execution, no HTTP);
- ``authenticate``: the bearer token to a Principal (with the view's token cache);
- ``checkout``: one pooled connection checked out and returned (the pool's own cost);
- ``sql``: the compiled statement as the view runs it (``compiled/driver.py``), decoded;
- ``floor``: the same rows by raw asyncpg (``floor.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import floor as floor_module
import jwt
import orjson
import queries as q
from harness import BENCH_SQL

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.access.identity import authenticate
from greenrong.domain.access.principal import Principal
from greenrong.resolvers.compiled.driver import fetch_text
from greenrong.resolvers.compiled.execution import VIEWS
from greenrong.resolvers.loaders import Loaders
from greenrong.schema.kit.context import Context
from greenrong.schema.kit.limits import QueryLimits

Stage = Callable[[], Awaitable[object]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a migrated, seeded database")
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds per query")
    parser.add_argument("--warmup", type=int, default=30, help="untimed rounds per query")
    parser.add_argument("--profile", choices=["Q1", "Q2", "Q3"], help="cProfile the asgi stage")
    parser.add_argument(
        "--loop",
        choices=["Q1", "Q2", "Q3"],
        help="only run the asgi stage, --rounds times (for a sampling profiler: py-spy record)",
    )
    parser.add_argument("--opensearch-url", default="", help="a search engine (default embedded)")
    args = parser.parse_args()
    asyncio.run(_main(args))


async def _main(args: argparse.Namespace) -> None:
    plain = args.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(plain)
    await conn.execute(BENCH_SQL)
    params = await q.choose_params(conn)
    floor = floor_module.Floor(conn, params)
    await floor.prepare()

    secret = secrets.token_hex(32)
    settings = Settings(
        database_url=args.database_url,
        jwt_secret=secret,
        query_budget_per_minute=1_000_000_000,
        opensearch_url=args.opensearch_url,
        search_rebuild_on_start=False,
        search_rebuild_progress=False,
        data_dir=Path(tempfile.gettempdir()) / "greenrong-inprocess",
    )
    claims = {"sub": "bench", "role": "REGULATOR", "exp": int(time.time()) + 86_400}
    authorization = f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        resources = app.state.resources
        view = app.state.graphql
        principal = await authenticate(settings, resources.sessionmaker, authorization)
        queries = ("Q1", "Q2", "Q3")
        if args.loop:
            stage = _asgi(app, authorization, q.body(args.loop, q.GREENRONG, params))
            started = time.process_time()
            for _ in range(args.rounds):
                await stage()
            cpu = (time.process_time() - started) / args.rounds * 1e6
            print(f"{args.loop}: asgi {cpu:,.0f} µs CPU per request")
            await conn.close()
            return
        if args.profile:
            stage = _asgi(app, authorization, q.body(args.profile, q.GREENRONG, params))
            for _ in range(args.warmup):
                await stage()
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.rounds):
                await stage()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            await conn.close()
            return
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"in-process, µs per request over {args.rounds} rounds (wall: median; cpu: this "
            f"process, mean), load average {load}"
        )
        print(f"{'query':<6}" + "".join(f"{name:>14}" for name in _STAGES))
        for query in queries:
            body = q.body(query, q.GREENRONG, params)
            payload = json.loads(body)
            stages: dict[str, Stage] = {
                "asgi": _asgi(app, authorization, body),
                "execute": _execute(view, settings, resources, principal, payload),
                "authenticate": lambda: authenticate(
                    settings, resources.sessionmaker, authorization, view.tokens
                ),
                "checkout": _checkout(resources.engine),
                "sql": _sql(view, settings, resources, principal, payload),
                "floor": floor.query(query),
            }
            wall, cpu = await _time(stages, rounds=args.rounds, warmup=args.warmup)
            print(f"{query:<6}" + "".join(f"{wall[name]:>14,.0f}" for name in _STAGES))
            print(f"{'  cpu':<6}" + "".join(f"{cpu[name]:>14,.0f}" for name in _STAGES))
    await conn.close()


_STAGES = ("asgi", "execute", "authenticate", "checkout", "sql", "floor")


async def _time(
    stages: dict[str, Stage], *, rounds: int, warmup: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Per stage: the median wall-clock µs (other processes' bursts fall in the tail) and the
    mean CPU µs of this process (what one pinned core spends per request: the figure that
    bounds throughput, and much less sensitive to the machine's load)."""
    wall: dict[str, list[float]] = {name: [] for name in stages}
    cpu = dict.fromkeys(stages, 0.0)
    for n in range(warmup + rounds):
        for name, stage in stages.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            await stage()
            if n >= warmup:
                wall[name].append((time.perf_counter() - started) * 1e6)
                cpu[name] += (time.process_time() - started_cpu) * 1e6 / rounds
    return {name: statistics.median(values) for name, values in wall.items()}, cpu


def _asgi(app: Any, authorization: str, body: bytes) -> Stage:
    """One POST /graphql through the whole ASGI app; fails on anything but 200 without errors."""
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"accept", b"application/json"),
        (b"authorization", authorization.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }

    async def call() -> object:
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app({**scope, "state": {}}, receive, send)
        answer = b"".join(chunks)
        if status != 200 or b'"errors"' in answer:
            raise RuntimeError(f"HTTP {status}: {answer[:500]!r}")
        return answer

    return call


def _context(
    settings: Settings, resources: Any, principal: Principal, limits: QueryLimits
) -> Context:
    return Context(
        request=None,
        response=None,
        settings=settings,
        sessionmaker=resources.sessionmaker,
        search=resources.search,
        loaders=Loaders(
            resources.sessionmaker, max_page_size=settings.max_page_size, principal=principal
        ),
        request_id="bench",
        limits=limits,
        principal=principal,
    )


def _execute(
    view: Any, settings: Settings, resources: Any, principal: Principal, payload: dict[str, Any]
) -> Stage:
    async def call() -> object:
        result = await view.schema.execute(
            payload["query"],
            variable_values=payload["variables"],
            context_value=_context(settings, resources, principal, view.limits),
        )
        if result.errors:
            raise RuntimeError(result.errors)
        return result

    return call


def _checkout(engine: Any) -> Stage:
    async def call() -> object:
        async with engine.connect():
            return None

    return call


def _sql(
    view: Any, settings: Settings, resources: Any, principal: Principal, payload: dict[str, Any]
) -> Stage:
    """The compiled statement the view runs (from the plan cache, after one execute)."""

    statement: Any = None

    async def call() -> object:
        nonlocal statement
        if statement is None:
            await _execute(view, settings, resources, principal, payload)()
            statement = _last_statement(VIEWS)
        text = await fetch_text(resources.engine, statement)
        return None if text is None else orjson.loads(text)

    return call


def _last_statement(views: Any) -> Any:
    items = list(views._statements._items.values())
    if not items:
        raise RuntimeError("no compiled statement was cached (did the view compile?)")
    return items[-1]


if __name__ == "__main__":
    main()
