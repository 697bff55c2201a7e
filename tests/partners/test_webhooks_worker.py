"""Webhooks on the Redis broker: the API's dispatcher enqueues `webhooks.deliver`, and a real
`greenrong worker` process sends the signed request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.workers.webhooks import QUEUE_NAME as WEBHOOK_QUEUE
from tests.factories.entities import create_enterprise
from tests.partners.receiver import http_receiver
from tests.partners.test_webhooks import DELIVERIES, _count, _create, _rename, _until, load_verifier
from tests.pipeline.conftest import WorkerProcess, start_worker, test_redis_url

__all__ = ["start_worker"]  # the fixture, from the pipeline tests


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"broker_url": test_redis_url()})


# on SQLite the worker process and this one write one file: on a loaded machine a write can
# wait past the busy timeout (5 s), and the worker logs the "database is locked" it retries
@pytest.mark.timing
async def test_a_worker_process_sends_the_delivery(
    settings: Settings, sessionmaker: SessionMaker, gql_as: Any, start_worker: object
) -> None:
    verify = load_verifier()["verify_webhook"]
    partner = gql_as(Role.PARTNER)
    with http_receiver() as receiver:
        endpoint_id, secret = await _create(partner, receiver)
        async with sessionmaker.begin() as session:
            enterprise = await create_enterprise(session)
        await _rename(sessionmaker, enterprise.id, "经由工作进程")
        # given the delivery's message queued while no worker runs
        await _until(lambda: _queued(WEBHOOK_QUEUE))

        # when a worker starts
        worker: WorkerProcess = start_worker(settings)  # type: ignore[operator]
        await _until(lambda: _count(receiver, 1), seconds=90)

        async def succeeded() -> object:
            body = await partner(DELIVERIES, {"id": endpoint_id})
            found = body["data"]["webhookDeliveries"]
            return found if found and found[0]["status"] == "SUCCEEDED" else None

        (delivery,) = await _until(succeeded)
    # then it sends the queued delivery once, signed, on its first attempt: the message is not
    # handled before the worker's runtime is open (it used to fail, spend its retries, and
    # wait some 30 s for the outbox lease to expire)
    (request,) = receiver.requests
    verify(secret, request.headers, request.body)
    assert request.headers["webhook-id"] == delivery["eventId"]
    assert [a["statusCode"] for a in delivery["attempts"]] == [200]
    assert worker.stop() == 0, worker.output()
    assert "Traceback" not in worker.output(), worker.output()


async def _queued(queue: str) -> bool:
    """Whether dramatiq's Redis queue holds a message."""
    client = redis.Redis.from_url(test_redis_url())
    try:
        return bool(await asyncio.to_thread(client.llen, f"dramatiq:{queue}"))
    finally:
        client.close()
