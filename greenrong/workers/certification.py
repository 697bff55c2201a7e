"""Certificate expiry: expire certificates whose validity has ended.

One transaction runs ``certification.service.expire_due`` for the platform's day (China,
UTC+8), the same as ``greenrong certification expire``. The schedule (``workers/schedule.py``)
runs it once per ``GREENRONG_CERTIFICATION_EXPIRY_SECONDS`` (an hour by default) for the whole
deployment. Expiry is idempotent: a pass that finds nothing due changes nothing.
"""

from __future__ import annotations

import logging

from greenrong.core.db import SessionMaker
from greenrong.domain.access.guard import bind_system
from greenrong.domain.certification.service import expire_due
from greenrong.domain.kit.clock import today

log = logging.getLogger("greenrong.certification")


async def expire_once(sessionmaker: SessionMaker) -> int:
    """One pass: expire what is due today; returns how many certificates expired."""
    async with sessionmaker.begin() as session:
        expired = await expire_due(bind_system(session), on=today())
    return len(expired)
