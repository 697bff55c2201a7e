"""Feed consumers: one actor each, each with its own position in the change feed.

Indexing is driven by the outbox (``workers/relay.py``). Everything else that reacts to
changes reads the published feed from its own position (``domain/partners/consumers.py``), as
the webhook fan-out does: saved-search alerts (``alerts.match``) and identification
suggestions (``identification.suggest``). So a slow or failing consumer holds up only itself:
a retryable alert failure retries the alerts, not the indexing, and a terminal one becomes a
dead letter of that consumer (``greenrong events failed``) instead of being dropped.

A run (``run_once``) leases the consumer, takes the next batch of its entity's events, hands
the entity ids to the consumer's handler and moves the position. A retryable failure
(``core.retry``) ends the lease without moving, so the batch comes again; a terminal one
records a dead letter per entity of the batch and moves on.

Who runs it: ``ConsumerLoop`` in every API process wakes on feed announcements (and polls),
and either runs the consumer inline (embedded mode) or enqueues its actor's message, which
``greenrong worker`` handles (Redis). Messages carry no ids: the position is in the database,
so a duplicate message costs one look at the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from greenrong.core.config import Settings
from greenrong.core.retry import is_retryable
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import repository
from greenrong.domain.partners import consumers
from greenrong.domain.partners.live import FeedHub
from greenrong.workers.runtime import Runtime, after_ready
from greenrong.workers.search import ERROR_LIMIT, Failure

log = logging.getLogger(__name__)

#: a consumer's handler: entity ids in, the entities it failed on for good out; raises
#: retryable errors
Handler = Callable[[Runtime, Sequence[uuid.UUID]], Awaitable[list[Failure]]]


@dataclass(frozen=True)
class Consumer:
    #: its row in ``feed_consumer`` and its dead letters' ``consumer``
    name: str
    #: the entity type of the events it takes
    entity_type: str
    handle: Handler
    actor_name: str
    queue_name: str


def lease_seconds(settings: Settings) -> float:
    return settings.consumer_time_limit_seconds + 30


async def run_once(runtime: Runtime, consumer: Consumer) -> int:
    """Handle one batch of the consumer's events; how many feed positions it moved over
    (0 when there was nothing to do, or another run holds the consumer)."""
    settings = runtime.settings
    now = utcnow()
    async with runtime.sessionmaker.begin() as session:
        after = await consumers.claim(
            session,
            consumer.name,
            now=now,
            lease_until=now + timedelta(seconds=lease_seconds(settings)),
        )
    if after is None:
        return 0
    try:
        async with runtime.sessionmaker() as session:
            batch = await consumers.pending(
                session,
                consumer.name,
                entity_type=consumer.entity_type,
                after=after,
                limit=settings.consumer_batch_size,
            )
        ids = batch.entity_ids
        try:
            failures = await consumer.handle(runtime, ids) if ids else []
        except Exception as exc:
            if is_retryable(exc):
                raise
            log.exception("%s: %d entities failed for good", consumer.name, len(ids))
            error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
            failures = [Failure(consumer.entity_type, i, error) for i in ids]
    except BaseException:
        async with runtime.sessionmaker.begin() as session:  # the batch comes again
            await consumers.release(session, consumer.name, after=after)
        raise
    failed = {f.entity_id for f in failures}
    now = utcnow()
    async with runtime.sessionmaker.begin() as session:
        await repository.resolve_dead_letters(
            session,
            consumer.entity_type,
            [i for i in ids if i not in failed],
            consumer=consumer.name,
        )
        for failure in failures:
            await repository.record_dead_letter(
                session,
                consumer=consumer.name,
                entity_type=failure.entity_type,
                entity_id=failure.entity_id,
                event_ids=batch.events_of(failure.entity_id),
                error=failure.error,
                now=now,
            )
        if not await consumers.finish(session, consumer.name, after=after, upto=batch.upto):
            log.warning("%s: taken over by another run; its position stays", consumer.name)
    return batch.upto - after + len(batch.requeued)


async def run_until_caught_up(runtime: Runtime, consumer: Consumer) -> int:
    """Run batches while there are full ones; how many feed positions were handled."""
    total = 0
    while True:
        moved = await run_once(runtime, consumer)
        total += moved
        if moved < runtime.settings.consumer_batch_size:
            return total


ConsumerActor = dramatiq.Actor[[], None]


def declare_consumer_actor(
    broker: RedisBroker, settings: Settings, consumer: Consumer, runtime: Callable[[], Runtime]
) -> ConsumerActor:
    """The consumer's actor: no arguments (the position is in the database); retryable
    failures are retried by dramatiq with backoff, terminal ones never leave the handler."""

    async def consume() -> None:
        await run_until_caught_up(runtime(), consumer)

    consume.__name__ = consumer.actor_name.replace(".", "_")
    declare = dramatiq.actor(
        broker=broker,
        actor_name=consumer.actor_name,
        queue_name=consumer.queue_name,
        max_retries=settings.index_max_retries,
        min_backoff=int(settings.index_min_backoff_seconds * 1000),
        max_backoff=int(settings.index_max_backoff_seconds * 1000),
        time_limit=int(settings.consumer_time_limit_seconds * 1000),
    )
    actor: ConsumerActor = declare(consume)
    return actor


#: runs a consumer now (embedded) or enqueues its actor's message (Redis)
Trigger = Callable[[], Awaitable[Any]]


class ConsumerLoop:
    """Runs one consumer whenever the feed moves past its position. One runs in every API
    process; the lease keeps their runs apart."""

    def __init__(self, runtime: Runtime, consumer: Consumer, hub: FeedHub, trigger: Trigger):
        self.runtime = runtime
        self.consumer = consumer
        self.trigger = trigger
        self.hub = hub
        self._wakeup = hub.listen()
        self._stopping = False
        self._failures = 0

    async def run(self) -> None:
        settings = self.runtime.settings
        try:
            while not self._stopping:
                pause = settings.feed_poll_seconds
                try:
                    async with self.runtime.sessionmaker() as session:
                        late = await consumers.behind(session, [self.consumer.name])
                    if late:
                        await self.trigger()
                    self._failures = 0
                except Exception as exc:
                    self._failures += 1
                    pause = min(
                        settings.index_min_backoff_seconds * 2 ** (self._failures - 1),
                        settings.index_max_backoff_seconds,
                    )
                    if is_retryable(exc):
                        log.warning("%s failed, will retry: %s", self.consumer.name, exc)
                    else:
                        log.exception("%s failed, will retry", self.consumer.name)
                if not self._stopping:
                    await self._wakeup.wait(pause)
        finally:
            self.hub.unlisten(self._wakeup)

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()


@dataclass
class ConsumerLoops:
    """The consumer loops of an API process."""

    loops: list[ConsumerLoop]
    tasks: list[asyncio.Task[None]]

    async def stop(self, *, grace: float = 5.0) -> None:
        for loop in self.loops:
            loop.stop()
        for task in self.tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def start_consumer_loops(
    runtime: Runtime,
    hub: FeedHub,
    feed_consumers: Sequence[Consumer],
    *,
    broker: RedisBroker | None,
    ready: asyncio.Event | None = None,
) -> ConsumerLoops:
    """Start a loop per consumer: inline runs without a broker, enqueued messages with one;
    with ``ready``, once the search indices are built."""
    loops: list[ConsumerLoop] = []
    for consumer in feed_consumers:
        trigger: Trigger
        if broker is None:

            async def inline(consumer: Consumer = consumer) -> int:
                return await run_until_caught_up(runtime, consumer)

            trigger = inline
        else:
            actor = declare_consumer_actor(broker, runtime.settings, consumer, lambda: runtime)

            async def enqueue(actor: ConsumerActor = actor) -> Any:
                return await asyncio.to_thread(actor.send)

            trigger = enqueue
        loops.append(ConsumerLoop(runtime, consumer, hub, trigger))
    tasks = [
        asyncio.create_task(after_ready(ready, loop.run), name=f"greenrong-{loop.consumer.name}")
        for loop in loops
    ]
    return ConsumerLoops(loops, tasks)
