"""Webhooks follow their owner's credential: an endpoint whose owner key is revoked or expires, or
whose owner token reaches its ``exp``, is disabled, and nothing more is delivered to it, neither new events nor retries of pending ones.
The app's own dispatcher sends to real HTTP receivers on 127.0.0.1; an endpoint of a key that
stays valid receives the same events (the positive control, and the point to wait for)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.keys import create_key, revoke_key
from greenrong.domain.access.principal import Role
from greenrong.domain.partners.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from greenrong.domain.partners.webhooks import OWNER_GONE
from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import World
from tests.factories.access import bearer_token
from tests.partners.receiver import Receiver, http_receiver
from tests.partners.test_webhooks import _rename, _until

CREATE = """
mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename ... on WebhookEndpointWithSecret { endpoint { id status } }
  }
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # a failed attempt is retried 1 to 2 s later: time enough to revoke in between
    return settings.model_copy(
        update={
            "feed_poll_seconds": 0.2,
            "webhook_timeout_seconds": 1.0,
            "webhook_min_backoff_seconds": 2.0,
            "webhook_max_backoff_seconds": 2.0,
            "webhook_retry_window_seconds": 60.0,
        }
    )


async def _partner_key(sessionmaker: SessionMaker, expires_in: timedelta | None = None) -> Any:
    async with sessionmaker.begin() as session:
        return await create_key(
            session, role=Role.PARTNER, name="绿色金融数据合作方", expires_in=expires_in
        )


async def _endpoint(http: httpx.AsyncClient, secret: str, receiver: Receiver) -> None:
    response = await http.post(
        "/graphql",
        json={
            "query": CREATE,
            "variables": {"input": {"url": receiver.url, "entityTypes": ["ENTERPRISE"]}},
        },
        headers={"authorization": f"Bearer {secret}"},
    )
    created = response.json()["data"]["createWebhookEndpoint"]
    assert created["__typename"] == "WebhookEndpointWithSecret", created
    assert created["endpoint"]["status"] == "ENABLED"


async def _state(sessionmaker: SessionMaker, key_id: uuid.UUID | str) -> tuple[Any, ...]:
    """The endpoint of a key (its id) or a token (its subject): (status, disabled reason,
    deliveries by status)."""
    owner = f"key:{key_id}" if isinstance(key_id, uuid.UUID) else f"sub:{key_id}"
    async with sessionmaker() as session:
        endpoint = await session.scalar(
            select(WebhookEndpoint).where(WebhookEndpoint.owner == owner)
        )
        assert endpoint is not None
        rows = await session.execute(
            select(WebhookDelivery.status, func.count())
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .group_by(WebhookDelivery.status)
        )
        by_status = {status.value: n for status, n in rows.all()}
        return endpoint.status, endpoint.disabled_reason, by_status


def _entity_names(receiver: Receiver) -> list[str]:
    return [json.loads(r.body)["data"]["entityId"] for r in receiver.requests]


async def test_a_revoked_owner_key_gets_no_further_delivery(
    anonymous_client: httpx.AsyncClient, sessionmaker: SessionMaker, world: World
) -> None:
    revoked, kept = await _partner_key(sessionmaker), await _partner_key(sessionmaker)
    other = to_global_id("Enterprise", world.other)
    with http_receiver() as gone, http_receiver() as control:
        await _endpoint(anonymous_client, revoked.secret, gone)
        await _endpoint(anonymous_client, kept.secret, control)
        # given: both endpoints receive a change while both keys are valid
        await _rename(sessionmaker, world.other, "绵阳清源")
        await _until(lambda: _received(gone, 1))
        await _until(lambda: _received(control, 1))
        assert _entity_names(gone) == [other]
        await _until(lambda: _delivered(sessionmaker, revoked.row.id))
        # when: one owner's key is revoked
        async with sessionmaker.begin() as session:
            await revoke_key(session, id=revoked.row.id)
        # then: its endpoint is disabled, even before another event
        disabled = await _until(lambda: _disabled(sessionmaker, revoked.row.id))
        assert disabled == (
            EndpointStatus.DISABLED,
            OWNER_GONE,
            {DeliveryStatus.SUCCEEDED.value: 1},
        )
        # and a later change reaches only the valid key's endpoint
        await _rename(sessionmaker, world.other, "绵阳清源环保集团")
        await _until(lambda: _received(control, 2))
        await asyncio.sleep(0.5)  # a few more dispatcher turns
        assert _entity_names(gone) == [other]
        assert await _state(sessionmaker, revoked.row.id) == disabled
        assert _entity_names(control) == [other, other]


@pytest.mark.timing  # the key must be revoked before the retry falls due (1 to 2 s after the
# first attempt): on a loaded machine the steps before the revocation can take longer than that
async def test_a_pending_retry_is_not_sent_once_the_owner_key_is_revoked(
    anonymous_client: httpx.AsyncClient, sessionmaker: SessionMaker, world: World
) -> None:
    key = await _partner_key(sessionmaker)
    with http_receiver() as receiver:
        receiver.script = [500]  # the first attempt fails: a retry is due 1 to 2 s later
        await _endpoint(anonymous_client, key.secret, receiver)
        await _rename(sessionmaker, world.other, "绵阳清源")
        await _until(lambda: _received(receiver, 1))
        await asyncio.sleep(0.3)  # the failed attempt is recorded, the retry scheduled
        async with sessionmaker.begin() as session:
            await revoke_key(session, id=key.row.id)
        state = await _until(lambda: _disabled(sessionmaker, key.row.id))
        await asyncio.sleep(2.5)  # past the retry's time
        assert len(receiver.requests) == 1
    assert state == (EndpointStatus.DISABLED, OWNER_GONE, {DeliveryStatus.FAILED.value: 1})
    assert await _state(sessionmaker, key.row.id) == state


async def test_an_expired_owner_key_gets_no_delivery(
    anonymous_client: httpx.AsyncClient, sessionmaker: SessionMaker, world: World
) -> None:
    expiring = await _partner_key(sessionmaker, expires_in=timedelta(seconds=2))
    kept = await _partner_key(sessionmaker)
    with http_receiver() as expired, http_receiver() as control:
        await _endpoint(anonymous_client, expiring.secret, expired)
        await _endpoint(anonymous_client, kept.secret, control)
        await asyncio.sleep(2.2)  # the first key expires
        await _rename(sessionmaker, world.other, "绵阳清源")
        await _until(lambda: _received(control, 1))
        await asyncio.sleep(0.5)
        assert expired.requests == []
    assert await _state(sessionmaker, expiring.row.id) == (
        EndpointStatus.DISABLED,
        OWNER_GONE,
        {},
    )


@pytest.mark.timing  # the endpoint must be disabled within a few seconds of the token's exp
async def test_an_owner_token_s_endpoint_is_disabled_at_its_exp(
    anonymous_client: httpx.AsyncClient,
    sessionmaker: SessionMaker,
    settings: Settings,
    world: World,
) -> None:
    """A token cannot be revoked, but it ends: its endpoint is disabled at ``exp``, before any
    new event, and receives nothing after; a longer-lived token's endpoint still receives."""
    # given two partner tokens, one ending in 4 s, each with an endpoint
    short = bearer_token(
        settings, Role.PARTNER, subject="数据合作方甲", expires_in=timedelta(seconds=4)
    )
    long = bearer_token(settings, Role.PARTNER, subject="数据合作方乙")
    other = to_global_id("Enterprise", world.other)
    with http_receiver() as ended, http_receiver() as control:
        await _endpoint(anonymous_client, short, ended)
        await _endpoint(anonymous_client, long, control)
        async with sessionmaker() as session:
            row = await session.scalar(
                select(WebhookEndpoint).where(WebhookEndpoint.owner == "sub:数据合作方甲")
            )
        assert row is not None
        assert (row.owner_role, row.owner_org_id) == ("PARTNER", None)
        exp = jwt.decode(short, options={"verify_signature": False})["exp"]
        assert row.owner_until == datetime.fromtimestamp(exp, UTC)
        # while the token lives, its endpoint receives
        await _rename(sessionmaker, world.other, "绵阳清源")
        await _until(lambda: _received(ended, 1))
        await _until(lambda: _received(control, 1))
        # when the token reaches its exp, then the endpoint is disabled without a new event
        disabled = await _until(lambda: _disabled(sessionmaker, "数据合作方甲"))
        assert disabled == (
            EndpointStatus.DISABLED,
            OWNER_GONE,
            {DeliveryStatus.SUCCEEDED.value: 1},
        )
        assert time.time() >= exp
        # and a later change reaches only the living token's endpoint
        await _rename(sessionmaker, world.other, "绵阳清源环保集团")
        await _until(lambda: _received(control, 2))
        await asyncio.sleep(0.5)
        assert _entity_names(ended) == [other]
        assert _entity_names(control) == [other, other]
    assert await _state(sessionmaker, "数据合作方甲") == disabled
    assert (await _state(sessionmaker, "数据合作方乙"))[:2] == (EndpointStatus.ENABLED, None)


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.requests) >= n


async def _disabled(sessionmaker: SessionMaker, key_id: uuid.UUID | str) -> tuple[Any, ...] | None:
    state = await _state(sessionmaker, key_id)
    return state if state[0] == EndpointStatus.DISABLED else None


async def _delivered(sessionmaker: SessionMaker, key_id: uuid.UUID) -> bool:
    return (await _state(sessionmaker, key_id))[2] == {DeliveryStatus.SUCCEEDED.value: 1}
