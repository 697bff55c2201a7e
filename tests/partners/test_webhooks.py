"""Webhooks end to end: endpoints created over GraphQL, deliveries made by the app's own
dispatcher to a real HTTP receiver on 127.0.0.1 that fails, times out and recovers, each
request checked with the verifier printed in docs/PARTNERS.md."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.domain.outbox import signal
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise
from tests.partners.receiver import TIMEOUT, Receiver, http_receiver

DOC = Path(__file__).parents[2] / "docs" / "PARTNERS.md"

CREATE = """
mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointWithSecret { secret endpoint { id url entityTypes status description } }
    ... on ValidationError { code field }
    ... on ForbiddenError { code }
  }
}"""
ROTATE = """
mutation($id: ID!) {
  rotateWebhookSecret(input: {id: $id}) {
    __typename ... on WebhookEndpointWithSecret { secret }
  }
}"""
DELIVERIES = """
query($id: ID!) {
  webhookDeliveries(endpointId: $id) {
    id eventId cursor status attemptCount
    attempts { statusCode error durationMs }
  }
  webhookEndpoints { id status disabledReason }
}"""
REDELIVER = """
mutation($id: ID!) {
  redeliverWebhook(input: {deliveryId: $id}) {
    __typename ... on WebhookDeliverySuccess { delivery { id status } }
  }
}"""


def load_verifier() -> dict[str, Any]:
    """The Python block of docs/PARTNERS.md after the ``verifier`` marker, executed."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- verifier:.*?-->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/PARTNERS.md lost its verifier block"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    return namespace


async def _rename(sessionmaker: SessionMaker, enterprise_id: uuid.UUID, name: str) -> None:
    async with sessionmaker.begin() as session:
        row = await session.get(Enterprise, enterprise_id)
        assert row is not None
        await update_enterprise(session, id=row.id, version=row.version, changes={"name": name})
    signal.changes_committed()  # as the GraphQL edge does: the publisher runs now


async def _until(check: Callable[[], Awaitable[Any]], seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def _create(partner: Any, receiver: Receiver, **extra: Any) -> tuple[str, str]:
    body = await partner(CREATE, {"input": {"url": receiver.url, **extra}})
    created = body["data"]["createWebhookEndpoint"]
    assert created["__typename"] == "WebhookEndpointWithSecret", created
    return created["endpoint"]["id"], created["secret"]


# timing: the sender gives up after 0.5 s, so on a loaded machine the answer that should succeed
# can time out as well, and the attempts differ
@pytest.mark.timing
async def test_a_delivery_fails_times_out_then_succeeds_and_every_attempt_is_logged(
    sessionmaker: SessionMaker, gql_as: Any
) -> None:
    verify = load_verifier()["verify_webhook"]
    partner = gql_as(Role.PARTNER)
    with http_receiver() as receiver:
        # given an endpoint whose receiver fails, then hangs past the timeout, then recovers
        receiver.script = [500, TIMEOUT]
        endpoint_id, secret = await _create(partner, receiver, entityTypes=["ENTERPRISE"])
        async with sessionmaker.begin() as session:
            enterprise = await create_enterprise(session)
        # when an enterprise changes
        await _rename(sessionmaker, enterprise.id, "新名")

        # then the delivery is retried until it succeeds, and every attempt is logged
        async def succeeded() -> Any:
            body = await partner(DELIVERIES, {"id": endpoint_id})
            found = body["data"]["webhookDeliveries"]
            return found if found and found[0]["status"] == "SUCCEEDED" else None

        (delivery,) = await _until(succeeded)
        assert delivery["attemptCount"] == 3
        attempts = delivery["attempts"]
        assert [(a["statusCode"], a["error"]) for a in attempts] == [
            (500, "HTTP 500"),
            (None, "timed out after 0.5 s"),
            (200, None),
        ]
        assert attempts[1]["durationMs"] >= 500
        # and the receiver got the same message three times, each genuinely signed
        assert len(receiver.requests) == 3
        ids = {r.headers["webhook-id"] for r in receiver.requests}
        assert ids == {delivery["eventId"]}
        for request in receiver.requests:
            verify(secret, request.headers, request.body)
            assert Webhook(secret).verify(request.body, request.headers) == json.loads(request.body)
        message = json.loads(receiver.requests[-1].body)
        assert message["type"] == "change.update"
        assert message["data"] == {
            "id": delivery["eventId"],
            "cursor": delivery["cursor"],
            "entityType": "Enterprise",
            "entityId": to_global_id("Enterprise", enterprise.id),
            "operation": "UPDATE",
            "entityVersion": 2,
            "occurredAt": message["data"]["occurredAt"],
        }


async def test_the_verifier_rejects_stale_tampered_and_foreign_requests(
    sessionmaker: SessionMaker, gql_as: Any
) -> None:
    namespace = load_verifier()
    verify, invalid = namespace["verify_webhook"], namespace["InvalidWebhook"]
    partner = gql_as(Role.PARTNER)
    with http_receiver() as receiver:
        _, secret = await _create(partner, receiver)
        _, other_secret = await _create(partner, receiver, description="其他")
        async with sessionmaker.begin() as session:
            enterprise = await create_enterprise(session)
        await _rename(sessionmaker, enterprise.id, "新名")
        await _until(lambda: _count(receiver, 2))
    request = next(r for r in receiver.requests if _genuine(verify, secret, r))
    sent_at = int(request.headers["webhook-timestamp"])
    # a fresh, genuine request passes
    verify(secret, request.headers, request.body, now=sent_at + 60)
    # replayed ten minutes later: stale
    with pytest.raises(invalid, match="stale"):
        verify(secret, request.headers, request.body, now=sent_at + 600)
    # a changed body, or another endpoint's secret: no valid signature
    with pytest.raises(invalid, match="no valid signature"):
        verify(secret, request.headers, request.body.replace(b"UPDATE", b"DELETE"), now=sent_at)
    with pytest.raises(invalid, match="no valid signature"):
        verify(other_secret, request.headers, request.body, now=sent_at)


async def _count(receiver: Receiver, n: int) -> bool:
    return len(receiver.requests) >= n


def _genuine(verify: Any, secret: str, request: Any) -> bool:
    try:
        verify(secret, request.headers, request.body)
    except Exception:  # noqa: BLE001 (InvalidWebhook, defined by the doc's block)
        return False
    return True


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    sessionmaker: SessionMaker, gql_as: Any
) -> None:
    verify = load_verifier()["verify_webhook"]
    partner = gql_as(Role.PARTNER)
    with http_receiver() as receiver:
        endpoint_id, old = await _create(partner, receiver)
        rotated = (await partner(ROTATE, {"id": endpoint_id}))["data"]["rotateWebhookSecret"]
        new = rotated["secret"]
        assert rotated["__typename"] == "WebhookEndpointWithSecret"
        assert new != old
        async with sessionmaker.begin() as session:
            enterprise = await create_enterprise(session)
        await _rename(sessionmaker, enterprise.id, "新名")
        await _until(lambda: _count(receiver, 1))
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verify(new, request.headers, request.body)
    verify(old, request.headers, request.body)


async def test_after_the_retry_window_the_delivery_fails_and_the_endpoint_is_disabled(
    sessionmaker: SessionMaker, gql_as: Any, settings: Any
) -> None:
    partner = gql_as(Role.PARTNER)
    with http_receiver() as receiver:
        receiver.default = 503
        endpoint_id, _ = await _create(partner, receiver)
        async with sessionmaker.begin() as session:
            enterprise = await create_enterprise(session)
        await _rename(sessionmaker, enterprise.id, "新名")

        async def failed() -> Any:
            # the delivery and the endpoint change in one transaction, but the two root fields
            # read in sessions of their own: wait until both show it
            body = await partner(DELIVERIES, {"id": endpoint_id})
            found, endpoints = body["data"]["webhookDeliveries"], body["data"]["webhookEndpoints"]
            done = found and found[0]["status"] == "FAILED" and endpoints[0]["status"] == "DISABLED"
            return body["data"] if done else None

        data = await _until(failed, seconds=settings.webhook_retry_window_seconds + 15)
        (delivery,) = data["webhookDeliveries"]
        assert delivery["attemptCount"] == len(receiver.requests) >= 2
        assert {(a["statusCode"], a["error"]) for a in delivery["attempts"]} == {(503, "HTTP 503")}
        (endpoint,) = data["webhookEndpoints"]
        assert endpoint["status"] == "DISABLED"
        assert endpoint["disabledReason"].endswith("last error: HTTP 503")
        # when the partner fixed its receiver and asks for the delivery again
        receiver.default = 204
        again = (await partner(REDELIVER, {"id": delivery["id"]}))["data"]["redeliverWebhook"]
        assert again["__typename"] == "WebhookDeliverySuccess"

        # then it is sent and the endpoint is enabled again
        async def succeeded() -> Any:
            body = await partner(DELIVERIES, {"id": endpoint_id})
            found = body["data"]["webhookDeliveries"]
            return body["data"] if found[0]["status"] == "SUCCEEDED" else None

        data = await _until(succeeded)
        assert data["webhookDeliveries"][0]["attempts"][-1]["statusCode"] == 204
        assert data["webhookEndpoints"][0]["status"] == "ENABLED"


async def test_who_may_create_endpoints_and_bad_urls(gql_as: Any) -> None:
    for role, org in [
        (None, None),
        (Role.ENTERPRISE, uuid.uuid4()),
        (Role.INSTITUTION, uuid.uuid4()),
    ]:
        body = await gql_as(role, org_id=org)(CREATE, {"input": {"url": "https://example.org/h"}})
        assert body["data"]["createWebhookEndpoint"] == {
            "__typename": "ForbiddenError",
            "code": "FORBIDDEN",
        }, role
    body = await gql_as(Role.ADMIN)(CREATE, {"input": {"url": "ftp://example.org/h"}})
    assert body["data"]["createWebhookEndpoint"] == {
        "__typename": "ValidationError",
        "code": "INVALID_FORMAT",
        "field": "url",
    }
    # nothing was created by the refused calls
    listed = await gql_as(Role.ADMIN)("{ webhookEndpoints { id } }")
    assert listed["data"]["webhookEndpoints"] == []


async def test_partners_see_and_manage_only_their_own_endpoints(client: Any, settings: Any) -> None:
    def caller(role: Role, subject: str) -> Any:
        headers = auth_headers(settings, role, subject=subject)

        async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
            assert response.status_code == 200, response.text
            return response.json()

        return run

    first, second = caller(Role.PARTNER, "甲银行"), caller(Role.PARTNER, "乙银行")
    admin = caller(Role.ADMIN, "管理员")
    created = await first(CREATE, {"input": {"url": "https://a.example/h"}})
    endpoint_id = created["data"]["createWebhookEndpoint"]["endpoint"]["id"]
    # another partner sees nothing of it, and cannot rotate it or read its deliveries
    assert (await second("{ webhookEndpoints { id } }"))["data"]["webhookEndpoints"] == []
    rotated = await second(ROTATE, {"id": endpoint_id})
    assert rotated["data"]["rotateWebhookSecret"] == {"__typename": "NotFoundError"}
    listed = await second(DELIVERIES, {"id": endpoint_id})
    assert listed["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # its owner and admins do
    own = await first("{ webhookEndpoints { id } }")
    assert own["data"]["webhookEndpoints"] == [{"id": endpoint_id}]
    everything = await admin("{ webhookEndpoints { id } }")
    assert everything["data"]["webhookEndpoints"] == [{"id": endpoint_id}]
