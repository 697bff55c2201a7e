"""An open WebSocket (graphql-transport-ws, through uvicorn on a real socket) stays bound to its
credential and to the consent of the moment, not to what held at ``connection_init``:

- after ``keys revoke``, an operation sent on an open socket never runs (a mutation changes
  nothing) and the socket closes with 4403; a subscriber receives no further event;
- an idle socket of a revoked key closes with 4403 within 5 s (measured, through the CLI), and a
  token's socket closes at the token's ``exp``;
- after ``revokeDataConsent``, the next query and the next subscription event on the same
  socket no longer carry the consent-gated values.

Each test first shows the same socket doing the same thing before the revocation."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from greenrong.cli import main
from greenrong.core.config import Settings, get_settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access import policy
from greenrong.domain.access.keys import create_key, revoke_key
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.domain.finance.models import FinancingDemand
from greenrong.domain.partners import saved_searches
from greenrong.domain.partners.models import ListingAlert
from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import World, counts
from tests.factories.access import bearer_token
from tests.partners.wsclient import Client, ws_client

UPDATE = """
mutation($input: UpdateEnterpriseInput!) {
  updateEnterprise(input: $input) {
    __typename ... on EnterpriseSuccess { enterprise { name version } }
  }
}"""
DEMAND = """query($id: ID!) { node(id: $id) { ... on FinancingDemand {
  amount purpose maxRate collateralOffered } } }"""
CHANGES = """subscription { changes(entityTypes: [ENTERPRISE]) {
  entityVersion entity { ... on Enterprise { name } } } }"""
ALERTS = """subscription($id: ID!) { listingAlerts(savedSearchId: $id) {
  listingVersion listing { title ownerEnterprise { name contactPerson contactPhone } } } }"""
REVOKE_CONSENT = """mutation($input: RevokeDataConsentInput!) { revokeDataConsent(input: $input) {
  __typename ... on DataConsentSuccess { dataConsent { version } } } }"""

#: the longest a revoked key's socket may stay open (the issue's bound)
CLOSE_WITHIN_SECONDS = 5.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # subscriptions re-read the feed and alerts often; the credential check keeps its default
    return settings.model_copy(update={"feed_poll_seconds": 0.2})


async def _key(sessionmaker: SessionMaker, role: Role, org_id: uuid.UUID | None = None) -> Any:
    async with sessionmaker.begin() as session:
        return await create_key(session, role=role, org_id=org_id, name="四川银行对接系统")


async def _revoke(sessionmaker: SessionMaker, key_id: uuid.UUID) -> None:
    async with sessionmaker.begin() as session:
        await revoke_key(session, id=key_id)


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def _operation(client: Client, id: str, query: str, variables: dict[str, Any]) -> Any:
    """One query or mutation on the socket: its ``next`` payload, then ``complete``."""
    await client.subscribe(id, query, variables)
    message = await client.receive()
    assert message["type"] == "next", message
    assert await client.receive() == {"id": id, "type": "complete"}
    return message["payload"]


async def _closed_code(client: Client, wait: float = 10.0) -> tuple[int | None, list[Any]]:
    """Read until the server closes the socket: its close code, and what came before it."""
    received: list[Any] = []
    while True:
        try:
            received.append(await client.receive(wait))
        except ConnectionClosed as closed:
            return (None if closed.rcvd is None else closed.rcvd.code), received


async def _enterprise(sessionmaker: SessionMaker, id: uuid.UUID) -> tuple[str, int]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                select(Enterprise.name, Enterprise.version).where(Enterprise.id == id)
            )
        ).one()
        return row.name, row.version


async def _rename(sessionmaker: SessionMaker, id: uuid.UUID, name: str) -> None:
    async with sessionmaker.begin() as session:
        row = await session.get(Enterprise, id)
        assert row is not None
        await update_enterprise(session, id=row.id, version=row.version, changes={"name": name})


# ---------------------------------------------------------------- revoked keys


async def test_a_mutation_sent_after_the_key_is_revoked_never_runs(
    live_server: str, sessionmaker: SessionMaker, world: World
) -> None:
    key = await _key(sessionmaker, Role.ENTERPRISE, world.owner)
    enterprise = to_global_id("Enterprise", world.owner)
    async with ws_client(live_server) as client:
        assert await client.init(_auth(key.secret)) == {"type": "connection_ack"}
        # given: the same socket may change its enterprise (the positive control)
        done = await _operation(
            client, "1", UPDATE, {"input": {"id": enterprise, "version": 1, "name": "成都绿能"}}
        )
        assert done["data"] == {
            "updateEnterprise": {
                "__typename": "EnterpriseSuccess",
                "enterprise": {"name": "成都绿能", "version": 2},
            }
        }
        before = await counts(sessionmaker, Enterprise)
        # when: the key is revoked, and the open socket sends another mutation
        await _revoke(sessionmaker, key.row.id)
        await client.subscribe(
            "2", UPDATE, {"input": {"id": enterprise, "version": 2, "name": "被吊销后改名"}}
        )
        code, received = await _closed_code(client)
    # then: the socket is closed with 4403, with no answer to the mutation
    assert (code, received) == (4403, [])
    # and nothing changed: no new version, no change event, no audit entry
    assert await _enterprise(sessionmaker, world.owner) == ("成都绿能", 2)
    assert await counts(sessionmaker, Enterprise) == before


async def test_a_query_sent_after_the_key_is_revoked_is_refused(
    live_server: str, sessionmaker: SessionMaker, world: World
) -> None:
    key = await _key(sessionmaker, Role.INSTITUTION, world.bank)
    demand = {"id": to_global_id("FinancingDemand", world.demand)}
    async with ws_client(live_server) as client:
        assert await client.init(_auth(key.secret)) == {"type": "connection_ack"}
        shown = await _operation(client, "1", DEMAND, demand)
        assert shown["data"]["node"]["purpose"] == "光伏电站建设"
        await _revoke(sessionmaker, key.row.id)
        await client.subscribe("2", DEMAND, demand)
        assert await _closed_code(client) == (4403, [])


async def test_a_revoked_partner_receives_no_further_change(
    live_server: str, sessionmaker: SessionMaker, world: World
) -> None:
    key = await _key(sessionmaker, Role.PARTNER)
    async with ws_client(live_server) as client:
        assert await client.init(_auth(key.secret)) == {"type": "connection_ack"}
        await client.subscribe("feed", CHANGES, {})
        # given: the subscription receives a change made now (the positive control)
        await _rename(sessionmaker, world.other, "绵阳清源")
        event = await client.next_data("feed")
        assert event["changes"] == {"entityVersion": 2, "entity": {"name": "绵阳清源"}}
        # when: the key is revoked and the enterprise changes again at once
        await _revoke(sessionmaker, key.row.id)
        await _rename(sessionmaker, world.other, "吊销后的新名")
        code, received = await _closed_code(client)
    # then: that change is never sent; the socket closes with 4403
    assert (code, received) == (4403, [])


def _cli(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output


async def test_keys_revoke_closes_an_idle_socket_within_five_seconds(
    live_server: str,
    sessionmaker: SessionMaker,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The measurement of the issue: seconds from `greenrong keys revoke` returning to the
    close of an idle socket of that key, with the default check interval."""
    assert settings.socket_credential_check_seconds == 2.0
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    key = await _key(sessionmaker, Role.PARTNER)
    try:
        async with ws_client(live_server) as client:
            assert await client.init(_auth(key.secret)) == {"type": "connection_ack"}
            await client.subscribe("feed", CHANGES, {})  # open, and quiet
            with pytest.raises(TimeoutError):
                await client.receive(wait=0.5)
            output = await asyncio.to_thread(_cli, ["keys", "revoke", str(key.row.id)])
            revoked = time.monotonic()
            assert output == f"greenrong: revoked key {key.row.id}\n"
            code, received = await _closed_code(client, wait=CLOSE_WITHIN_SECONDS + 5)
            seconds = time.monotonic() - revoked
    finally:
        get_settings.cache_clear()
    with capsys.disabled():
        print(f"\nkeys revoke -> socket closed (4403): {seconds:.2f} s")
    assert (code, received) == (4403, [])
    assert seconds < CLOSE_WITHIN_SECONDS


# timing: the token must outlive the first operation (exp has whole seconds, so a 5 s token
# may have 4), and the close is bounded in wall-clock time
@pytest.mark.timing
async def test_a_token_socket_closes_at_the_token_exp(
    live_server: str, settings: Settings, world: World
) -> None:
    token = bearer_token(
        settings, Role.INSTITUTION, org_id=world.bank, expires_in=timedelta(seconds=5)
    )
    exp = float(jwt.decode(token, options={"verify_signature": False})["exp"])
    demand = {"id": to_global_id("FinancingDemand", world.demand)}
    async with ws_client(live_server) as client:
        assert await client.init(_auth(token)) == {"type": "connection_ack"}
        shown = await _operation(client, "1", DEMAND, demand)
        assert shown["data"]["node"]["purpose"] == "光伏电站建设"
        code, received = await _closed_code(client, wait=15)
        closed_at = time.time()
    assert (code, received) == (4403, [])
    # at exp (no leeway for an open connection), not before, give or take the clock's tick
    assert exp - 0.05 <= closed_at <= exp + 1.5


# ---------------------------------------------------------------- revoked consent


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


#: a row of the world per entity type with consent-gated fields: a new guarded entity type
#: fails the test below until it is given one here
def _gated_rows(world: World) -> dict[str, uuid.UUID]:
    return {"Enterprise": world.owner, "FinancingDemand": world.demand}


def _gated_query(world: World) -> tuple[str, list[tuple[str, str]]]:
    """One query reading every consent-gated field of ``policy.PRIVATE_FIELDS`` (one alias per
    entity type), and the (alias, field) pairs it reads."""
    fields: dict[str, list[str]] = {}
    for entity_type, field in sorted(policy.PRIVATE_FIELDS):
        fields.setdefault(entity_type, []).append(_camel(field))
    rows = _gated_rows(world)
    parts, read = [], []
    for n, (entity_type, names) in enumerate(sorted(fields.items())):
        alias, id = f"row{n}", to_global_id(entity_type, rows[entity_type])
        parts.append(
            f'{alias}: node(id: "{id}") {{ ... on {entity_type} {{ {" ".join(names)} }} }}'
        )
        read += [(alias, name) for name in names]
    return "{ " + " ".join(parts) + " }", read


async def test_consent_revoked_counts_for_the_next_query_on_the_same_socket(
    live_server: str, sessionmaker: SessionMaker, world: World, as_party: Any
) -> None:
    """Every consent-gated field of the policy, read twice on one socket around a revocation."""
    async with sessionmaker.begin() as session:  # every gated value set, so none is null
        demand = await session.get(FinancingDemand, world.demand)
        assert demand is not None
        demand.max_rate = Decimal("0.0321")
        demand.collateral_offered = ["PROPERTY"]
    query, read = _gated_query(world)
    key = await _key(sessionmaker, Role.INSTITUTION, world.bank)
    async with ws_client(live_server) as client:
        assert await client.init(_auth(key.secret)) == {"type": "connection_ack"}
        # given: with consent, the socket reads every gated value
        shown = await _operation(client, "1", query, {})
        assert "errors" not in shown
        assert shown["data"]["row0"] == {"contactPerson": "王芳", "contactPhone": "028-85550101"}
        assert shown["data"]["row1"] == {
            "collateralOffered": ["PROPERTY"],
            "maxRate": "0.0321",
            "purpose": "光伏电站建设",
        }
        assert all(shown["data"][alias][name] is not None for alias, name in read)
        # when: the enterprise revokes its consent (over HTTP, another app)
        revoked = await as_party("owner")(
            REVOKE_CONSENT,
            {"input": {"id": to_global_id("DataConsent", world.consent), "version": 1}},
        )
        assert revoked["data"]["revokeDataConsent"]["dataConsent"] == {"version": 2}
        # then: the same socket's next query gets null and FORBIDDEN_NO_CONSENT for each
        hidden = await _operation(client, "2", query, {})
    assert [hidden["data"][alias][name] for alias, name in read] == [None] * len(read)
    assert sorted(
        (e["path"][0], e["path"][-1], e["extensions"]["code"]) for e in hidden["errors"]
    ) == [(alias, name, "FORBIDDEN_NO_CONSENT") for alias, name in sorted(read)]


async def test_consent_revoked_counts_for_the_next_subscription_event(
    live_server: str, sessionmaker: SessionMaker, world: World, as_party: Any
) -> None:
    key = await _key(sessionmaker, Role.INSTITUTION, world.bank)
    async with sessionmaker.begin() as session:
        saved = await saved_searches.create(
            session,
            owner=f"key:{key.row.id}",
            principal=Principal(role=Role.INSTITUTION, org_id=world.bank, key_id=key.row.id),
            name="污水处理技术",
            query="污水处理",
            filter_input={},
            filters={},
        )
        saved.last_alert_seq = 1
        session.add(_alert(saved.id, world.published_listing, seq=1))
    async with ws_client(live_server) as client:
        assert await client.init(_auth(key.secret)) == {"type": "connection_ack"}
        await client.subscribe("alerts", ALERTS, {"id": to_global_id("SavedSearch", saved.id)})
        # given: with CONTACT_DETAILS consent, the event shows the owner's contact person
        first = await client.next_data("alerts")
        assert first["listingAlerts"]["listing"] == {
            "title": "高效污水处理膜技术",
            "ownerEnterprise": {
                "name": "成都绿能科技有限公司",
                "contactPerson": "王芳",
                "contactPhone": "028-85550101",
            },
        }
        # when: the consent is revoked and the next alert is raised on the open subscription
        revoked = await as_party("owner")(
            REVOKE_CONSENT,
            {"input": {"id": to_global_id("DataConsent", world.consent), "version": 1}},
        )
        assert revoked["data"]["revokeDataConsent"]["__typename"] == "DataConsentSuccess"
        async with sessionmaker.begin() as session:
            session.add(_alert(saved.id, world.published_listing, seq=2))
        message = await client.receive()
    # then: that event carries the listing but not the gated contact details
    assert message["type"] == "next"
    payload = message["payload"]
    assert payload["data"]["listingAlerts"]["listing"]["ownerEnterprise"] == {
        "name": "成都绿能科技有限公司",
        "contactPerson": None,
        "contactPhone": None,
    }
    assert sorted((e["path"][-1], e["extensions"]["code"]) for e in payload["errors"]) == [
        ("contactPerson", "FORBIDDEN_NO_CONSENT"),
        ("contactPhone", "FORBIDDEN_NO_CONSENT"),
    ]


def _alert(saved_search_id: uuid.UUID, listing_id: uuid.UUID, *, seq: int) -> ListingAlert:
    return ListingAlert(
        saved_search_id=saved_search_id,
        seq=seq,
        listing_id=listing_id,
        listing_version=1,
        created_at=datetime.now(UTC),
    )
