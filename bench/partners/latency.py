"""Partners benchmarks: commit → subscription message, commit → webhook received (with 20
endpoints), and feed read throughput.

    .venv/bin/python bench/partners/latency.py --admin-url postgresql+asyncpg://…/postgres
    .venv/bin/python bench/partners/latency.py --sqlite

Everything runs in one process and one event loop: the real app under uvicorn on a loopback
port (the feed publisher, its hub and the webhook dispatcher inside it), a graphql-transport-ws
client subscribed to `changes`, and a small HTTP receiver for the webhook endpoints. Each change
is one enterprise rename committed through the domain service; the clock starts when the commit
returns (then the process's publisher is woken, as the GraphQL edge does) and stops when the
subscription message, or each endpoint's POST, arrives. Changes are made one at a time with a
short pause, so these are latencies, not throughput. Feed throughput is measured separately:
``--feed-events`` events are written in bulk, published, and read back page by page through
the domain (500 a page) and through GraphQL `changes` over HTTP (200 a page, the page limit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import uvicorn
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from websockets.asyncio.client import connect

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.domain.enterprises.credit_code import complete
from greenrong.domain.enterprises.models import Enterprise, EnterpriseSize
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import signal
from greenrong.domain.outbox.models import ChangeEvent, Operation
from greenrong.domain.partners import feed, webhooks
from greenrong.domain.partners.models import FeedEntry
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.migrations.runner import upgrade

SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
SUBSCRIBE = "subscription { changes(entityTypes: [ENTERPRISE]) { id } }"
CHANGES = (
    "query($after: String) "
    "{ changes(after: $after, first: 200) { endCursor hasMore events { id } } }"
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name}: n={len(ms)} p50={pct(ms, 0.5):.1f} ms p95={pct(ms, 0.95):.1f} ms "
        f"max={max(ms):.1f} ms mean={statistics.fmean(ms):.1f} ms"
    )


async def fresh_database(admin_url: str | None) -> tuple[str, Any]:
    if admin_url is None:
        path = Path(tempfile.mkdtemp()) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(upgrade, url)
        return url, None
    name = f"bench_partners_{uuid.uuid4().hex[:8]}"
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = make_url(admin_url).set(database=name).render_as_string(False)
    await asyncio.to_thread(upgrade, url)

    async def drop() -> None:
        admin = await asyncpg.connect(dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return url, drop


class Receiver:
    """A minimal HTTP/1.1 receiver in this event loop: 204 to every POST, arrival times kept
    per webhook-id."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (
                        line.partition(":") for line in head.decode().split("\r\n")[1:] if line
                    )
                }
                await reader.readexactly(int(headers.get("content-length", "0")))
                self.arrivals.setdefault(headers["webhook-id"], []).append(time.perf_counter())
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def make_enterprise(sessionmaker: SessionMaker) -> uuid.UUID:
    async with sessionmaker.begin() as session:
        row = Enterprise(
            name="基准测试企业",
            credit_code=complete("91510104MA0000001"[:17]),
            region_code="510104",
            industry_section="D",
            industry_division="44",
            size=EnterpriseSize.SMALL,
            green_category=GreenCategory.CLEAN_ENERGY,
            green_level=GreenLevel.NONE,
        )
        session.add(row)
        await session.flush()
        return row.id


async def latencies(args: argparse.Namespace, url: str) -> None:
    settings = Settings(
        database_url=url,
        jwt_secret=SECRET,
        search_rebuild_on_start=False,
        search_rebuild_progress=False,
        log_level="WARNING",
    )
    sessionmaker = create_sessionmaker(create_engine(url, pool_size=10))
    receiver = Receiver()
    server_socket = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    hook_url = f"http://127.0.0.1:{server_socket.sockets[0].getsockname()[1]}/hook"
    async with sessionmaker.begin() as session:
        for n in range(args.endpoints):
            await webhooks.create_endpoint(
                session, url=hook_url, entity_types=[], description=f"bench {n}", owner=None
            )
    enterprise_id = await make_enterprise(sessionmaker)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), lifespan="on", log_config=None, access_log=False)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    token = jwt.encode(
        {"sub": "bench", "role": "ADMIN", "exp": datetime.now(UTC) + timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )
    sub_latency: list[float] = []
    committed: dict[str, float] = {}
    try:
        async with connect(
            f"ws://127.0.0.1:{port}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        ) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )
            await asyncio.sleep(0.5)
            for n in range(args.changes):
                async with sessionmaker.begin() as session:
                    row = await session.get(Enterprise, enterprise_id)
                    assert row is not None
                    await update_enterprise(
                        session, id=row.id, version=row.version, changes={"name": f"基准{n}"}
                    )
                t0 = time.perf_counter()
                signal.changes_committed()
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if message["type"] == "ping":
                        await ws.send(json.dumps({"type": "pong"}))
                        continue
                    break
                sub_latency.append(time.perf_counter() - t0)
                committed[message["payload"]["data"]["changes"]["id"]] = t0
                await asyncio.sleep(args.pause)
        deadline = time.monotonic() + 60
        expected = args.changes * args.endpoints
        while sum(len(v) for v in receiver.arrivals.values()) < expected:
            assert time.monotonic() < deadline, "webhooks did not all arrive within 60 s"
            await asyncio.sleep(0.05)
        hook_latency = [
            arrival - committed[event_id]
            for event_id, arrivals in receiver.arrivals.items()
            for arrival in arrivals
        ]
        print(summary("commit -> subscription message", sub_latency))
        print(summary(f"commit -> webhook received ({args.endpoints} endpoints)", hook_latency))
    finally:
        server.should_exit = True
        await serving
        server_socket.close()
        await sessionmaker.kw["bind"].dispose()


async def throughput(args: argparse.Namespace, url: str) -> None:
    engine = create_engine(url, pool_size=4)
    sessionmaker = create_sessionmaker(engine)
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "entity_type": "Enterprise",
            "entity_id": uuid.uuid4(),
            "operation": Operation.UPDATE,
            "entity_version": 2,
            "payload": {},
            "occurred_at": now,
            "dispatched_at": now,
            "attempts": 0,
        }
        for _ in range(args.feed_events)
    ]
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        async with sessionmaker.begin() as session:
            await session.execute(insert(ChangeEvent), chunk)
            await session.execute(
                insert(FeedEntry),
                [{"event_id": r["id"], "entity_type": "Enterprise"} for r in chunk],
            )
    started = time.perf_counter()
    published = 0
    while True:
        async with sessionmaker.begin() as session:
            first, last = await feed.publish(session, limit=5000, now=utcnow())
        if last < first:
            break
        published += last - first + 1
    publish_seconds = time.perf_counter() - started
    print(
        f"feed publish: {published} events in {publish_seconds:.2f} s "
        f"({published / publish_seconds:,.0f} events/s, batches of 5,000)"
    )
    started, position, read = time.perf_counter(), 0, 0
    while True:
        async with sessionmaker() as session:
            items = await feed.read(session, after=position, limit=500)
        if not items:
            break
        read += len(items)
        position = items[-1].position
    seconds = time.perf_counter() - started
    print(
        f"feed read (domain, 500/page): {read} events in {seconds:.2f} s "
        f"({read / seconds:,.0f} events/s)"
    )
    await engine.dispose()

    settings = Settings(
        database_url=url,
        jwt_secret=SECRET,
        search_rebuild_on_start=False,
        search_rebuild_progress=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    token = jwt.encode(
        {"sub": "bench", "role": "PARTNER", "exp": datetime.now(UTC) + timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"authorization": f"Bearer {token}"},
        ) as http,
    ):
        started, after, read = time.perf_counter(), None, 0
        while True:
            response = await http.post(
                "/graphql", json={"query": CHANGES, "variables": {"after": after}}
            )
            page = response.json()["data"]["changes"]
            read += len(page["events"])
            after = page["endCursor"]
            if not page["hasMore"]:
                break
        seconds = time.perf_counter() - started
    print(
        f"feed read (GraphQL changes, 200/page): {read} events in {seconds:.2f} s "
        f"({read / seconds:,.0f} events/s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--admin-url", help="PostgreSQL admin URL: a fresh database is made")
    where.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between changes")
    parser.add_argument("--feed-events", type=int, default=20000)
    args = parser.parse_args()
    url, drop = await fresh_database(args.admin_url)
    try:
        print(f"database: {make_url(url).get_backend_name()}")
        await latencies(args, url)
        await throughput(args, url)
    finally:
        if drop is not None:
            await drop()


if __name__ == "__main__":
    asyncio.run(main())
