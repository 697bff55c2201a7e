"""Alerts reach the owner: through the `listingAlerts` subscription over a real WebSocket
(uvicorn on 127.0.0.1), and through the owner's webhooks to a real HTTP receiver, signed by
the ordinary webhook machinery and checked with the verifier printed in docs/PARTNERS.md."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.outbox import signal
from greenrong.domain.partners.models import ListingAlert
from greenrong.domain.technology.models import ListingStatus, TechnologyDomain
from greenrong.domain.technology.service import create_listing
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import bearer_token
from tests.factories.entities import create_enterprise
from tests.partners.receiver import Receiver, http_receiver
from tests.partners.saved import DELETE, caller, pk, save
from tests.partners.test_webhooks import DELIVERIES, _create, _until, load_verifier
from tests.partners.wsclient import Client, ws_client

ALERTS = """
subscription($id: ID!, $after: String) {
  listingAlerts(savedSearchId: $id, after: $after) {
    id cursor savedSearchId listingId listingVersion listing { title }
  }
}"""


async def _listing(sessionmaker: SessionMaker, title: str) -> uuid.UUID:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="清源环保")
        row = await create_listing(
            session,
            values={
                "owner_enterprise_id": owner.id,
                "title": title,
                "description": "适用于工业废水的膜生物反应器工艺",
                "domain": TechnologyDomain.WATER,
                "maturity": 7,
                "trade_mode": "LICENCE",
                "region_code": "510104",
                "status": ListingStatus.PUBLISHED,
            },
        )
    signal.changes_committed()  # as the GraphQL edge does: the relay runs now
    return row.id


def _init(settings: Settings, role: Role, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer_token(settings, role, subject=subject)}"}


async def _quiet(client: Client, *, seconds: float) -> list[dict[str, Any]]:
    """Every message but pings that arrives within ``seconds`` (server pings are answered)."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(await asyncio.wait_for(client.socket.recv(), left))
        except TimeoutError:
            break
        if message["type"] == "ping":
            await client.send({"type": "pong"})
        else:
            got.append(message)
    return got


def _bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.requests]


async def _types_received(receiver: Receiver, count: int) -> list[str] | None:
    bodies = _bodies(receiver)
    return sorted(b["type"] for b in bodies) if len(bodies) >= count else None


async def test_the_owners_webhooks_get_a_signed_alert_and_no_one_elses_do(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    verify = load_verifier()["verify_webhook"]
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    other = caller(client, settings, Role.PARTNER, subject="银行乙")
    with http_receiver() as mine, http_receiver() as enterprises_only, http_receiver() as theirs:
        # given the owner's endpoint for listings and one for enterprises only, another
        # partner's endpoint for listings, and the owner's saved search
        endpoint_id, secret = await _create(owner, mine, entityTypes=["TECHNOLOGY_LISTING"])
        await _create(owner, enterprises_only, entityTypes=["ENTERPRISE"])
        await _create(other, theirs, entityTypes=["TECHNOLOGY_LISTING"])
        saved = await save(owner, "膜生物反应器", {"domain": ["WATER"]})

        # when a matching listing is created
        listing = await _listing(sessionmaker, "膜生物反应器污水处理技术")

        # then the owner's listing endpoint gets the change and the alert
        types = await _until(lambda: _types_received(mine, 2), seconds=20)
        assert types == ["change.create", "savedSearch.alert"]
        # and the other partner gets the change only, the enterprise endpoint nothing
        assert await _until(lambda: _types_received(theirs, 1)) == ["change.create"]
        async with sessionmaker() as session:
            (alert,) = list(await session.scalars(select(ListingAlert)))
        (request,) = [r for r in mine.requests if json.loads(r.body)["type"] == "savedSearch.alert"]
        verify(secret, request.headers, request.body)  # genuine: signed with the owner's secret
        assert request.headers["webhook-id"] == str(alert.id)
        data = json.loads(request.body)["data"]
        assert data["id"] == str(alert.id)
        assert data["savedSearchId"] == saved
        assert data["listingId"] == to_global_id("TechnologyListing", listing)
        assert data["listingVersion"] == 1
        assert alert.saved_search_id == pk(saved)

        # and the delivery is logged like any other
        async def alert_delivered() -> Any:
            found = (await owner(DELIVERIES, {"id": endpoint_id}))["data"]["webhookDeliveries"]
            done = [
                d for d in found if d["eventId"] == str(alert.id) and d["status"] == "SUCCEEDED"
            ]
            return done or None

        (delivery,) = await _until(alert_delivered)
        assert [a["statusCode"] for a in delivery["attempts"]] == [200]
    assert theirs.requests[1:] == []
    assert enterprises_only.requests == []


async def test_the_owner_gets_alerts_live_and_resumes_from_a_cursor(
    live_server: str, settings: Settings, sessionmaker: SessionMaker
) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        owner = caller(http, settings, Role.PARTNER, subject="银行甲")
        saved = await save(owner, "膜生物反应器", {"domain": ["WATER"]})
    async with ws_client(live_server) as client:
        assert await client.init(_init(settings, Role.PARTNER, "银行甲")) == {
            "type": "connection_ack"
        }
        # when the owner subscribes and a matching listing is created
        await client.subscribe("1", ALERTS, {"id": saved, "after": None})
        first_id = await _listing(sessionmaker, "膜生物反应器污水处理技术")
        # then the alert arrives over the socket, with the listing as the owner sees it
        first = (await client.next_data("1", wait=20))["listingAlerts"]
        assert first["savedSearchId"] == saved
        assert first["listingId"] == to_global_id("TechnologyListing", first_id)
        assert (first["listingVersion"], first["listing"]) == (
            1,
            {"title": "膜生物反应器污水处理技术"},
        )
        await client.socket.close(1000)
    # when a second listing matches while the owner is away, and it resubscribes after the
    # first alert's cursor
    second_id = await _listing(sessionmaker, "膜生物反应器中水回用技术")

    async def stored() -> bool:
        async with sessionmaker() as session:
            return len(list(await session.scalars(select(ListingAlert.id)))) == 2

    await _until(stored, seconds=20)
    async with ws_client(live_server) as client:
        await client.init(_init(settings, Role.PARTNER, "银行甲"))
        await client.subscribe("2", ALERTS, {"id": saved, "after": first["cursor"]})
        # then it gets the second alert only
        second = (await client.next_data("2", wait=20))["listingAlerts"]
        assert second["listingId"] == to_global_id("TechnologyListing", second_id)
        assert second["id"] != first["id"]
        assert await _quiet(client, seconds=1.0) == []
        await client.socket.close(1000)


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (None, "FORBIDDEN"),
        ((Role.PARTNER, "银行乙"), "NOT_FOUND"),
        ((Role.ADMIN, "管理员"), "NOT_FOUND"),
    ],
)
async def test_only_the_owner_may_subscribe(
    live_server: str,
    settings: Settings,
    sessionmaker: SessionMaker,
    who: tuple[Role, str] | None,
    code: str,
) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        owner = caller(http, settings, Role.PARTNER, subject="银行甲")
        saved = await save(owner, "膜生物反应器")
    async with ws_client(live_server) as client:
        await client.init(None if who is None else _init(settings, *who))
        await client.subscribe("1", ALERTS, {"id": saved, "after": None})
        message = await client.receive()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == code
        # and the operation ends: nothing about the saved search or its alerts follows
        await _listing(sessionmaker, "膜生物反应器污水处理技术")

        async def alerted() -> bool:
            async with sessionmaker() as session:
                return len(list(await session.scalars(select(ListingAlert.id)))) == 1

        await _until(alerted, seconds=20)  # the owner's alert exists
        rest = await _quiet(client, seconds=1.0)
        assert rest in ([], [{"id": "1", "type": "complete"}])


async def test_deleting_the_saved_search_ends_the_stream(
    live_server: str, settings: Settings
) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        owner = caller(http, settings, Role.PARTNER, subject="银行甲")
        saved = await save(owner, "膜生物反应器")
        async with ws_client(live_server) as client:
            await client.init(_init(settings, Role.PARTNER, "银行甲"))
            await client.subscribe("1", ALERTS, {"id": saved, "after": None})
            assert await _quiet(client, seconds=0.5) == []  # subscribed, nothing to replay
            deleted = await owner(DELETE, {"id": saved})
            assert deleted["data"]["deleteSavedSearch"]["__typename"] == "DeleteSavedSearchSuccess"
            assert await _quiet(client, seconds=3.0) == [{"id": "1", "type": "complete"}]
