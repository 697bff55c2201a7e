"""Prometheus metrics, served at ``GET /metrics`` (prometheus-client).

One process: the default registry. ``greenrong serve --workers N`` sets
``PROMETHEUS_MULTIPROC_DIR`` before it starts the API processes (``multiprocess_dir``), so each
writes its samples there and ``/metrics``, whichever process answers, adds them up
(prometheus-client's multiprocess mode): counters and histograms are summed, the open-connection
gauges too (``livesum``: a process that exits stops counting), and the figures read from the
database at scrape time (outbox lag, dead letters, webhook queue) are the scraping process's
latest reading (``mostrecent``): they are the deployment's, not one process's.

Label values are bounded: an operation name is kept only when it looks like a GraphQL name of
at most 64 characters, and only the first ``MAX_OPERATIONS`` distinct names per process are kept
apart; the rest count as ``other``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from time import perf_counter

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: distinct operation names kept apart per process (the rest are ``other``)
MAX_OPERATIONS = 200
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "greenrong_graphql_request_seconds",
    "GraphQL HTTP requests: seconds to answer, by operation name and execution path "
    "(shared, prepared, compiled or normal); its _count is the number of requests",
    ["operation", "path"],
    buckets=_LATENCY_BUCKETS,
)
ERRORS = Counter(
    "greenrong_graphql_errors",
    "GraphQL errors by code: request errors (errors[].extensions.code) and typed mutation "
    "errors (the payload's code)",
    ["code", "kind"],
)
DB_CONNECTIONS = Gauge(
    "greenrong_db_connections_in_use",
    "Database connections checked out of the pool",
    multiprocess_mode="livesum",
)
WEBSOCKETS = Gauge(
    "greenrong_websocket_connections",
    "Open GraphQL WebSocket connections",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "greenrong_subscriptions",
    "Running GraphQL subscriptions",
    multiprocess_mode="livesum",
)
SEARCH_SECONDS = Histogram(
    "greenrong_search_request_seconds",
    "Requests to the search engine (searches and msearches): seconds, by outcome",
    ["outcome"],
    buckets=_LATENCY_BUCKETS,
)
KEPT_ROWS = Counter(
    "greenrong_kept_rows",
    "Rows by id asked of the process's kept rows (enterprises, projects, products, demands): "
    "answered from memory (hit) or read from the database (miss)",
    ["outcome"],
)
OUTBOX_LAG = Gauge(
    "greenrong_outbox_lag_seconds",
    "Age of the oldest change event the relay has not handed on yet (0: none waiting); the "
    "search index trails the database by at least this much",
    multiprocess_mode="mostrecent",
)
OUTBOX_WAITING = Gauge(
    "greenrong_outbox_waiting_events",
    "Change events the relay has not handed on yet",
    multiprocess_mode="mostrecent",
)
DEAD_LETTERS = Gauge(
    "greenrong_dead_letters",
    "Changes whose indexing failed for good (greenrong events failed)",
    multiprocess_mode="mostrecent",
)
WEBHOOK_DELIVERIES = Gauge(
    "greenrong_webhook_deliveries",
    "Webhook deliveries by status (PENDING is the queue)",
    ["status"],
    multiprocess_mode="mostrecent",
)

_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    """A bounded label for an operation name."""
    if not name:
        return "anonymous"
    if not _NAME.match(name):
        return "other"
    if name not in _operations:
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


@contextmanager
def timed(histogram: Histogram, **labels: str) -> Iterator[dict[str, str]]:
    """Observe the seconds the block takes; the block may change the labels it is given."""
    chosen = dict(labels)
    started = perf_counter()
    try:
        yield chosen
    finally:
        histogram.labels(**chosen).observe(perf_counter() - started)


def count_error(code: str, kind: str) -> None:
    """Count one error; one without a code (there should be none) is ``UNCODED``."""
    ERRORS.labels(code=code or "UNCODED", kind=kind).inc()


def set_database_figures(
    *,
    oldest_waiting: datetime | None,
    waiting: int,
    dead_letters: int,
    deliveries: dict[str, int],
    now: datetime,
) -> None:
    lag = 0.0 if oldest_waiting is None else (now - oldest_waiting).total_seconds()
    OUTBOX_LAG.set(max(0.0, lag))
    OUTBOX_WAITING.set(waiting)
    DEAD_LETTERS.set(dead_letters)
    for status, n in deliveries.items():
        WEBHOOK_DELIVERIES.labels(status=status).set(n)


def exposition() -> tuple[bytes, str]:
    """The text exposition of every process's metrics, and its content type."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


@contextmanager
def multiprocess_dir() -> Iterator[str]:
    """A fresh directory for the API processes' samples (set as ``PROMETHEUS_MULTIPROC_DIR``
    in their environment), removed when serving ends."""
    directory = tempfile.mkdtemp(prefix="greenrong-metrics-")
    previous = os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(directory, ignore_errors=True)
