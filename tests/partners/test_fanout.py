"""Live fan-out across processes: a subscription on one API process hears of events that
another process published, through PostgreSQL LISTEN/NOTIFY or Redis pub/sub. Polling is set
to 30 s here, so an event that arrives within seconds came through the transport."""

from __future__ import annotations

import asyncio

import pytest

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.domain.kit.types import utcnow
from greenrong.domain.partners import feed
from greenrong.domain.partners.live import (
    FeedHub,
    PostgresTransport,
    RedisTransport,
    Transport,
)
from tests.conftest import BACKEND
from tests.factories.access import bearer_token
from tests.factories.entities import create_enterprise
from tests.partners.wsclient import ws_client
from tests.pipeline.conftest import test_redis_url

SUBSCRIBE = "subscription($after: String) { changes(after: $after) { entityVersion cursor } }"


@pytest.fixture(params=["postgres", "redis"])
def transport_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    if kind == "postgres" and BACKEND != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    return kind


@pytest.fixture
def settings(settings: Settings, transport_kind: str) -> Settings:
    update: dict[str, object] = {"feed_poll_seconds": 30.0}
    if transport_kind == "redis":
        update["broker_url"] = test_redis_url()
    return settings.model_copy(update=update)


def _other_process(settings: Settings) -> Transport:
    if settings.broker_url:
        return RedisTransport(settings.broker_url, timeout=5.0)
    return PostgresTransport(settings.effective_database_url)


# timing: the event must arrive within 5 s (polling is every 30 s), a latency bound under load
@pytest.mark.timing
async def test_a_subscription_hears_of_events_published_by_another_process(
    live_server: str, settings: Settings, sessionmaker: SessionMaker
) -> None:
    # given a subscriber on the live server, caught up with an empty feed
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    token = bearer_token(settings, Role.PARTNER)
    other = _other_process(settings)
    await other.start(FeedHub().announce)
    try:
        async with ws_client(live_server) as client:
            await client.init({"Authorization": f"Bearer {token}"})
            await client.subscribe("1", SUBSCRIBE, {"after": None})
            await asyncio.sleep(0.3)  # the subscription is listening
            # when "another process" commits a change, publishes it and announces it
            async with sessionmaker.begin() as session:
                row = await session.get(Enterprise, enterprise.id)
                assert row is not None
                await update_enterprise(
                    session, id=row.id, version=row.version, changes={"name": "远"}
                )
            async with sessionmaker.begin() as session:
                first, last = await feed.publish(session, limit=10, now=utcnow())
            assert (first, last) == (1, 1)
            await other.send(last)
            # then the subscriber gets it within seconds, not at its next 30-second poll
            data = await client.next_data("1", wait=5.0)
            assert data["changes"]["entityVersion"] == 2
            assert data["changes"]["cursor"] == feed.encode_cursor(1)
    finally:
        await other.close()
