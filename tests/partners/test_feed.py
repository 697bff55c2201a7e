"""The change feed: positions after commit, no gaps under concurrent writers, the query."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.access.principal import Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.domain.kit.jsonable import pack_cursor
from greenrong.domain.kit.types import utcnow
from greenrong.domain.outbox.models import ChangeEvent, Operation
from greenrong.domain.outbox.service import record_change
from greenrong.domain.partners import feed
from greenrong.schema.kit.ids import to_global_id
from tests.conftest import BACKEND
from tests.factories.entities import create_demand, create_enterprise, create_project

CHANGES = """
query($after: String, $first: Int, $types: [EntityType!]) {
  changes(after: $after, first: $first, entityTypes: $types) {
    endCursor hasMore
    events {
      id cursor entityType entityId operation entityVersion occurredAt
      entity { id ... on Enterprise { name version } }
    }
  }
}"""


async def _rename(sessionmaker: SessionMaker, enterprise_id: uuid.UUID, name: str) -> None:
    async with sessionmaker.begin() as session:
        row = await session.get(Enterprise, enterprise_id)
        assert row is not None
        await update_enterprise(
            session, id=enterprise_id, version=row.version, changes={"name": name}
        )


async def test_events_get_positions_only_when_published(sessionmaker: SessionMaker) -> None:
    # given two committed changes
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    await _rename(sessionmaker, enterprise.id, "甲")
    await _rename(sessionmaker, enterprise.id, "乙")
    async with sessionmaker() as session:
        assert await feed.read(session, after=0, limit=10) == []
        assert await feed.unpublished_count(session) == 2
    # when the publisher runs
    async with sessionmaker.begin() as session:
        first, last = await feed.publish(session, limit=100, now=utcnow())
    # then they are 1 and 2, in commit order, and a second run publishes nothing
    assert (first, last) == (1, 2)
    async with sessionmaker.begin() as session:
        assert await feed.publish(session, limit=100, now=utcnow()) == (3, 2)
    async with sessionmaker() as session:
        items = await feed.read(session, after=0, limit=10)
        assert [(i.position, i.event.entity_version) for i in items] == [(1, 2), (2, 3)]
        assert await feed.read(session, after=1, limit=10) == items[1:]
        assert await feed.head(session) == 2


async def test_a_rolled_back_change_never_enters_the_feed(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    try:
        async with sessionmaker.begin() as session:
            row = await session.get(type(enterprise), enterprise.id)
            assert row is not None
            await update_enterprise(session, id=row.id, version=row.version, changes={"name": "丙"})
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    async with sessionmaker.begin() as session:
        assert await feed.publish(session, limit=100, now=utcnow()) == (1, 0)


# --- the concurrency proof -------------------------------------------------------------------

WRITERS = 20 if BACKEND == "postgresql" else 4
WRITE_SECONDS = 4.0 if BACKEND == "postgresql" else 1.5
PUBLISHERS = 3 if BACKEND == "postgresql" else 1
#: how long a writer may keep its transaction open after writing its event (SQLite has one
#: writer at a time, so there holding the lock would only queue the others behind it)
HOLD_SECONDS = 0.02 if BACKEND == "postgresql" else 0.0


async def _writer(sessionmaker: SessionMaker, enterprise_id: uuid.UUID, stop: float) -> int:
    """Renames one enterprise until ``stop``; each transaction stays open a random while after
    its event is written, so commits land out of event order. Returns the commits made."""

    commits = 0
    while time.monotonic() < stop:
        async with sessionmaker.begin() as session:
            row = await session.get(Enterprise, enterprise_id)
            assert row is not None
            await update_enterprise(
                session, id=row.id, version=row.version, changes={"name": f"企业{commits}"}
            )
            await session.flush()
            await asyncio.sleep(random.uniform(0, HOLD_SECONDS))
        commits += 1
    return commits


async def _publisher(sessionmaker: SessionMaker, done: asyncio.Event) -> None:
    while True:
        async with sessionmaker.begin() as session:
            first, last = await feed.publish(session, limit=50, now=utcnow())
        if last < first:
            if done.is_set():
                return
            await asyncio.sleep(0.005)


async def _reader(sessionmaker: SessionMaker, done: asyncio.Event) -> list[tuple[int, uuid.UUID]]:
    """Polls ``after: <last position>`` all the while; fails at once on a gap."""
    seen: list[tuple[int, uuid.UUID]] = []
    position = 0
    idle_after_done = 0
    while idle_after_done < 3:
        async with sessionmaker() as session:
            items = await feed.read(session, after=position, limit=37)
        for item in items:
            assert item.position == position + 1, f"gap: {position} then {item.position}"
            position = item.position
            seen.append((item.position, item.event.id))
        if not items:
            idle_after_done = idle_after_done + 1 if done.is_set() else 0
            await asyncio.sleep(0.01)
    return seen


# timing: it requires some commits per writer within WRITE_SECONDS, which a loaded machine may
# not reach
@pytest.mark.timing
async def test_concurrent_writers_and_a_polling_reader_see_every_event_once_in_order(
    database_url: str,
) -> None:
    engine: AsyncEngine = create_engine(database_url, pool_size=WRITERS + PUBLISHERS + 4)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    try:
        # given one enterprise per writer
        async with sessionmaker.begin() as session:
            ids = [(await create_enterprise(session)).id for _ in range(WRITERS)]
        writers_done, publishers_done = asyncio.Event(), asyncio.Event()
        stop = time.monotonic() + WRITE_SECONDS
        # when WRITERS write, PUBLISHERS publish and one reader polls, all at once
        reader = asyncio.create_task(_reader(sessionmaker, publishers_done))
        publishers = [
            asyncio.create_task(_publisher(sessionmaker, writers_done)) for _ in range(PUBLISHERS)
        ]
        commits = await asyncio.gather(*(_writer(sessionmaker, i, stop) for i in ids))
        writers_done.set()
        await asyncio.gather(*publishers)
        publishers_done.set()
        seen = await reader
        # then the reader saw every committed event exactly once, positions 1..n in order
        async with sessionmaker() as session:
            committed = set(await session.scalars(select(ChangeEvent.id)))
            total = await session.scalar(select(func.count()).select_from(ChangeEvent))
        assert total == sum(commits) > WRITERS * 5
        assert [p for p, _ in seen] == list(range(1, total + 1))
        assert len({e for _, e in seen}) == total
        assert {e for _, e in seen} == committed
    finally:
        await engine.dispose()


# --- the GraphQL query -----------------------------------------------------------------------


async def _published(sessionmaker: SessionMaker) -> None:
    async with sessionmaker.begin() as session:
        await feed.publish(session, limit=1000, now=utcnow())


async def test_changes_pages_through_the_feed(sessionmaker: SessionMaker, gql_as: Any) -> None:
    # given an enterprise renamed twice, all published
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="起")
    await _rename(sessionmaker, enterprise.id, "一")
    await _rename(sessionmaker, enterprise.id, "二")
    await _published(sessionmaker)
    partner = gql_as(Role.PARTNER)
    # when a partner reads one event at a time
    first = await partner(CHANGES, {"first": 1})
    page = first["data"]["changes"]
    second = await partner(CHANGES, {"first": 5, "after": page["endCursor"]})
    rest = second["data"]["changes"]
    # then it gets both, in order, with the entity as it is now
    global_id = to_global_id("Enterprise", enterprise.id)
    assert page["hasMore"] is True
    assert [
        (e["entityType"], e["entityId"], e["operation"], e["entityVersion"])
        for e in page["events"] + rest["events"]
    ] == [("ENTERPRISE", global_id, "UPDATE", 2), ("ENTERPRISE", global_id, "UPDATE", 3)]
    assert rest["events"][0]["entity"] == {"id": global_id, "name": "二", "version": 3}
    assert rest["hasMore"] is False
    assert rest["endCursor"] == rest["events"][0]["cursor"]
    # and reading after the end returns nothing, with the same cursor to come back with
    again = (await partner(CHANGES, {"after": rest["endCursor"]}))["data"]["changes"]
    assert again == {"endCursor": rest["endCursor"], "hasMore": False, "events": []}


async def test_changes_filters_by_entity_type(sessionmaker: SessionMaker, gql_as: Any) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    await _rename(sessionmaker, enterprise.id, "一")
    await _published(sessionmaker)
    body = await gql_as(Role.REGULATOR)(CHANGES, {"types": ["PROJECT"]})
    assert body["data"]["changes"]["events"] == []
    body = await gql_as(Role.REGULATOR)(CHANGES, {"types": ["ENTERPRISE"]})
    assert len(body["data"]["changes"]["events"]) == 1


async def test_changes_refuses_a_foreign_cursor(gql_as: Any) -> None:
    body = await gql_as(Role.ADMIN)(CHANGES, {"after": "bm90LWEtY3Vyc29y"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "INVALID_CURSOR", "field": "after"}


@pytest.mark.parametrize("position", [2**63, 10**30, True, 1.5, "1", None, -1])
async def test_changes_refuses_a_crafted_cursor(gql_as: Any, position: Any) -> None:
    # given: a cursor of the feed's shape that a client wrote (a position is a BIGINT)
    crafted = pack_cursor(["feed", position])
    # when
    body = await gql_as(Role.ADMIN)(CHANGES, {"after": crafted})
    # then
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("after: not a change feed cursor", {"code": "INVALID_CURSOR", "field": "after"})
    ]


async def test_only_partners_regulators_and_admins_read_the_feed(
    sessionmaker: SessionMaker, gql_as: Any
) -> None:
    enterprise_id = uuid.uuid4()
    for role, org in [(None, None), (Role.ENTERPRISE, enterprise_id), (Role.EXPERT, enterprise_id)]:
        body: dict[str, Any] = await gql_as(role, org_id=org)(CHANGES)
        assert body["data"] is None, role
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    for role in (Role.PARTNER, Role.REGULATOR, Role.ADMIN):
        body = await gql_as(role)(CHANGES)
        assert body["data"]["changes"]["events"] == [], role


async def test_the_entity_follows_the_callers_role(sessionmaker: SessionMaker, gql_as: Any) -> None:
    # given a change to a financing demand (PUBLIC and PARTNER may not see demands)
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        project = await create_project(session, enterprise_id=enterprise.id)
        demand = await create_demand(session, enterprise_id=enterprise.id, project_id=project.id)
        await record_change(session, demand, Operation.CREATE)
    await _published(sessionmaker)
    query = "{ changes { events { entityType entity { id } } } }"
    # then a partner sees the event but not the demand; a regulator sees both
    as_partner = await gql_as(Role.PARTNER)(query)
    assert as_partner["data"]["changes"]["events"] == [
        {"entityType": "FINANCING_DEMAND", "entity": None}
    ]
    as_regulator = await gql_as(Role.REGULATOR)(query)
    assert as_regulator["data"]["changes"]["events"] == [
        {
            "entityType": "FINANCING_DEMAND",
            "entity": {"id": to_global_id("FinancingDemand", demand.id)},
        }
    ]


def test_every_entity_type_can_appear_in_the_feed() -> None:
    # a new entity type must be added to EntityType, or its events could not be served
    from greenrong.domain.kit.registry import ENTITIES
    from greenrong.schema.partners.types import EntityType

    assert set(ENTITIES) <= {t.value for t in EntityType}
