"""The app under fuzzing, and the record of what it answered.

The app runs, with its lifespan (relay, feed publisher, webhook dispatcher), in an event loop of
its own thread, so that hypothesis's synchronous ``@given`` can send it one operation at a
time through httpx's ASGI transport: no socket, nothing leaves the process.

A response is a defect when it is an HTTP 5xx (or the app raised), when an error is the masked
``INTERNAL`` one, or when an error's message shows the machinery behind it (a driver or SQL
message that was never masked). On PostgreSQL each query of a root list
(``resolvers.relations.root_lists``) that answered data is sent once more: the compiled path
answered it the first time, and a prepared operation may answer it the second, so the two
answers must hold the same data and errors. (Other roots
may change between two sends: the feed, deliveries and search are written in the background.)

Webhooks: the app's sender (``workers.webhooks.InlineSender``) is the only outbound HTTP client
of an API process. Its client is replaced, before any operation is sent, by one whose transport
refuses every request (503) and writes down where it would have gone; every attempt the
database records must then carry that 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.access.principal import Role
from greenrong.domain.partners.models import WebhookAttempt
from greenrong.domain.seed.demo import seed_demo
from greenrong.resolvers.relations import root_lists
from tests.factories.access import bearer_token
from tests.factories.entities import credit_code
from tests.fuzz.operations import QUERY, Operation, Pool, harvest

T = TypeVar("T")

#: the status the webhook guard answers every request with
REFUSED = 503
#: what only the machinery behind an error says: such a message was never masked
UNMASKED = re.compile(
    r"sqlalchemy|asyncpg|aiosqlite|sqlite3|psycopg|\[SQL:|Traceback|Background on this error"
    r"|object has no attribute|NoneType|KeyError|IndexError|TypeError|invalid input syntax",
    re.IGNORECASE,
)
#: where the endpoint the harness creates points (a reserved name, RFC 2606; never reached)
HOOK = "https://hooks.example.com/绿色金融"
CREATE_ENDPOINT = """mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url, description: "模糊测试"}) {
    ... on WebhookEndpointWithSecret { secret }
  }
}"""
CREATE_ENTERPRISE = f"""mutation {{
  createEnterprise(input: {{name: "成都模糊测试科技有限公司", creditCode: "{credit_code()}",
    regionCode: "510104", industrySection: "D", industryDivision: "44", size: SMALL,
    greenCategory: CLEAN_ENERGY}}) {{ ... on EnterpriseSuccess {{ enterprise {{ id }} }} }}
}}"""
#: the logger that writes down each masked error with its exception (``schema/kit/policy.py``)
POLICY_LOGGER = "greenrong.graphql"
#: between a cause's place and its message
MESSAGE = ": "


class RefusingTransport(httpx.AsyncBaseTransport):
    """Every webhook request ends here: refused with a 503, its host written down."""

    def __init__(self) -> None:
        self.hosts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts[request.url.host] += 1
        return httpx.Response(REFUSED, request=request)


class Causes(logging.Handler):
    """The exceptions behind masked errors, as the policy logs them while a request runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        causes = [cause_of(record.exc_info[1]) for record in self.records if record.exc_info]
        self.records = []
        return [cause for cause in causes if cause]


def cause_of(error: BaseException | None) -> str:
    """An exception as one line: its type and the deepest greenrong frame, then its message
    (``Record.fail`` groups by what comes before the message)."""
    if error is None:
        return ""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if "/greenrong/" in frame.filename
    ]
    where = ""
    if frames:
        frame = frames[-1]
        where = f" at {frame.filename.rsplit('/greenrong/', 1)[1]}:{frame.lineno} ({frame.name})"
    message = (str(error).splitlines() or [""])[0][:160]
    return f"{type(error).__name__}{where}{MESSAGE}{message}"


@dataclass
class Failure:
    """One kind of defect: how often it was seen and the shortest operation that showed it."""

    what: str
    role: str
    operation: Operation
    detail: str
    count: int = 0


@dataclass
class Record:
    """What a run sent and what came back, for the report and the assertion."""

    operations: Counter[str] = field(default_factory=Counter)
    roots: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, Failure] = field(default_factory=dict)
    replayed: int = 0
    prepared: int = 0
    slowest: list[tuple[float, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.operations.values())

    def fail(self, what: str, role: str, operation: Operation, detail: str) -> None:
        """One defect, grouped with those of the same kind and place (a cause's message
        holds the values sent, which differ)."""
        key = f"{what} | {detail.split(MESSAGE, 1)[0][:120]}"
        known = self.failures.get(key)
        if known is None or len(operation.reproducer()) < len(known.operation.reproducer()):
            count = known.count if known else 0
            known = self.failures[key] = Failure(what, role, operation, detail, count)
        known.count += 1

    def slow(self, seconds: float, role: str, operation: Operation) -> None:
        self.slowest.append((seconds, role, operation.reproducer(300)))
        self.slowest.sort(key=lambda item: -item[0])
        del self.slowest[5:]

    def report(self, title: str) -> str:
        lines = [f"==> {title}: {self.sent:,} operations in {self.seconds:.0f} s"]
        lines.append("    by kind: " + _counts(self.operations))
        lines.append(f"    root fields reached: {len(self.roots)}")
        lines.append("    HTTP statuses: " + _counts(self.statuses))
        lines.append("    errors by code: " + (_counts(self.codes) or "none"))
        lines.append(
            f"    queries sent again on PostgreSQL: {self.replayed:,}, "
            f"answered by a prepared operation: {self.prepared:,}"
        )
        for seconds, role, text in self.slowest:
            lines.append(f"    slow: {seconds:.2f} s as {role}: {text[:200]!r}")
        total = sum(failure.count for failure in self.failures.values())
        lines.append(
            f"    server errors (INTERNAL, 5xx, unmasked): {total} in {len(self.failures)}"
        )
        for failure in sorted(self.failures.values(), key=lambda f: -f.count):
            lines.append(f"--- {failure.what} ×{failure.count} (as {failure.role})")
            lines.append(f"    cause: {failure.detail}")
            lines.append("    " + failure.operation.reproducer().replace("\n", "\n    "))
        return "\n".join(lines)


def _counts(counter: Counter[Any]) -> str:
    return ", ".join(f"{key}: {count:,}" for key, count in counter.most_common())


class Target:
    """The seeded app in its own event loop, and the callers that fuzz it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-app", daemon=True)
        self.stack = contextlib.AsyncExitStack()
        self.guard = RefusingTransport()
        self.causes = Causes()
        self.app: Starlette | None = None
        self.http: httpx.AsyncClient | None = None
        self.headers: dict[str, dict[str, str]] = {}

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 600) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    @contextlib.contextmanager
    def started(self) -> Iterator[Target]:
        self.thread.start()
        logging.getLogger(POLICY_LOGGER).addHandler(self.causes)
        try:
            self.run(self._start())
            yield self
        finally:
            logging.getLogger(POLICY_LOGGER).removeHandler(self.causes)
            with contextlib.suppress(Exception):
                self.run(self.stack.aclose())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)
            self.loop.close()

    async def _start(self) -> None:
        engine = create_engine(self.settings.effective_database_url, pool_size=1)
        try:  # seeded before start-up, which then builds the search indices from it
            sessionmaker = system_sessionmaker(create_sessionmaker(engine))
            await seed_demo(sessionmaker, scale=0.01, progress=False)
        finally:
            await engine.dispose()
        app = self.app = create_app(self.settings)
        await self.stack.enter_async_context(app.router.lifespan_context(app))
        sender = app.state.partners.sender
        assert sender is not None, "webhooks would be sent by a worker, not this process"
        await sender.http.aclose()
        sender.http = httpx.AsyncClient(transport=self.guard)
        # the app's exceptions are raised here, not turned into a 500: the cause is kept
        transport = httpx.ASGITransport(app=app)
        self.http = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=600)
        )
        day = timedelta(days=2)
        admin = bearer_token(self.settings, Role.ADMIN, expires_in=day)
        self.headers = {"anonymous": {}, "admin": {"authorization": f"Bearer {admin}"}}
        # an endpoint, then a change for it: the guard must see (and refuse) its delivery
        for document, variables, made in (
            (CREATE_ENDPOINT, {"url": HOOK}, "createWebhookEndpoint"),
            (CREATE_ENTERPRISE, {}, "createEnterprise"),
        ):
            status, body = await self._post("admin", {"query": document, "variables": variables})
            assert status == 200, body
            assert body["data"][made], body

    @property
    def postgresql(self) -> bool:
        assert self.app is not None
        return bool(self.app.state.resources.engine.dialect.name == "postgresql")

    def pool(self) -> Pool:
        """Ids, cursors and strings of the seeded rows, read as an admin through the API."""
        assert self.app is not None
        schema = self.app.state.graphql.schema._schema
        found: dict[str, set[str]] = {"ids": set(), "cursors": set(), "strings": set()}
        for name, root in schema.query_type.fields.items():
            selection = _page_selection(root)
            if selection is None:
                continue
            _, body = self.run(
                self._post("admin", {"query": f"{{ {name}(first: 5) {selection} }}"})
            )
            harvest(body.get("data") if isinstance(body, dict) else None, found)
        assert found["ids"], "the seeded API gave no ids"
        assert found["cursors"], "the seeded API gave no cursors"
        return Pool(*(tuple(sorted(found[key])) for key in ("ids", "cursors", "strings")))

    async def _post(self, role: str, payload: dict[str, Any]) -> tuple[int, Any]:
        assert self.http is not None
        response = await self.http.post("/graphql", json=payload, headers=self.headers[role])
        return response.status_code, response.json()

    async def _send(self, role: str, operation: Operation) -> tuple[int, bytes]:
        assert self.http is not None
        headers = {"content-type": operation.content_type, **self.headers[role]}
        response = await self.http.post("/graphql", content=operation.body, headers=headers)
        return response.status_code, response.content

    def send(self, role: str, operation: Operation, record: Record) -> None:
        """Send one operation as ``role`` and write down what came back; on PostgreSQL, a root
        list's query that answered data is sent once more (``_replay``)."""
        record.operations[operation.kind] += 1
        record.roots[f"{operation.kind} {operation.root}"] += 1
        self.causes.take()
        started = time.monotonic()
        try:
            status, content = self.run(self._send(role, operation))
        except Exception as error:  # noqa: BLE001 (the app raised: a server answers 500)
            record.statuses[500] += 1
            record.fail("HTTP 500 (the app raised)", role, operation, cause_of(error))
            return
        elapsed = time.monotonic() - started
        record.slow(elapsed, role, operation)
        record.statuses[status] += 1
        body = self._check(role, operation, status, content, record)
        if (
            self.postgresql
            and operation.kind == QUERY
            and operation.root in root_lists(self.app.state.graphql.schema._schema)
            and status == 200
            and isinstance(body, dict)
            and body.get("data") is not None
        ):
            self._replay(role, operation, body, record)

    def _check(
        self, role: str, operation: Operation, status: int, content: bytes, record: Record
    ) -> Any:
        causes = self.causes.take()
        if status >= 500:
            detail = "; ".join(causes) or content[:200].decode(errors="replace")
            record.fail(f"HTTP {status}", role, operation, detail)
            return None
        try:
            body = json.loads(content)
        except ValueError:
            record.codes[f"HTTP {status}, not JSON"] += 1
            return None
        errors = body.get("errors") if isinstance(body, dict) else None
        for error in errors or []:
            extensions = error.get("extensions") or {}
            code = extensions.get("code", "GRAPHQL") if isinstance(extensions, dict) else "?"
            record.codes[code] += 1
            message = str(error.get("message", ""))
            if code == "INTERNAL":
                cause = causes.pop(0) if causes else "(no logged cause)"
                record.fail("INTERNAL", role, operation, cause)
            elif UNMASKED.search(message):
                path = ".".join(str(part) for part in error.get("path") or [])
                record.fail(
                    "unmasked internal message",
                    role,
                    operation,
                    f"at {path}{MESSAGE}{message[:200]}",
                )
        if isinstance(body, dict):
            _typed_codes(body.get("data"), record.codes)
        return body

    def _replay(
        self, role: str, operation: Operation, first: dict[str, Any], record: Record
    ) -> None:
        assert self.app is not None
        prepared = self.app.state.graphql.prepared
        before = prepared.answered
        record.replayed += 1
        try:
            status, content = self.run(self._send(role, operation))
        except Exception as error:  # noqa: BLE001 (as in ``send``)
            record.statuses[500] += 1
            record.fail(
                "HTTP 500 (the app raised) when sent again", role, operation, cause_of(error)
            )
            return
        record.prepared += prepared.answered - before
        body = self._check(role, operation, status, content, record)
        again, then = _answer(body), _answer(first)
        if again != then:
            record.fail(
                "sent again, it answered otherwise",
                role,
                operation,
                f"first{MESSAGE}{json.dumps(then)[:300]} then {json.dumps(again)[:300]}",
            )

    def refused_hook(self, timeout: float = 30.0) -> int:
        """How many deliveries to the harness's own endpoint were refused, once there is one
        (the feed publisher and the dispatcher poll: it takes a few seconds)."""
        host = httpx.URL(HOOK).host
        deadline = time.monotonic() + timeout
        while not self.guard.hosts[host] and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.guard.hosts[host]

    def webhook_attempts(self) -> Counter[int | None]:
        """The status of every webhook attempt the database holds."""
        assert self.app is not None
        sessionmaker = self.app.state.resources.sessionmaker

        async def read() -> Counter[int | None]:
            async with sessionmaker() as session:
                rows = await session.execute(
                    select(WebhookAttempt.status_code, func.count()).group_by(
                        WebhookAttempt.status_code
                    )
                )
                return Counter({status: count for status, count in rows.tuples()})

        return self.run(read())


def _answer(body: Any) -> Any:
    """What two answers to the same query must share: the data, and each error's path and
    code (not its message, which may hold a request id, nor the budget left)."""
    if not isinstance(body, dict):
        return body
    errors = [
        (error.get("path"), (error.get("extensions") or {}).get("code"))
        for error in body.get("errors") or []
    ]
    return {"data": body.get("data"), "errors": errors}


def _typed_codes(value: Any, codes: Counter[str]) -> None:
    """Count the typed errors (payload union members with a ``code``) in a response's data."""
    if isinstance(value, dict):
        code = value.get("code")
        if isinstance(code, str) and "message" in value:
            codes[f"typed {code}"] += 1
        for item in value.values():
            _typed_codes(item, codes)
    elif isinstance(value, list):
        for item in value:
            _typed_codes(item, codes)


def _page_selection(field_: Any) -> str | None:
    """``{ edges { cursor node { …scalars… } } }`` for a connection field without required
    arguments, else None."""
    from graphql import GraphQLNonNull, get_named_type, is_leaf_type, is_object_type

    if any(isinstance(argument.type, GraphQLNonNull) for argument in field_.args.values()):
        return None
    connection = get_named_type(field_.type)
    if not is_object_type(connection) or "edges" not in connection.fields:
        return None
    edge = get_named_type(connection.fields["edges"].type)
    node = get_named_type(edge.fields["node"].type)
    if not is_object_type(node):
        return None
    leaves = [
        name
        for name, child in node.fields.items()
        if is_leaf_type(get_named_type(child.type))
        and not any(isinstance(a.type, GraphQLNonNull) for a in child.args.values())
    ]
    return f"{{ edges {{ cursor node {{ {' '.join(leaves)} }} }} }}"
