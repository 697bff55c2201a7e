"""Identities: API keys (CLI, hashing, expiry, revocation, last use), HS256 and RS256 bearer
tokens, and WebSocket connection_init. Bad credentials are refused, never downgraded."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, update
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from greenrong.app import create_app
from greenrong.cli import main
from greenrong.core.config import Settings, get_settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.keys import create_key, hash_key
from greenrong.domain.access.models import ApiKey
from greenrong.domain.access.principal import ANONYMOUS, SYSTEM, Principal, Role
from greenrong.schema.kit.ids import to_global_id
from tests.factories.access import bearer_token

VIEWER = "{ viewer { role orgId keyId subject } }"
UNAUTHENTICATED = "UNAUTHENTICATED"


async def call(client: httpx.AsyncClient, credential: str | None) -> httpx.Response:
    headers = {} if credential is None else {"authorization": f"Bearer {credential}"}
    return await client.post("/graphql", json={"query": VIEWER}, headers=headers)


def assert_unauthenticated(response: httpx.Response, message: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": UNAUTHENTICATED}}]
    }


# ---------------------------------------------------------------- API keys


def cli(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output


async def test_keys_are_created_listed_and_revoked_through_the_cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, anonymous_client: httpx.AsyncClient
) -> None:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    bank = uuid.uuid4()
    try:
        created = await asyncio.to_thread(
            cli,
            [
                "keys",
                "create",
                "--role",
                "institution",
                "--org",
                str(bank),
                "--name",
                "四川银行对接系统",
                "--expires-in",
                "30",
            ],
        )
        found = re.search(r"created key (\S+) \((\w+)\)", created)
        assert found is not None
        key_id, role = found.groups()
        secret = created.splitlines()[-1]
        assert role == "INSTITUTION"
        assert re.fullmatch(r"grk_[A-Za-z0-9_-]{43}", secret)

        answer = await call(anonymous_client, secret)
        assert answer.json()["data"]["viewer"] == {
            "role": "INSTITUTION",
            "orgId": to_global_id("FinancialInstitution", bank),
            "keyId": key_id,
            "subject": None,
        }

        listed = await asyncio.to_thread(cli, ["keys", "list"])
        (line,) = [row for row in listed.splitlines() if row.startswith(key_id)]
        assert secret not in listed
        assert line.split()[1:4] == [secret[:10] + "…", "INSTITUTION", str(bank)]
        assert "四川银行对接系统" in line
        assert line.endswith("active")
        assert line.split()[-2] != "-"  # last used: just now

        revoked = await asyncio.to_thread(cli, ["keys", "revoke", key_id])
        assert revoked == f"greenrong: revoked key {key_id}\n"
        assert_unauthenticated(await call(anonymous_client, secret), "the API key was revoked")
        assert (await asyncio.to_thread(cli, ["keys", "list"])).splitlines()[1].endswith("revoked")
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "ENTERPRISE"], "a ENTERPRISE key needs --org"),
        (["--role", "ADMIN", "--org", str(uuid.UUID(int=7))], "a ADMIN key is not bound to one"),
    ],
)
def test_a_key_is_bound_to_an_organisation_exactly_when_its_role_is(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["keys", "create", *args])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert message in result.output


def test_keys_create_takes_the_org_as_a_uuid_or_as_graphql_s_global_id(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI prints bare UUIDs and GraphQL shows global ids: ``--org`` takes either, and
    refuses another kind's global id by name."""
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    bank = uuid.UUID(int=42)
    get_settings.cache_clear()
    try:
        by_gid = cli(
            [
                "keys",
                "create",
                "--role",
                "INSTITUTION",
                "--org",
                to_global_id("FinancialInstitution", bank),
            ]
        )
        wrong = CliRunner().invoke(
            main,
            ["keys", "create", "--role", "INSTITUTION", "--org", to_global_id("Enterprise", bank)],
        )
        listed = cli(["keys", "list"])
    finally:
        get_settings.cache_clear()
    key_id = re.search(r"created key (\S+) ", by_gid)[1]  # type: ignore[index]
    (line,) = [row for row in listed.splitlines() if row.startswith(key_id)]
    assert line.split()[3] == str(bank)
    assert wrong.exit_code == 2
    assert (
        "Invalid value for --org: expected the id of a FinancialInstitution, got the id of a "
        "Enterprise" in wrong.output
    )


async def test_a_bare_uuid_is_explained_with_the_global_id_it_stands_for(
    anonymous_client: httpx.AsyncClient,
) -> None:
    bare = "6f1c2d3e-0000-4000-8000-000000000001"
    body = (
        await anonymous_client.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { node(id: $id) { id } }",
                "variables": {"id": bare},
            },
        )
    ).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_FORMAT"
    assert error["message"] == (
        f"id: {bare!r} is a bare UUID (as the CLI and exports print): a greenrong id is base64 "
        'of "Type:uuid", as every object\'s `id` field shows it, for example '
        f"{to_global_id('Enterprise', uuid.UUID(bare))!r} for an Enterprise"
    )


def test_the_demo_admin_key_is_printed_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        first = cli(["keys", "ensure-demo-admin"])
        second = cli(["keys", "ensure-demo-admin"])
    finally:
        get_settings.cache_clear()
    assert re.search(r"^grk_\S{43}$", first, re.MULTILINE)
    assert second == ""


async def test_only_the_hash_of_a_key_is_stored(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        new = await create_key(session, role=Role.REGULATOR, name="省生态环境厅")

    async with sessionmaker() as session:
        row = await session.scalar(select(ApiKey).where(ApiKey.id == new.row.id))
    assert row is not None
    assert row.secret_hash == hash_key(new.secret) != new.secret
    assert new.secret not in {row.name, row.prefix, row.secret_hash}


async def test_an_expired_key_is_refused(
    anonymous_client: httpx.AsyncClient, sessionmaker: SessionMaker
) -> None:
    async with sessionmaker.begin() as session:
        new = await create_key(session, role=Role.REGULATOR, expires_in=timedelta(days=1))
    assert (await call(anonymous_client, new.secret)).status_code == 200
    async with sessionmaker.begin() as session:
        await session.execute(
            update(ApiKey).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    assert_unauthenticated(await call(anonymous_client, new.secret), "the API key expired")


async def test_an_unknown_key_is_refused(anonymous_client: httpx.AsyncClient) -> None:
    assert_unauthenticated(await call(anonymous_client, "grk_" + "x" * 43), "unknown API key")


async def test_last_use_is_written_at_most_once_a_minute(
    anonymous_client: httpx.AsyncClient, sessionmaker: SessionMaker
) -> None:
    async with sessionmaker.begin() as session:
        new = await create_key(session, role=Role.REGULATOR)

    async def last_used() -> datetime | None:
        async with sessionmaker() as session:
            return await session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == new.row.id))

    await call(anonymous_client, new.secret)
    first = await last_used()
    await call(anonymous_client, new.secret)
    assert first is not None
    assert await last_used() == first
    async with sessionmaker.begin() as session:
        await session.execute(update(ApiKey).values(last_used_at=first - timedelta(minutes=2)))
    await call(anonymous_client, new.secret)
    assert (await last_used() or first) > first - timedelta(minutes=2)


# ---------------------------------------------------------------- bearer tokens


async def test_no_credential_is_the_public_role(anonymous_client: httpx.AsyncClient) -> None:
    response = await call(anonymous_client, None)

    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {
        "role": "PUBLIC",
        "orgId": None,
        "keyId": None,
        "subject": None,
    }


async def test_an_hs256_token_names_its_caller(
    anonymous_client: httpx.AsyncClient, settings: Settings
) -> None:
    enterprise = uuid.uuid4()
    token = bearer_token(settings, Role.ENTERPRISE, org_id=enterprise, subject="王芳")

    response = await call(anonymous_client, token)

    assert response.json()["data"]["viewer"] == {
        "role": "ENTERPRISE",
        "orgId": to_global_id("Enterprise", enterprise),
        "keyId": None,
        "subject": "王芳",
    }


async def test_a_token_s_role_is_read_in_any_case_as_the_cli_s_role_is(
    anonymous_client: httpx.AsyncClient, settings: Settings
) -> None:
    for role in ("regulator", "Regulator", "REGULATOR"):
        response = await call(anonymous_client, _token(settings.jwt_secret, role=role))
        assert response.json()["data"]["viewer"]["role"] == "REGULATOR", role


def _token(secret: str, algorithm: str = "HS256", **claims: Any) -> str:
    base: dict[str, Any] = {
        "sub": "李强",
        "role": "REGULATOR",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    return jwt.encode({**base, **claims}, secret, algorithm=algorithm)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda s: _token(s.jwt_secret, exp=datetime.now(UTC) - timedelta(minutes=5)),
            "the token expired",
        ),
        (
            lambda s: _token("another-secret-of-at-least-32-bytes!!"),
            "invalid token: Signature verification failed",
        ),
        (lambda s: _token(s.jwt_secret, role="ROOT"), "unknown role 'ROOT' in the token"),
        (
            lambda s: _token(s.jwt_secret, role="ENTERPRISE"),
            "a ENTERPRISE token needs an `org` claim",
        ),
        (
            lambda s: jwt.encode(
                {"sub": "x", "role": "ADMIN", "exp": 4102444800}, None, algorithm="none"
            ),  # type: ignore[arg-type]
            "tokens signed with none are not accepted here",
        ),
        (lambda s: "a.b.c", "malformed token: Invalid header padding"),
        (lambda s: "not-a-credential", "the bearer credential is neither an API key nor a token"),
    ],
    ids=["expired", "bad-signature", "unknown-role", "unbound", "alg-none", "garbage", "neither"],
)
async def test_bad_tokens_are_401_never_anonymous(
    anonymous_client: httpx.AsyncClient, settings: Settings, make: Any, message: str
) -> None:
    assert_unauthenticated(await call(anonymous_client, make(settings)), message)


async def test_a_header_that_is_not_bearer_is_refused_on_get_too(
    anonymous_client: httpx.AsyncClient,
) -> None:
    response = await anonymous_client.get(
        "/graphql", params={"query": VIEWER}, headers={"authorization": "Basic YWRtaW46YWRtaW4="}
    )

    assert_unauthenticated(response, "use `Authorization: Bearer <API key or token>`")


def _hs256_by_hand(secret: bytes, claims: dict[str, Any]) -> str:
    """An HS256 token with any bytes as secret (PyJWT refuses a PEM key as HMAC secret)."""

    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    body = {**claims, "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())}
    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + "." + part(json.dumps(body).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + part(signature)


@pytest.fixture
def rsa_keys() -> tuple[Any, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public_pem


async def test_rs256_tokens_verify_against_the_configured_public_key(
    settings: Settings, rsa_keys: tuple[Any, str]
) -> None:
    private, public_pem = rsa_keys
    app = create_app(
        settings.model_copy(
            update={"jwt_secret": "", "jwt_public_key": public_pem, "jwt_issuer": "绿蓉融门户"}
        )
    )
    claims = {"sub": "张建国", "role": "EXPERT", "org": str(uuid.UUID(int=42)), "iss": "绿蓉融门户"}
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            good = await call(client, _token(private, "RS256", **claims))  # type: ignore[arg-type]
            wrong_issuer = await call(client, _token(private, "RS256", **{**claims, "iss": "x"}))  # type: ignore[arg-type]
            other_key = await call(client, _token(stranger, "RS256", **claims))  # type: ignore[arg-type]
            # the classic confusion: an HS256 token "signed" with the public key
            confused = await call(client, _hs256_by_hand(public_pem.encode(), claims))
            hs256_off = await call(client, _token("x" * 32, "HS256", **claims))

    assert good.json()["data"]["viewer"]["role"] == "EXPERT"
    assert_unauthenticated(wrong_issuer, "invalid token: Invalid issuer")
    assert_unauthenticated(other_key, "invalid token: Signature verification failed")
    assert_unauthenticated(confused, "tokens signed with HS256 are not accepted here")
    assert_unauthenticated(hs256_off, "tokens signed with HS256 are not accepted here")


# ---------------------------------------------------------------- WebSocket


def _ws_viewer(live_server: str, payload: dict[str, Any]) -> dict[str, Any] | int:
    """connection_init with ``payload``, then one query; the data, or the close code."""
    url = live_server.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            ack = json.loads(ws.recv(timeout=10))
        except ConnectionClosed as closed:
            return -1 if closed.rcvd is None else closed.rcvd.code
        assert ack["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": VIEWER}}))
        message = json.loads(ws.recv(timeout=10))
        assert message["type"] == "next", message
        assert json.loads(ws.recv(timeout=10)) == {"id": "1", "type": "complete"}
        data: dict[str, Any] = message["payload"]["data"]["viewer"]
        return data


def test_websocket_connection_init_authenticates(live_server: str, settings: Settings) -> None:
    token = bearer_token(settings, Role.REGULATOR, subject="省生态环境厅")

    assert _ws_viewer(live_server, {"Authorization": f"Bearer {token}"}) == {
        "role": "REGULATOR",
        "orgId": None,
        "keyId": None,
        "subject": "省生态环境厅",
    }
    assert _ws_viewer(live_server, {}) == {
        "role": "PUBLIC",
        "orgId": None,
        "keyId": None,
        "subject": None,
    }


def test_websocket_bad_credentials_close_the_connection(live_server: str) -> None:
    assert _ws_viewer(live_server, {"Authorization": "Bearer grk_revoked-or-unknown"}) == 4403


def test_a_principal_has_one_identity() -> None:
    key_id = uuid.UUID("00000000-0000-4000-8000-000000000007")
    by_key = Principal(Role.PARTNER, key_id=key_id)
    by_token = Principal(Role.ENTERPRISE, org_id=uuid.uuid4(), subject="张三")
    assert (by_key.identity, by_key.actor) == (f"key:{key_id}", f"key:{key_id}")
    assert (by_token.identity, by_token.actor) == ("sub:张三", "张三")
    assert (SYSTEM.identity, SYSTEM.actor) == ("sub:system", "system")
    assert (ANONYMOUS.identity, ANONYMOUS.actor) == (None, "public")
