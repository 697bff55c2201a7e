"""The audit log: every write records who, what and when, in the write's own transaction;
regulators and admins read it; PostgreSQL refuses to change or delete its rows."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from greenrong.core.db import SessionMaker
from greenrong.domain.access.models import AuditEntry
from greenrong.schema.kit.ids import to_global_id
from tests.access.conftest import PARTIES, World
from tests.conftest import BACKEND

UPDATE_NEED = """mutation($input: UpdateNeedInput!) { updateTechnologyNeed(input: $input) {
  __typename } }"""
AUDIT_LOG = """query($id: ID!, $after: String) { auditLog(entityId: $id, first: 1, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { actorRole actorSubject actorKeyId entityType entityId operation
                 oldVersion newVersion requestId } } } }"""


async def test_each_write_leaves_one_audit_entry_with_who_what_and_the_request(
    as_party, world: World, client, sessionmaker: SessionMaker
) -> None:
    need = to_global_id("TechnologyNeed", world.need)
    await as_party("owner")(
        UPDATE_NEED, {"input": {"id": need, "version": 1, "title": "渗滤液处理"}}
    )
    response = await client.post(
        "/graphql",
        json={
            "query": UPDATE_NEED,
            "variables": {"input": {"id": need, "version": 2, "budget": "900000.00"}},
        },
        headers={"x-request-id": "audit-req-0002"},
    )
    assert response.json()["data"]["updateTechnologyNeed"]["__typename"] == "TechnologyNeedSuccess"

    first = await as_party("regulator")(AUDIT_LOG, {"id": need})
    page = first["data"]["auditLog"]
    second = await as_party("admin")(
        AUDIT_LOG, {"id": need, "after": page["pageInfo"]["endCursor"]}
    )

    assert page["totalCount"] == 2
    assert page["pageInfo"]["hasNextPage"] is True
    owner_entry = page["edges"][0]["node"]
    assert owner_entry == {
        "actorRole": "ENTERPRISE",
        "actorSubject": "测试用户",
        "actorKeyId": None,
        "entityType": "TechnologyNeed",
        "entityId": need,
        "operation": "UPDATE",
        "oldVersion": 1,
        "newVersion": 2,
        "requestId": owner_entry["requestId"],
    }
    assert owner_entry["requestId"]
    admin_entry = second["data"]["auditLog"]["edges"][0]["node"]
    assert (admin_entry["actorRole"], admin_entry["oldVersion"], admin_entry["newVersion"]) == (
        "ADMIN",
        2,
        3,
    )
    assert admin_entry["requestId"] == "audit-req-0002"
    assert second["data"]["auditLog"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    "values",
    [
        ["2026-01-01T00:00:00+00:00", 5],
        [5, "0c8f7a52-4c55-4b8e-9d0e-7a5d3f0e2b11"],
        ["2026-01-01T00:00:00", "0c8f7a52-4c55-4b8e-9d0e-7a5d3f0e2b11"],
        ["0001-01-01T00:00:00+14:00", "0c8f7a52-4c55-4b8e-9d0e-7a5d3f0e2b11"],
        ["2026-01-01T00:00:00+00:00", None],
        ["2026-01-01T00:00:00+00:00"],
        {"时间": "2026-01-01T00:00:00+00:00"},
    ],
)
async def test_a_crafted_audit_cursor_is_invalid_cursor(
    as_party, world: World, values: object
) -> None:
    # given: a cursor of the audit log's shape that a client wrote
    crafted = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    need = to_global_id("TechnologyNeed", world.need)
    # when
    body = await as_party("admin")(AUDIT_LOG, {"id": need, "after": crafted})
    # then
    assert body["data"] == {"auditLog": None}
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("after: not a cursor of the audit log", {"code": "INVALID_CURSOR", "field": "after"})
    ]


@pytest.mark.parametrize("party", [p for p in PARTIES if p not in ("regulator", "admin")])
async def test_only_regulators_and_admins_read_the_audit_log(
    as_party, world: World, party: str
) -> None:
    body = await as_party(party)(AUDIT_LOG, {"id": to_global_id("TechnologyNeed", world.need)})

    assert body["data"] == {"auditLog": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_a_create_is_audited_with_no_old_version(as_party, world: World) -> None:
    body = await as_party("owner")(
        """mutation($input: CreateNeedInput!) { createTechnologyNeed(input: $input) {
            ... on TechnologyNeedSuccess { technologyNeed { id } } } }""",
        {
            "input": {
                "enterpriseId": to_global_id("Enterprise", world.owner),
                "title": "锅炉烟气脱硝技术需求",
                "domain": "AIR",
                "regionCode": "510104",
            }
        },
    )
    need = body["data"]["createTechnologyNeed"]["technologyNeed"]["id"]

    log = await as_party("admin")(AUDIT_LOG, {"id": need})

    (edge,) = log["data"]["auditLog"]["edges"]
    assert (edge["node"]["operation"], edge["node"]["oldVersion"], edge["node"]["newVersion"]) == (
        "CREATE",
        None,
        1,
    )


@pytest.mark.skipif(BACKEND != "postgresql", reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET actor_subject = '篡改者'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ],
)
async def test_postgresql_refuses_to_change_or_delete_audit_entries(
    as_party, world: World, sessionmaker: SessionMaker, statement: str
) -> None:
    need = to_global_id("TechnologyNeed", world.need)
    await as_party("owner")(UPDATE_NEED, {"input": {"id": need, "version": 1, "title": "新标题"}})

    async def tamper() -> None:
        async with sessionmaker.begin() as session:
            await session.execute(text(statement))

    with pytest.raises(DBAPIError, match="audit_entry is append-only"):
        await tamper()

    async with sessionmaker() as session:
        subjects = (await session.scalars(select(AuditEntry.actor_subject))).all()
    assert subjects == ["测试用户"]
