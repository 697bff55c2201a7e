"""The partners side of an API process: the feed publisher, live announcements, and webhook
delivery (fan-out, scheduling, the ``webhooks.deliver`` handler)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import dramatiq
import httpx
from dramatiq.brokers.redis import RedisBroker

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.kit.types import utcnow
from greenrong.domain.partners import signing, webhooks
from greenrong.domain.partners.live import FeedHub, Transport
from greenrong.domain.partners.publisher import FeedPublisher
from greenrong.workers.runtime import Runtime

if TYPE_CHECKING:
    from greenrong.workers.broker import Pipeline

log = logging.getLogger(__name__)

ACTOR_NAME = "webhooks.deliver"
QUEUE_NAME = "webhooks"
#: deliveries sent at once by one process
CONCURRENCY = 16

#: hands one due delivery to its sender: inline (embedded) or to the broker
Send = Callable[[uuid.UUID], Awaitable[None]]


def backoff(settings: Settings) -> webhooks.Backoff:
    return webhooks.Backoff(
        min_seconds=settings.webhook_min_backoff_seconds,
        max_seconds=settings.webhook_max_backoff_seconds,
        window_seconds=settings.webhook_retry_window_seconds,
    )


def lease_seconds(settings: Settings) -> float:
    """How long a claimed delivery is left to its sender before it is due again."""
    return settings.webhook_timeout_seconds * 2 + 30


async def deliver(
    sessionmaker: SessionMaker, settings: Settings, http: httpx.AsyncClient, delivery_id: uuid.UUID
) -> None:
    """The ``webhooks.deliver`` handler: one signed POST of one delivery, logged as an attempt.
    Safe to run twice: a delivery that is no longer pending is left alone."""
    now = utcnow()
    async with sessionmaker.begin() as session:
        request = await webhooks.outgoing(session, delivery_id, now)
    if request is None:
        return
    headers = signing.headers(
        request.secrets, msg_id=request.msg_id, timestamp=now, body=request.body
    )
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        response = await http.post(request.url, content=request.body.encode(), headers=headers)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.TimeoutException:
        error = f"timed out after {settings.webhook_timeout_seconds:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = round((time.monotonic() - started) * 1000)
    async with sessionmaker.begin() as session:
        await webhooks.record_attempt(
            session,
            delivery_id=delivery_id,
            attempted_at=now,
            status_code=status,
            duration_ms=duration_ms,
            error=error,
            backoff=backoff(settings),
        )
    if error is not None:
        log.info("webhook delivery %s to %s failed: %s", delivery_id, request.url, error)


WebhookActor = dramatiq.Actor[[str], None]


def declare_webhook_actor(
    broker: RedisBroker, settings: Settings, runtime: Callable[[], Runtime]
) -> WebhookActor:
    """``webhooks.deliver``: one delivery id in, one attempt out. ``max_retries=0`` on purpose:
    the retry schedule (backoff, jitter, the 3-day window) lives in the database, where
    ``webhookDeliveries`` shows it and a lost message cannot lose it: a delivery whose message
    vanished is due again once its lease ends, and the dispatcher sends it anew."""

    async def deliver_message(delivery_id: str) -> None:
        current = runtime()  # its HTTP client serves every message of this process
        await deliver(current.sessionmaker, current.settings, current.http, uuid.UUID(delivery_id))

    declare = dramatiq.actor(
        broker=broker,
        actor_name=ACTOR_NAME,
        queue_name=QUEUE_NAME,
        max_retries=0,
        time_limit=int((settings.webhook_timeout_seconds + 30) * 1000),
    )
    actor: WebhookActor = declare(deliver_message)
    return actor


def broker_sender(actor: WebhookActor) -> Send:
    """Redis mode: the dispatcher only enqueues; ``greenrong worker`` sends."""

    async def send(delivery_id: uuid.UUID) -> None:
        await asyncio.to_thread(actor.send, str(delivery_id))

    return send


class WebhookDispatcher:
    """Turns published events into deliveries and hands due deliveries to ``send``. One runs
    in every API process; claims are leased, so several never send the same delivery at once."""

    def __init__(
        self, sessionmaker: SessionMaker, settings: Settings, hub: FeedHub, send: Send
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.hub = hub
        self.send = send
        self._stopping = False
        self._wakeup = hub.listen()

    def kick(self) -> None:
        """Look again now (a delivery finished, and may have scheduled a retry)."""
        self._wakeup.set()

    async def run_once(self) -> int:
        now = utcnow()
        async with self.sessionmaker() as session:  # cheap reads first: idle loops write nothing
            pending = await webhooks.fan_out_pending(session)
            due_at = await webhooks.next_due_at(session)
            orphaned = await webhooks.orphans(session, now=now)
        if orphaned:  # owner keys revoked or expired since: disabled even without new events
            async with self.sessionmaker.begin() as session:
                await webhooks.disable_orphans(session, orphaned, now=now)
        created: list[uuid.UUID] = []
        if pending:
            async with self.sessionmaker.begin() as session:
                created = await webhooks.fan_out(
                    session, limit=self.settings.feed_batch_size, now=now
                )
        due: list[uuid.UUID] = []
        if created or (due_at is not None and due_at <= now):
            lease_until = now + timedelta(seconds=lease_seconds(self.settings))
            async with self.sessionmaker.begin() as session:
                due = await webhooks.claim_due(session, now=now, lease_until=lease_until, limit=100)
        for delivery_id in due:
            await self.send(delivery_id)
        return len(created) + len(due)

    async def _pause(self) -> float:
        async with self.sessionmaker() as session:
            due_at = await webhooks.next_due_at(session)
        seconds = self.settings.feed_poll_seconds
        if due_at is not None:
            seconds = min(seconds, max((due_at - utcnow()).total_seconds(), 0.0))
        return seconds

    async def run(self) -> None:
        try:
            while not self._stopping:
                try:
                    busy = await self.run_once()
                    pause = 0.0 if busy else await self._pause()
                except Exception:
                    log.exception("webhook dispatcher failed; will retry")
                    pause = self.settings.feed_poll_seconds
                if pause > 0 and not self._stopping:
                    await self._wakeup.wait(pause)
        finally:
            self.hub.unlisten(self._wakeup)

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()


class InlineSender:
    """Embedded mode: send in this event loop, at most ``CONCURRENCY`` at once, with the
    runtime's HTTP client (the runtime closes it)."""

    def __init__(self, sessionmaker: SessionMaker, settings: Settings, http: httpx.AsyncClient):
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.http = http
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_done: Callable[[], None] = lambda: None

    async def __call__(self, delivery_id: uuid.UUID) -> None:
        await self._slots.acquire()
        task = asyncio.create_task(self._deliver(delivery_id), name=f"webhook-{delivery_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, delivery_id: uuid.UUID) -> None:
        try:
            await deliver(self.sessionmaker, self.settings, self.http, delivery_id)
        except Exception:  # the lease runs out and the delivery is claimed again
            log.exception("webhook delivery %s could not be sent or recorded", delivery_id)
        finally:
            self._slots.release()
            self.on_done()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@dataclass
class Partners:
    """What the app's lifespan starts for partners, and stops in reverse order."""

    hub: FeedHub
    transport: Transport
    publisher: FeedPublisher
    dispatcher: WebhookDispatcher
    sender: InlineSender | None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def stop(self, *, grace: float = 5.0) -> None:
        self.publisher.stop()
        self.dispatcher.stop()
        for task in self.tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.sender is not None:
            await self.sender.close()


async def start_partners(runtime: Runtime, *, enqueue: Send | None = None) -> Partners:
    """Start the feed publisher, the live transport and the webhook dispatcher of this
    process, on the runtime's pool. Deliveries are sent inline, or handed to ``enqueue`` (the
    broker) when given."""
    settings = runtime.settings
    sessionmaker = runtime.plain_sessionmaker
    hub = FeedHub()
    transport = runtime.transport()  # the runtime closes it
    try:
        await transport.start(hub.announce)
    except Exception:
        log.exception("live feed announcements from other processes are off (polling only)")
    publisher = FeedPublisher(
        sessionmaker,
        hub,
        transport,
        batch_size=settings.feed_batch_size,
        poll_seconds=settings.feed_poll_seconds,
    )
    sender: InlineSender | None = None
    send: Send
    if enqueue is None:
        send = sender = InlineSender(sessionmaker, settings, runtime.http)
    else:
        send = enqueue
    dispatcher = WebhookDispatcher(sessionmaker, settings, hub, send)
    if sender is not None:
        sender.on_done = dispatcher.kick
    partners = Partners(hub, transport, publisher, dispatcher, sender)
    partners.tasks.append(asyncio.create_task(publisher.run(), name="greenrong-feed-publisher"))
    partners.tasks.append(asyncio.create_task(dispatcher.run(), name="greenrong-webhooks"))
    return partners


def webhook_sender(pipeline: Pipeline, settings: Settings) -> Send | None:
    """The API's way to hand deliveries over: to the pipeline's Redis broker when there is one
    (``greenrong worker`` sends them), else None (the API sends them itself)."""
    if pipeline.broker is None:
        return None
    runtime: Runtime = pipeline.runtime
    return broker_sender(declare_webhook_actor(pipeline.broker, settings, lambda: runtime))
