"""The API process's certification loop: expire certificates whose validity has ended.

Every ``GREENRONG_CERTIFICATION_EXPIRY_SECONDS`` (an hour by default, the first pass one interval
after start-up) one transaction runs
``certification.service.expire_due`` for the platform's day (China, UTC+8), the same as
``greenrong certification expire``. Expiry is idempotent, so several API processes running the
loop at once only repeat an empty pass (a second writer of the same row fails its version check
and rolls back, and the next pass finds nothing due). A failing pass is logged; the next one
retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.guard import bind_system
from greenrong.domain.certification.service import expire_due
from greenrong.domain.matching.finance_rules import today

log = logging.getLogger("greenrong.certification")


async def expire_once(sessionmaker: SessionMaker) -> int:
    """One pass: expire what is due today; returns how many certificates expired."""
    async with sessionmaker.begin() as session:
        expired = await expire_due(bind_system(session), on=today())
    return len(expired)


@dataclass
class ExpiryLoop:
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def start_expiry(settings: Settings, sessionmaker: SessionMaker) -> ExpiryLoop:
    async def run() -> None:
        while True:
            # the first pass waits one interval: a process that starts does not race its
            # own start-up (or a test) with a burst of writes
            await asyncio.sleep(settings.certification_expiry_seconds)
            try:
                expired = await expire_once(sessionmaker)
                if expired:
                    log.info("expired %d certificate(s)", expired)
            except Exception:
                log.exception("certificate expiry pass failed; retrying at the next interval")

    return ExpiryLoop(asyncio.create_task(run(), name="certification-expiry"))
