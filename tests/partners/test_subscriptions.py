"""The `changes` subscription over graphql-transport-ws, through uvicorn on a real socket:
replay, live events, resuming after a reconnect, server pings, authentication and close codes."""

from __future__ import annotations

import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import bearer_token
from tests.factories.entities import create_enterprise
from tests.partners.wsclient import ws_client

SUBSCRIBE = """
subscription($after: String) {
  changes(after: $after, entityTypes: [ENTERPRISE]) {
    id cursor entityVersion operation entity { ... on Enterprise { name } }
  }
}"""


async def _rename(sessionmaker: SessionMaker, enterprise_id: uuid.UUID, name: str) -> None:
    async with sessionmaker.begin() as session:
        row = await session.get(Enterprise, enterprise_id)
        assert row is not None
        await update_enterprise(session, id=row.id, version=row.version, changes={"name": name})


def _auth(settings: Settings, role: Role = Role.PARTNER) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer_token(settings, role)}"}


async def test_replays_then_streams_and_resumes_after_a_reconnect(
    live_server: str, settings: Settings, sessionmaker: SessionMaker
) -> None:
    # given an enterprise renamed twice before anyone subscribed
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="起")
    await _rename(sessionmaker, enterprise.id, "一")
    await _rename(sessionmaker, enterprise.id, "二")
    async with ws_client(live_server) as client:
        assert await client.init(_auth(settings)) == {"type": "connection_ack"}
        # when a partner subscribes from the start
        await client.subscribe("1", SUBSCRIBE, {"after": None})
        # then the two past changes are replayed, in order
        first = (await client.next_data("1"))["changes"]
        second = (await client.next_data("1"))["changes"]
        assert [first["entityVersion"], second["entityVersion"]] == [2, 3]
        assert second["operation"] == "UPDATE"
        # and a new change arrives live, with the entity as it is now
        await _rename(sessionmaker, enterprise.id, "三")
        third = (await client.next_data("1"))["changes"]
        assert (third["entityVersion"], third["entity"]) == (4, {"name": "三"})
        # and the server pings while the subscription is quiet
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        while client.pings == 0:
            with pytest.raises(TimeoutError):
                await client.receive(wait=0.5)
        await client.socket.close(1000)
    # when it reconnects with the last cursor it saw, after two changes made meanwhile
    await _rename(sessionmaker, enterprise.id, "四")
    await _rename(sessionmaker, enterprise.id, "五")
    async with ws_client(live_server) as client:
        await client.init(_auth(settings))
        await client.subscribe("again", SUBSCRIBE, {"after": third["cursor"]})
        # then it gets exactly those two, in order, and nothing it already had
        fourth = (await client.next_data("again"))["changes"]
        fifth = (await client.next_data("again"))["changes"]
        assert [fourth["entityVersion"], fifth["entityVersion"]] == [5, 6]
        assert len({first["id"], second["id"], third["id"], fourth["id"], fifth["id"]}) == 5
        # and completing the operation stops it cleanly
        await client.send({"id": "again", "type": "complete"})
        await client.socket.close(1000)


async def test_a_bad_token_in_connection_init_closes_with_4403(
    live_server: str, settings: Settings
) -> None:
    async with ws_client(live_server) as client:
        await client.send(
            {"type": "connection_init", "payload": {"Authorization": "Bearer not.a.token"}}
        )
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_subscribing_before_connection_init_closes_with_4401(live_server: str) -> None:
    async with ws_client(live_server) as client:
        await client.subscribe("1", SUBSCRIBE, {"after": None})
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_roles_outside_the_feed_get_a_forbidden_error(
    live_server: str, settings: Settings
) -> None:
    async with ws_client(live_server) as client:
        assert await client.init() == {"type": "connection_ack"}  # anonymous
        await client.subscribe("1", SUBSCRIBE, {"after": None})
        message = await client.receive()
    assert message["type"] in {"next", "error"}
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_foreign_cursor_is_refused(live_server: str, settings: Settings) -> None:
    async with ws_client(live_server) as client:
        await client.init(_auth(settings, Role.ADMIN))
        await client.subscribe("1", SUBSCRIBE, {"after": to_global_id("Enterprise", uuid.uuid4())})
        message = await client.receive()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"
