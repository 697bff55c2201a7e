"""The ``carbon.recalculate`` actor: one chunk of a ``greenrong carbon recalc`` run.

It takes ids (the run's and the chunk's calculations), re-fetches the rows, and runs
``domain.carbon.recalc.recalculate_chunk`` in one transaction; a second delivery of the same
chunk skips what the first stored (``carbon_recalc_result`` is unique per run and calculation,
so two concurrent deliveries cannot both store one). Without a broker the CLI awaits the same
``recalculate`` in its own process; with one, it sends the chunks (``workers.broker.
send_recalc_chunks``) and follows the run (``follow_run``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.guard import bind_system
from greenrong.domain.carbon import recalc
from greenrong.workers.runtime import Runtime, poll_until

ACTOR_NAME = "carbon.recalculate"
QUEUE_NAME = "carbon"
#: a chunk of stored calculations is CPU work only; a minute is far more than it needs
TIME_LIMIT_MS = 60_000
MAX_RETRIES = 3

RecalcActor = dramatiq.Actor[[str, list[str]], None]


async def recalculate(
    sessionmaker: SessionMaker, run_id: uuid.UUID, calculation_ids: Sequence[uuid.UUID]
) -> int:
    """The handler: one transaction per chunk. Returns how many results it stored."""
    async with sessionmaker.begin() as session:
        return await recalc.recalculate_chunk(
            bind_system(session), run_id=run_id, calculation_ids=calculation_ids
        )


def declare_recalc_actor(
    broker: RedisBroker, settings: Settings, runtime: Callable[[], Runtime]
) -> RecalcActor:
    """Declared by ``greenrong worker`` (which runs it) and by the CLI (which only sends)."""

    async def recalculate_message(run_id: str, calculation_ids: list[str]) -> None:
        await recalculate(
            runtime().sessionmaker, uuid.UUID(run_id), [uuid.UUID(i) for i in calculation_ids]
        )

    declare = dramatiq.actor(
        broker=broker,
        actor_name=ACTOR_NAME,
        queue_name=QUEUE_NAME,
        max_retries=MAX_RETRIES,
        min_backoff=500,
        max_backoff=5_000,
        time_limit=TIME_LIMIT_MS,
    )
    actor: RecalcActor = declare(recalculate_message)
    return actor


def send_chunks(
    actor: RecalcActor, run_id: uuid.UUID, chunks: Sequence[Sequence[uuid.UUID]]
) -> None:
    for chunk in chunks:
        actor.send(str(run_id), [str(i) for i in chunk])


async def follow_run(
    sessionmaker: SessionMaker,
    run_id: uuid.UUID,
    total: int,
    *,
    give_up_after: float,
    progress: Callable[[int], object],
) -> bool:
    """Wait until the worker has stored a result for each of the run's ``total`` calculations;
    False when ``give_up_after`` seconds pass first."""

    async def stored() -> int:
        async with sessionmaker() as session:
            return await recalc.progress(session, run_id)

    return await poll_until(stored, total, give_up_after=give_up_after, progress=progress)
