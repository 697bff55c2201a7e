"""The operator's figures, read from the database (``GET /metrics``): one statement each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.outbox.models import ChangeEvent, DeadLetter
from greenrong.domain.partners.models import DeliveryStatus, WebhookDelivery


@dataclass(frozen=True)
class Backlog:
    #: when the oldest change event the relay has not handed on occurred (None: none waits)
    oldest_waiting: datetime | None
    waiting: int
    dead_letters: int
    #: webhook deliveries by status, every status listed
    deliveries: dict[str, int]


async def backlog(session: AsyncSession) -> Backlog:
    oldest, waiting = (
        await session.execute(
            select(func.min(ChangeEvent.occurred_at), func.count()).where(
                ChangeEvent.dispatched_at.is_(None)
            )
        )
    ).one()
    dead = await session.scalar(select(func.count()).select_from(DeadLetter))
    by_status = dict(
        (
            await session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
            )
        )
        .tuples()
        .all()
    )
    return Backlog(
        oldest_waiting=oldest,
        waiting=int(waiting or 0),
        dead_letters=int(dead or 0),
        deliveries={s.value: int(by_status.get(s, 0)) for s in DeliveryStatus},
    )
