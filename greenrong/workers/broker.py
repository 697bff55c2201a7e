"""Dramatiq on Redis: the ``search.index_changes`` actor, the dispatchers and ``greenrong worker``.

The outbox has one handler, ``workers.search.index_changes``. (The feed consumers, alerts and
identification suggestions, have actors of their own: ``workers/consumers.py``.) How claimed
events reach it is the only thing the two modes change:

- embedded (no ``GREENRONG_BROKER_URL``): the relay in the API process awaits the handler
  itself (``inline_dispatch``); a retryable failure gives the events back with a backoff.
- Redis: the relay only enqueues a ``search.index_changes`` message of event ids
  (``broker_dispatch``); ``greenrong worker`` runs the actor, whose retries and backoff are
  dramatiq's, and its own relay as the safety net for events nobody handed over.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import dramatiq
import redis
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, Middleware

from greenrong.core.config import Settings
from greenrong.core.retry import is_retryable
from greenrong.domain.outbox.repository import Claimed
from greenrong.workers.alerts import ALERTS
from greenrong.workers.carbon import QUEUE_NAME as CARBON_QUEUE
from greenrong.workers.carbon import declare_recalc_actor, send_chunks
from greenrong.workers.consumers import Consumer, declare_consumer_actor
from greenrong.workers.identification import IDENTIFICATION
from greenrong.workers.relay import Dispatch, Relay, release_for_retry, stop_task
from greenrong.workers.runtime import Runtime, after_ready, open_runtime
from greenrong.workers.search import index_changes
from greenrong.workers.webhooks import QUEUE_NAME as WEBHOOK_QUEUE
from greenrong.workers.webhooks import declare_webhook_actor

log = logging.getLogger(__name__)

QUEUE_NAME = "search"
ACTOR_NAME = "search.index_changes"
#: the consumers of the change feed besides indexing, each with its actor and position
FEED_CONSUMERS: tuple[Consumer, ...] = (ALERTS, IDENTIFICATION)

IndexActor = dramatiq.Actor[[list[str]], None]


def create_broker(settings: Settings) -> RedisBroker:
    """A Redis broker whose every call has a timeout, ready for async actors."""
    client = redis.Redis.from_url(
        settings.broker_url,
        socket_timeout=settings.broker_timeout_seconds,
        socket_connect_timeout=settings.broker_timeout_seconds,
    )
    broker = RedisBroker(client=client)  # type: ignore[no-untyped-call]  # dramatiq leaves it untyped
    broker.add_middleware(AsyncIO())
    return broker


def close_broker(broker: RedisBroker) -> None:
    broker.close()
    broker.client.close()


def send_recalc_chunks(
    settings: Settings, run_id: uuid.UUID, chunks: Sequence[Sequence[uuid.UUID]]
) -> None:
    """Send a ``greenrong carbon recalc`` run's chunks as ``carbon.recalculate`` jobs (the
    sender only declares the actor; ``greenrong worker`` runs it)."""
    broker = create_broker(settings)
    try:

        def no_runtime() -> Runtime:
            raise RuntimeError("the CLI only sends carbon.recalculate jobs")

        send_chunks(declare_recalc_actor(broker, settings, no_runtime), run_id, chunks)
    finally:
        close_broker(broker)


def declare_actor(
    broker: RedisBroker, settings: Settings, runtime: Callable[[], Runtime]
) -> IndexActor:
    """The indexing actor: event ids in (never rows), explicit queue, retries and time limit."""

    async def index_changes_message(event_ids: list[str]) -> None:
        await index_changes(runtime(), [uuid.UUID(i) for i in event_ids])

    declare = dramatiq.actor(
        broker=broker,
        actor_name=ACTOR_NAME,
        queue_name=QUEUE_NAME,
        max_retries=settings.index_max_retries,
        min_backoff=int(settings.index_min_backoff_seconds * 1000),
        max_backoff=int(settings.index_max_backoff_seconds * 1000),
        time_limit=int(settings.index_time_limit_seconds * 1000),
    )
    actor: IndexActor = declare(index_changes_message)
    return actor


def inline_dispatch(runtime: Runtime) -> Dispatch:
    """Embedded mode: run the handler now, in this event loop."""

    async def dispatch(claimed: Sequence[Claimed]) -> None:
        try:
            await index_changes(runtime, [c.id for c in claimed])
        except Exception as exc:
            if is_retryable(exc):
                log.warning("indexing %d event(s) failed, will retry: %s", len(claimed), exc)
            else:
                log.exception("indexing %d event(s) failed, will retry", len(claimed))
            await release_for_retry(runtime.sessionmaker, runtime.settings, claimed)

    return dispatch


def broker_dispatch(actor: IndexActor, runtime: Runtime) -> Dispatch:
    """Redis mode: enqueue one message; the worker's actor finishes the events."""

    async def dispatch(claimed: Sequence[Claimed]) -> None:
        try:
            await asyncio.to_thread(actor.send, [str(c.id) for c in claimed])
        except Exception:
            log.exception("enqueueing %d event(s) failed, will retry", len(claimed))
            await release_for_retry(runtime.sessionmaker, runtime.settings, claimed)

    return dispatch


@dataclass
class _WorkerState:
    settings: Settings
    actor: IndexActor | None = None
    runtime: Runtime | None = None
    relay: Relay | None = None
    relay_done: Future[None] | None = field(default=None)

    def current_runtime(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("the worker's runtime is not open")
        return self.runtime


class _Lifecycle(Middleware):
    """Opens the runtime and starts the relay on dramatiq's event loop before the worker's
    threads start consuming; stops and closes them before that loop stops. Added after
    ``AsyncIO``, so its boot hook runs after the loop started and its shutdown hook before the
    loop stops.

    ``before_worker_boot``, not ``after``: dramatiq starts the consumer and worker threads
    between the two, so a message already queued was handled before an ``after`` hook had
    opened the runtime. It failed ("the worker's runtime is not open"), its retries were spent
    at once, and the work waited for the outbox's lease to expire (about 30 s)."""

    def __init__(self, state: _WorkerState) -> None:
        self.state = state

    def before_worker_boot(self, broker: Any, worker: Any) -> None:
        loop = _loop_thread()
        state = self.state
        assert state.actor is not None

        async def open_() -> Runtime:
            return open_runtime(state.settings)

        state.runtime = loop.run_coroutine(open_())
        state.relay = Relay(
            state.runtime.sessionmaker, state.settings, broker_dispatch(state.actor, state.runtime)
        )
        state.relay_done = asyncio.run_coroutine_threadsafe(state.relay.run(), loop.loop)
        log.info("greenrong worker: relay started, consuming queue %r", QUEUE_NAME)

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        relay, done = self.state.relay, self.state.relay_done
        if relay is not None and done is not None:
            _loop_thread().loop.call_soon_threadsafe(relay.stop)
            try:
                done.result(timeout=self.state.settings.search_timeout_seconds)
            except Exception:
                log.exception("the relay did not stop cleanly")
                done.cancel()

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        if self.state.runtime is not None:
            _loop_thread().run_coroutine(self.state.runtime.close())
            self.state.runtime = None


def _loop_thread() -> Any:
    thread = get_event_loop_thread()
    if thread is None:
        raise RuntimeError("dramatiq's AsyncIO middleware has not started its event loop")
    return thread


def run_worker(settings: Settings, *, threads: int) -> None:
    """``greenrong worker``: consume the search, webhooks and carbon queues and relay the outbox
    until SIGTERM/SIGINT."""
    broker = create_broker(settings)
    state = _WorkerState(settings)
    state.actor = declare_actor(broker, settings, state.current_runtime)
    declare_webhook_actor(broker, settings, state.current_runtime)  # webhooks.deliver
    declare_recalc_actor(broker, settings, state.current_runtime)  # carbon.recalculate
    for consumer in FEED_CONSUMERS:  # alerts.match, identification.suggest
        declare_consumer_actor(broker, settings, consumer, state.current_runtime)
    broker.add_middleware(_Lifecycle(state))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    queues = {QUEUE_NAME, WEBHOOK_QUEUE, CARBON_QUEUE, *(c.queue_name for c in FEED_CONSUMERS)}
    worker = dramatiq.Worker(broker, queues=queues, worker_threads=threads)
    worker.start()
    try:
        while not stop.wait(0.5):
            pass
        log.info("greenrong worker: stopping")
    finally:
        worker.stop(timeout=int(settings.index_time_limit_seconds * 1000))
        close_broker(broker)


@dataclass
class Pipeline:
    """The API process's share of the pipeline: its relay, and the broker it enqueues to.
    The runtime is the app's (its lifespan closes it)."""

    runtime: Runtime
    relay: Relay
    task: asyncio.Task[None]
    broker: RedisBroker | None

    async def stop(self) -> None:
        await stop_task(self.relay, self.task, grace=self.runtime.settings.search_timeout_seconds)
        if self.broker is not None:
            close_broker(self.broker)


def start_pipeline(runtime: Runtime, *, ready: asyncio.Event | None = None) -> Pipeline:
    """Start the relay of an API process (embedded mode, or enqueueing to Redis); with
    ``ready``, it hands on no event before the search indices are built."""
    settings = runtime.settings
    broker = None
    if settings.broker_url:
        broker = create_broker(settings)
        dispatch = broker_dispatch(declare_actor(broker, settings, lambda: runtime), runtime)
    else:
        dispatch = inline_dispatch(runtime)
    relay = Relay(runtime.sessionmaker, settings, dispatch)
    task = asyncio.create_task(after_ready(ready, relay.run), name="greenrong-outbox-relay")
    return Pipeline(runtime, relay, task, broker)
