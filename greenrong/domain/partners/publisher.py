"""The feed publisher loop: numbers committed events (``feed.publish``) and announces them.

One runs in every API process. Publishers of several processes take turns on the counter row,
so running many is safe; each wakes when its own process commits (``outbox.signal``) and polls
every ``feed_poll_seconds`` for commits made elsewhere (workers, the CLI, other processes).
"""

from __future__ import annotations

import logging

from greenrong.core.db import SessionMaker
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox import signal
from greenrong.domain.partners import feed
from greenrong.domain.partners.live import FeedHub, Transport

log = logging.getLogger(__name__)


class FeedPublisher:
    def __init__(
        self,
        sessionmaker: SessionMaker,
        hub: FeedHub,
        transport: Transport,
        *,
        batch_size: int,
        poll_seconds: float,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.hub = hub
        self.transport = transport
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._stopping = False
        self._wakeup: signal.Wakeup | None = None

    async def publish_once(self) -> int:
        """Publish one batch; how many events got a position."""
        async with self.sessionmaker() as session:
            if not await feed.has_unpublished(session):  # idle: take no lock, write nothing
                return 0
        async with self.sessionmaker.begin() as session:
            first, last = await feed.publish(session, limit=self.batch_size, now=utcnow())
        if last < first:
            return 0
        self.hub.announce(last)
        try:
            await self.transport.send(last)
        except Exception:  # a hint only: other processes poll
            log.warning(
                "could not announce feed position %d to other processes", last, exc_info=True
            )
        return last - first + 1

    async def run(self) -> None:
        self._wakeup = signal.subscribe()
        try:
            while not self._stopping:
                try:
                    published = await self.publish_once()
                except Exception:
                    log.exception("feed publisher: publishing failed; will retry")
                    published = 0
                if published < self.batch_size and not self._stopping:
                    await self._wakeup.wait(self.poll_seconds)
        finally:
            signal.unsubscribe(self._wakeup)

    def stop(self) -> None:
        self._stopping = True
        if self._wakeup is not None:
            self._wakeup.set()
