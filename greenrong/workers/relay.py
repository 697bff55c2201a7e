"""The outbox relay: hands committed change events over to the indexing handler.

It claims unfinished events under a lease (``outbox.repository.claim_pending``), hands them to
a dispatcher and goes back to sleep until a commit in this process wakes it or the poll
interval ends. An event is finished only by its handler, after success; an event whose
handler never reports back (the worker died) is claimed again once its lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import repository, signal
from greenrong.domain.outbox.repository import Claimed

log = logging.getLogger(__name__)

#: hands claimed events to their handler (inline) or to the broker (which only enqueues)
Dispatch = Callable[[Sequence[Claimed]], Awaitable[None]]


def retry_delay(settings: Settings, attempts: int) -> float:
    """Exponential backoff in seconds, from the minimum up to the maximum."""
    delay = settings.index_min_backoff_seconds * 2 ** max(attempts - 1, 0)
    return float(min(delay, settings.index_max_backoff_seconds))


async def release_for_retry(
    sessionmaker: SessionMaker, settings: Settings, claimed: Sequence[Claimed]
) -> None:
    """Give events back after a failed hand-over, to be claimed again after a backoff."""
    attempts = max(c.attempts for c in claimed)
    retry_at = utcnow() + timedelta(seconds=retry_delay(settings, attempts))
    async with sessionmaker.begin() as session:
        await repository.release(session, [c.id for c in claimed], retry_at=retry_at)


class Relay:
    """One relay loop. Several may run at once, in one process or many."""

    def __init__(self, sessionmaker: SessionMaker, settings: Settings, dispatch: Dispatch) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.dispatch = dispatch
        self._stopping = False
        self._wakeup: signal.Wakeup | None = None

    async def run_once(self) -> int:
        """Claim one batch and hand it over; how many events were claimed."""
        now = utcnow()
        lease_until = now + timedelta(seconds=self.settings.relay_lease_seconds)
        async with self.sessionmaker.begin() as session:
            claimed = await repository.claim_pending(
                session, limit=self.settings.relay_batch_size, now=now, lease_until=lease_until
            )
        if claimed:
            await self.dispatch(claimed)
        return len(claimed)

    async def run(self) -> None:
        """Until ``stop()``: relay, and sleep when there is nothing left to claim."""
        self._wakeup = signal.subscribe()
        try:
            while not self._stopping:
                try:
                    claimed = await self.run_once()
                except Exception:
                    log.exception("outbox relay: claiming or handing over failed; will retry")
                    claimed = 0
                if claimed < self.settings.relay_batch_size and not self._stopping:
                    await self._wakeup.wait(self.settings.relay_poll_seconds)
        finally:
            signal.unsubscribe(self._wakeup)

    def stop(self) -> None:
        """Finish the current batch, then return from ``run()``."""
        self._stopping = True
        if self._wakeup is not None:
            self._wakeup.set()


async def stop_task(relay: Relay, task: asyncio.Task[None], *, grace: float) -> None:
    """Stop a relay running in ``task``: let its batch finish, cancel it after ``grace``."""
    relay.stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), grace)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
