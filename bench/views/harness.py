"""bench/views/run: greenrong and PostGraphile v5 side by side, on the same data, in one run.

Steps (progress on stderr, the table on stdout):
 1. a throwaway PostgreSQL, `greenrong migrate`, `greenrong seed --demo --scale N`;
 2. the bench-only indexes (BENCH_SQL, printed), then the query parameters chosen from the data;
 3. osmem-server, `greenrong serve --workers 1` and PostGraphile (amber), both servers pinned to
    the first CPU with taskset;
 4. every query once against every server and the raw-asyncpg floor: the normal forms must be
    equal, else it stops with a diff;
 5. the floor's mean time per request, then wrk (pinned to the second CPU) per query and server:
    a warm-up run, then the timed run;
 6. the table. Everything it started is stopped on exit, failure, Ctrl-C or SIGTERM (unless
    --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import pprint
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import floor as floor_module
import jwt
import queries as q
from services import HERE, REPO, VENV_BIN, Services, free_port, progress, rss_kib, stop_instructions

#: Bench-only SQL, never a migration. PostGraphile (amber) offers orderBy/filter only on
#: indexed columns: project.created_at is in no index, so CREATED_AT_ASC would not exist. The
#: composite indexes also serve "first N children per parent, in order" for both servers.
#: enterprise.name / region_code / green_level and financing_demand.submitted_at are already
#: indexed by the migrations.
BENCH_SQL = """\
create index if not exists bench_project_enterprise_created
    on project (enterprise_id, created_at, id);
create index if not exists bench_demand_project_submitted
    on financing_demand (project_id, submitted_at, id);
-- PostGraphile sees only the tables the queries read: a relation name clash among the others
-- (new tables referencing enterprise) would make it drop a type the queries need
do $$
declare t text;
begin
  for t in select tablename from pg_tables where schemaname = 'public' and tablename not in
      ('enterprise', 'project', 'financing_demand', 'financial_product', 'financial_institution')
  loop
    execute format('comment on table %I is %L', t, '@behavior -*');
  end loop;
end $$;
analyze;"""


@dataclass
class Result:
    query: str
    server: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    error_detail: str
    requests: int


def main() -> int:
    args = _parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu = cpus[0]
    client_cpu = cpus[1] if len(cpus) > 1 else cpus[0]
    if len(cpus) < 2:
        progress("only one CPU: servers and wrk share it, the figures mean little")
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    services = Services()
    try:
        return _run(args, services, server_cpu=server_cpu, client_cpu=client_cpu)
    except KeyboardInterrupt:
        progress("interrupted")
        return 130
    except (RuntimeError, subprocess.CalledProcessError, OSError, asyncpg.PostgresError) as exc:
        progress(f"failed: {exc}")
        return 1
    finally:
        if args.keep and services.processes:
            progress(f"--keep: services left running; logs in {services.workdir}; stop with:")
            sys.stderr.write(stop_instructions(services) + "\n")
        else:
            progress("stopping everything this run started")
            services.stop()


def _run(args: argparse.Namespace, services: Services, *, server_cpu: int, client_cpu: int) -> int:
    load_before = os.getloadavg()
    servers = {query: (q.GREENRONG,) if args.sqlite else q.SERVERS[query] for query in args.queries}
    params: q.Params | None = None
    if args.sqlite:
        database_url = f"sqlite+aiosqlite:///{services.workdir / 'greenrong.db'}"
        plain_url = ""
        progress(f"greenrong on SQLite: {database_url}")
    else:
        progress("starting a throwaway PostgreSQL (infra/local/pg)")
        database_url = services.start_postgres()
        plain_url = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    env = {"GREENRONG_DATABASE_URL": database_url}
    progress("greenrong migrate")
    _cli(["migrate"], env)
    progress(f"greenrong seed --demo --scale {args.scale:g}")
    _cli(["seed", "--demo", "--scale", f"{args.scale:g}"], env)
    if not args.sqlite:
        progress("bench-only SQL (not a migration):\n" + BENCH_SQL)
        params = asyncio.run(_prepare_database(plain_url))
        progress("parameters: " + params.describe())

    progress("starting osmem-server (the search engine greenrong needs at start-up)")
    search_url = services.start_osmem(cpus=str(client_cpu), keep=args.keep)
    gr_port, pgl_port = free_port(), free_port()
    # greenrong is called as a REGULATOR (reads every row, like PostGraphile without RLS): an
    # anonymous caller sees no projects or demands. The token's secret lives for this run only.
    jwt_secret = secrets.token_hex(32)
    auth = {q.GREENRONG: f"Bearer {_regulator_token(jwt_secret)}", q.POSTGRAPHILE: None}
    progress(
        f"starting greenrong serve --workers 1 on CPU {server_cpu} (may rebuild search indices)"
    )
    greenrong = services.start_greenrong(
        database_url=database_url,
        search_url=search_url,
        port=gr_port,
        cpus=str(server_cpu),
        keep=args.keep,
        jwt_secret=jwt_secret,
    )
    pids = {q.GREENRONG: greenrong.pid}
    if any(q.POSTGRAPHILE in names for names in servers.values()):
        progress(f"starting PostGraphile v5 (amber, GRAPHILE_ENV=production) on CPU {server_cpu}")
        postgraphile = services.start_postgraphile(
            database_url=plain_url, port=pgl_port, cpus=str(server_cpu), keep=args.keep
        )
        pids[q.POSTGRAPHILE] = postgraphile.pid
    urls = {
        q.GREENRONG: f"http://127.0.0.1:{gr_port}/graphql",
        q.POSTGRAPHILE: f"http://127.0.0.1:{pgl_port}/graphql",
    }

    progress("checking that every server and the floor return the same data")
    if args.sqlite:
        floors = asyncio.run(
            _check_and_measure_sqlite_floor(
                services.workdir / "greenrong.db",
                database_url,
                urls,
                auth,
                repetitions=args.floor_repetitions,
                cpu=server_cpu,
            )
        )
    else:
        floors = asyncio.run(
            _check_and_measure_floor(
                plain_url,
                params,
                servers,
                urls,
                auth,
                repetitions=args.floor_repetitions,
                cpu=server_cpu,
            )
        )

    results: list[Result] = []
    for query, names in servers.items():
        for server in names:
            body_file = services.workdir / f"{query}.{server}.json"
            body_file.write_bytes(q.body(query, server, params))
            if args.warmup > 0:
                progress(f"{query} {server}: warm-up {args.warmup} s")
                _wrk(
                    urls[server], auth[server], body_file, args.connections, args.warmup, client_cpu
                )
            progress(f"{query} {server}: wrk -c {args.connections} -d {args.duration}s")
            results.append(
                _result(
                    query,
                    server,
                    _wrk(
                        urls[server],
                        auth[server],
                        body_file,
                        args.connections,
                        args.duration,
                        client_cpu,
                    ),
                )
            )

    served = sum(r.requests for r in results if r.server == q.GREENRONG)
    print(
        _table(
            args,
            results,
            floors,
            params,
            server_cpu=server_cpu,
            client_cpu=client_cpu,
            rss={server: rss_kib(pid) for server, pid in pids.items()},
            served=served,
            load=(load_before, os.getloadavg()),
        )
    )
    if args.rss_requests > 0 and params is not None:
        bodies = [services.workdir / f"{query}.{q.GREENRONG}.json" for query in ("Q1", "Q2", "Q3")]
        print(
            _soak(
                urls[q.GREENRONG],
                auth[q.GREENRONG],
                bodies,
                total=args.rss_requests,
                connections=args.connections,
                cpu=client_cpu,
                pid=greenrong.pid,
            )
        )
    if args.keep:
        sys.stderr.write("".join(f"  {name}: {urls[name]}\n" for name in pids))
        sys.stderr.write(f"  database: {plain_url or database_url}\n")
    return 0


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/views/run",
        description="greenrong vs PostGraphile v5 on the same data: one table.",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="demo data scale (default 1)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run (default 20)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed wrk seconds before each run")
    parser.add_argument(
        "--floor-repetitions", type=int, default=200, help="raw-asyncpg repetitions per query"
    )
    parser.add_argument("--keep", action="store_true", help="leave the services running")
    parser.add_argument(
        "--query",
        action="append",
        choices=sorted(q.SERVERS),
        help="run only this query (repeatable; default: all)",
    )
    parser.add_argument(
        "--sqlite",
        action="store_true",
        help="greenrong alone on an embedded SQLite database (Q4 only: Q1-Q3's parameters and "
        "floors, and PostGraphile, are PostgreSQL's)",
    )
    parser.add_argument(
        "--rss-requests",
        type=int,
        default=0,
        help="after the table, send this many more Q1-Q3 requests to greenrong and print its "
        "RSS along the way (e.g. 10000)",
    )
    args = parser.parse_args()
    if args.duration < 1 or args.connections < 1 or args.floor_repetitions < 1:
        parser.error("--duration, --connections and --floor-repetitions must be positive")
    args.queries = tuple(args.query or q.SERVERS)
    if args.sqlite and set(args.queries) != {"Q4"}:
        parser.error("--sqlite runs Q4 only: add --query Q4")
    return args


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _cli(argv: list[str], env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "greenrong"), *argv],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=sys.stderr,
        check=True,
    )


async def _prepare_database(url: str) -> q.Params:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(BENCH_SQL)
        return await q.choose_params(conn)
    finally:
        await conn.close()


# ---- equality and the floor ----------------------------------------------------------------


def _regulator_token(secret: str) -> str:
    """A bearer JWT for greenrong (``GREENRONG_JWT_SECRET``), valid for a day."""
    claims = {"sub": "bench", "role": "REGULATOR", "exp": int(time.time()) + 86_400}
    return jwt.encode(claims, secret, algorithm="HS256")


def _post(url: str, authorization: str | None, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    if authorization is not None:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()
    if status != 200:
        raise RuntimeError(f"{url} answered HTTP {status}: {text[:2000]!r}")
    answer: dict[str, Any] = json.loads(text)
    if answer.get("errors") or answer.get("data") is None:
        raise RuntimeError(
            f"{url} answered with errors: {json.dumps(answer, ensure_ascii=False)[:2000]}"
        )
    return answer["data"]  # type: ignore[no-any-return]


async def _check_and_measure_floor(
    url: str,
    params: q.Params | None,
    servers: dict[str, tuple[str, ...]],
    urls: dict[str, str],
    auth: dict[str, str | None],
    *,
    repetitions: int,
    cpu: int,
) -> dict[str, float]:
    conn = await asyncpg.connect(url)
    try:
        floor = floor_module.Floor(conn, params)
        await floor.prepare()
        for query, names in servers.items():
            forms = {"raw asyncpg": await floor.query(query)()}
            if query == "Q4":
                forms["raw asyncpg, recomputed from the rows"] = await floor.q4_recomputed()
            for server in names:
                data = _post(urls[server], auth[server], q.body(query, server, params))
                forms[server] = q.NORMAL[(query, server)](data)
            _require_equal(query, forms)
            same = q.summary(query, forms[q.GREENRONG])
            progress(f"{query}: same data from {', '.join(forms)}: {same}")
        floors: dict[str, float] = {}
        for query in servers:
            floors[query] = await floor_module.measure(
                floor, query, repetitions=repetitions, cpu=cpu
            )
            progress(f"{query}: raw asyncpg floor {floors[query]:,.0f} µs per request")
        return floors
    finally:
        await conn.close()


async def _check_and_measure_sqlite_floor(
    path: Path,
    database_url: str,
    urls: dict[str, str],
    auth: dict[str, str | None],
    *,
    repetitions: int,
    cpu: int,
) -> dict[str, float]:
    """Q4 on SQLite: greenrong's answer against the kept figures read by the stdlib's sqlite3
    (the floor) and against greenrong's own recomputation from the rows, in-process."""
    connection = sqlite3.connect(path)
    try:

        async def kept() -> Any:
            sql = floor_module.KEPT.replace("$1", "?")
            rows = connection.execute(sql, (floor_module.REGULATOR_SCOPE,))
            cents = Decimal("0.01")
            return floor_module.kept_form(
                (f, k, n, (Decimal(a) * cents).quantize(cents)) for f, k, n, a in rows
            )

        forms = {
            "raw sqlite3": await kept(),
            "greenrong, recomputed from the rows": await _recomputed_form(database_url),
            q.GREENRONG: q.NORMAL[("Q4", q.GREENRONG)](
                _post(urls[q.GREENRONG], auth[q.GREENRONG], q.body("Q4", q.GREENRONG, None))
            ),
        }
        _require_equal("Q4", forms)
        progress(f"Q4: same data from {', '.join(forms)}: {q.summary('Q4', forms[q.GREENRONG])}")
        floor = floor_module.Floor(None, None)  # type: ignore[arg-type]
        floor.q4 = kept  # type: ignore[method-assign]
        mean = await floor_module.measure(floor, "Q4", repetitions=repetitions, cpu=cpu)
        progress(f"Q4: raw sqlite3 floor {mean:,.0f} µs per request")
        return {"Q4": mean}
    finally:
        connection.close()


async def _recomputed_form(database_url: str) -> Any:
    from greenrong.core.db import create_engine, create_sessionmaker
    from greenrong.domain.access.principal import Principal, Role
    from greenrong.domain.statistics.service import recomputed_statistics

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            stats = await recomputed_statistics(session, principal=Principal(Role.REGULATOR))
    finally:
        await engine.dispose()
    return floor_module.kept_form(
        [
            *(
                (name, "", n, None)
                for name, n in (
                    ("enterprises", stats.enterprise_count),
                    ("institutions", stats.institution_count),
                    ("products", stats.product_count),
                    ("experts", stats.expert_count),
                    ("listings", stats.listing_count),
                )
            ),
            ("received", "", 1, stats.demand_received_total),
            ("facilitated", "", 1, stats.financing_facilitated_total),
            *(
                ("received_year", str(y.year), y.count, y.amount)
                for y in stats.demand_received_by_year
            ),
            *(
                ("facilitated_year", str(y.year), y.count, y.amount)
                for y in stats.financing_facilitated_by_year
            ),
            *(
                ("enterprise_category", c.value, n, None)
                for c, n in stats.enterprises_by_green_category
                if n
            ),
            *(("expert_title", t.value, n, None) for t, n in stats.experts_by_title if n),
            *(("disclosure_kind", k.value, n, None) for k, n in stats.disclosures_by_kind if n),
        ]
    )


def _require_equal(query: str, forms: dict[str, Any]) -> None:
    reference_name = q.GREENRONG
    reference = forms[reference_name]
    if reference is None or reference == [] or reference == (0, []):
        raise SystemExit(f"bench: {query} returned no rows; choose other parameters")
    for name, form in forms.items():
        if form == reference:
            continue
        diff = difflib.unified_diff(
            pprint.pformat(reference, width=100).splitlines(),
            pprint.pformat(form, width=100).splitlines(),
            fromfile=f"{query} {reference_name}",
            tofile=f"{query} {name}",
            lineterm="",
        )
        sys.stderr.write("\n".join(diff) + "\n")
        raise SystemExit(f"bench: {query}: {name} returned other data than {reference_name}")


# ---- wrk -----------------------------------------------------------------------------------


def _wrk(
    url: str,
    authorization: str | None,
    body_file: Path,
    connections: int,
    seconds: int,
    cpu: int,
) -> dict[str, Any]:
    argv = [
        "taskset", "-c", str(cpu),
        "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
        "--latency", "-s", str(HERE / "post.lua"), url, "--", str(body_file),
    ]  # fmt: skip
    if authorization is not None:
        argv.append(authorization)
    output = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            stats: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
            return stats
    raise RuntimeError(f"wrk printed no WRK_JSON line:\n{output}")


def _soak(
    url: str,
    authorization: str | None,
    bodies: list[Path],
    *,
    total: int,
    connections: int,
    cpu: int,
    pid: int,
) -> str:
    """Q1, Q2, Q3 in turn, 2-second wrk runs, until ``total`` requests: RSS after each round."""
    sent, lines = (
        0,
        [f"RSS of greenrong while serving {total:,} more requests (Q1, Q2, Q3 in turn):"],
    )
    lines.append(f"  {sent:>7,} requests: {rss_kib(pid) / 1024:,.0f} MiB")
    while sent < total:
        for body in bodies:
            sent += _wrk(url, authorization, body, connections, 2, cpu)["requests"]
        lines.append(f"  {sent:>7,} requests: {rss_kib(pid) / 1024:,.0f} MiB")
    return "\n".join(lines)


def _result(query: str, server: str, stats: dict[str, Any]) -> Result:
    socket_errors = sum(stats[k] for k in ("connect", "read", "write", "timeout"))
    errors = socket_errors + stats["non_2xx"] + stats["graphql_errors"]
    detail = ""
    if errors:
        detail = (
            f"socket {socket_errors}, non-2xx {stats['non_2xx']}, graphql {stats['graphql_errors']}"
        )
    return Result(
        query=query,
        server=server,
        rps=stats["requests"] / (stats["duration_us"] / 1e6),
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        errors=errors,
        error_detail=detail,
        requests=stats["requests"],
    )


# ---- the table -----------------------------------------------------------------------------


def _table(
    args: argparse.Namespace,
    results: list[Result],
    floors: dict[str, float],
    params: q.Params | None,
    *,
    server_cpu: int,
    client_cpu: int,
    rss: dict[str, int],
    served: int,
    load: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> str:
    rps = {(r.query, r.server): r.rps for r in results}
    header = (
        "query", "server", "req/s", "requests", "p50 ms", "p99 ms", "errors", "gr ÷ pgl",
        "floor µs",
    )  # fmt: skip
    rows = []
    for r in results:
        ratio = ""
        if r.server == q.GREENRONG and (r.query, q.POSTGRAPHILE) in rps:
            ratio = f"{r.rps / rps[(r.query, q.POSTGRAPHILE)]:.2f}×"
        rows.append(
            (
                r.query,
                r.server,
                f"{r.rps:,.0f}" if r.rps >= 100 else f"{r.rps:.1f}",
                f"{r.requests:,}",
                f"{r.p50_ms:.2f}",
                f"{r.p99_ms:.2f}",
                str(r.errors) + (f" ({r.error_detail})" if r.error_detail else ""),
                ratio,
                f"{floors[r.query]:,.0f}" if r.server == q.GREENRONG else "",
            )
        )
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    numeric = {2, 3, 4, 5, 8}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    cpu_model = _cpu_model()
    out = [
        f"bench/views/run --scale {args.scale:g} --duration {args.duration} "
        f"--connections {args.connections}"
        + "".join(f" --query {query}" for query in args.query or ())
        + (" --sqlite" if args.sqlite else ""),
        f"servers pinned to CPU {server_cpu}, one process each; wrk -t 1 -c {args.connections} "
        f"on CPU {client_cpu}; {args.warmup} s warm-up per run; PostgreSQL unpinned",
        "",
        line(header),
        line(tuple("-" * w for w in widths)),
        *(line(row) for row in rows),
        "",
        f"RSS after the run: greenrong {rss[q.GREENRONG] / 1024:,.0f} MiB "
        f"(after {served:,} timed requests plus warm-ups)"
        + (
            f", PostGraphile {rss[q.POSTGRAPHILE] / 1024:,.0f} MiB" if q.POSTGRAPHILE in rss else ""
        ),
        "errors: socket errors + non-2xx + 2xx responses with GraphQL errors (every response "
        "is checked by post.lua)",
        f"database: {'SQLite (embedded)' if args.sqlite else 'PostgreSQL'}",
        f"floor: the same rows by raw {'sqlite3' if args.sqlite else 'asyncpg'} in-process, "
        "one connection, mean of "
        f"{args.floor_repetitions} sequential runs on CPU {server_cpu} (no HTTP, no JSON)",
        "data: " + (params.describe() if params else "Q4 only (no parameters)"),
        f"machine: {os.cpu_count()} CPUs, {cpu_model}; load average 1 min "
        f"{load[0][0]:.2f} before, {load[1][0]:.2f} after",
    ]
    return "\n".join(out)


def _cpu_model() -> str:
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
