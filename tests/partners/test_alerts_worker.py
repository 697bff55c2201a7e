"""Alerts on the Redis broker: a real `greenrong worker` process indexes the listing, matches
it against the saved searches and stores the alert; the API's dispatcher, woken over Redis
pub/sub, enqueues the webhook, and the worker sends it signed."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.partners.models import ListingAlert
from tests.partners.receiver import http_receiver
from tests.partners.saved import caller, pk, save
from tests.partners.test_alerts_delivery import _listing, _types_received
from tests.partners.test_webhooks import _create, _until, load_verifier
from tests.pipeline.conftest import WorkerProcess, start_worker, test_redis_url

__all__ = ["start_worker"]  # the fixture, from the pipeline tests


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"broker_url": test_redis_url()})


async def test_a_worker_process_raises_the_alert_and_sends_its_webhook(
    settings: Settings,
    sessionmaker: SessionMaker,
    client: httpx.AsyncClient,
    start_worker: object,
) -> None:
    verify = load_verifier()["verify_webhook"]
    worker: WorkerProcess = start_worker(settings)  # type: ignore[operator]
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    with http_receiver() as receiver:
        _, secret = await _create(owner, receiver, entityTypes=["TECHNOLOGY_LISTING"])
        saved = await save(owner, "膜生物反应器", {"domain": ["WATER"]})
        listing = await _listing(sessionmaker, "膜生物反应器污水处理技术")
        types = await _until(lambda: _types_received(receiver, 2), seconds=90)
    assert types == ["change.create", "savedSearch.alert"]
    async with sessionmaker() as session:
        (alert,) = list(await session.scalars(select(ListingAlert)))
    assert (alert.saved_search_id, alert.listing_id, alert.seq) == (pk(saved), listing, 1)
    (request,) = [r for r in receiver.requests if json.loads(r.body)["type"] == "savedSearch.alert"]
    verify(secret, request.headers, request.body)
    assert request.headers["webhook-id"] == str(alert.id)
    assert worker.stop() == 0, worker.output()
