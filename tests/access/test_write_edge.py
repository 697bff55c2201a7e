"""One write edge, and a missing caller is an error, never a pass.

Every mutation writes through ``resolvers.common.mutate``, which binds the request's caller to
its session. Trusted code (the CLI, workers, the seed, these tests' factories) binds the named
system principal. A write session with neither raises ``NoPrincipal`` and writes nothing.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.db import SessionMaker, create_sessionmaker
from greenrong.core.errors import NotFound
from greenrong.domain.access.guard import NoPrincipal, bind_actor, bind_system
from greenrong.domain.access.models import AuditEntry
from greenrong.domain.access.principal import SYSTEM, Principal, Role
from greenrong.domain.certification.service import submit_certification
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import create_enterprise, update_enterprise
from greenrong.domain.matching.deals import start_match
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.projects.service import update_project
from tests.access.conftest import World

RESOLVERS = Path(__file__).parents[2] / "greenrong" / "resolvers"


async def _totals(sessionmaker: SessionMaker) -> tuple[int, int, int]:
    async with sessionmaker() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(Enterprise)) or 0),
            int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
            int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


async def test_a_write_without_a_principal_raises_and_writes_nothing(
    engine: AsyncEngine, sessionmaker: SessionMaker, world: World
) -> None:
    # given a plain sessionmaker: no caller bound (a write path that forgot to bind one)
    unbound = create_sessionmaker(engine)
    before = await _totals(sessionmaker)

    # when a create, an update and a party action run on it, then each raises
    with pytest.raises(NoPrincipal):
        async with unbound.begin() as session:
            await create_enterprise(session, values={"name": "德阳低碳装备有限公司"})
    with pytest.raises(NoPrincipal):
        async with unbound.begin() as session:
            await update_project(
                session, id=world.project, version=1, changes={"title": "无人授权的修改"}
            )
    with pytest.raises(NoPrincipal):
        async with unbound.begin() as session:
            await start_match(session, demand_id=world.demand, product_id=world.product)
    with pytest.raises(NoPrincipal):
        async with unbound.begin() as session:
            await submit_certification(session, id=uuid.uuid4(), version=1)

    # and nothing was written
    assert await _totals(sessionmaker) == before


async def test_the_system_principal_writes_and_is_audited_as_system(
    engine: AsyncEngine, sessionmaker: SessionMaker, world: World
) -> None:
    # given trusted code that binds the system principal by name
    async with create_sessionmaker(engine).begin() as session:
        bind_system(session)
        # when it writes
        row = await update_enterprise(
            session, id=world.other, version=1, changes={"name": "绵阳清源环保股份有限公司"}
        )
    # then the write went through and its audit entry names the system subject
    assert row.version == 2
    async with sessionmaker() as session:
        entry = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_id == world.other, AuditEntry.new_version == 2
            )
        )
    assert entry is not None
    assert (entry.actor_role, entry.actor_subject, entry.actor_key_id, entry.actor_org_id) == (
        Role.ADMIN,
        "system",
        None,
        None,
    )
    assert SYSTEM.subject == "system"


async def test_a_request_principal_is_checked_like_any_caller(
    engine: AsyncEngine, sessionmaker: SessionMaker, world: World
) -> None:
    """The system principal is not a default: a bound request caller is checked."""
    intruder = Principal(role=Role.ENTERPRISE, org_id=world.other, subject="李强")
    before = await _totals(sessionmaker)

    async def write() -> None:
        async with create_sessionmaker(engine).begin() as session:
            bind_actor(session, intruder, "req-写")
            await update_project(
                session, id=world.project, version=1, changes={"title": "被篡改的项目"}
            )

    with pytest.raises(NotFound):  # the project is another enterprise's: hidden, so missing
        await write()
    assert await _totals(sessionmaker) == before


def test_every_mutation_writes_through_the_one_edge() -> None:
    """Only ``resolvers/common.py`` opens a write transaction and binds a request's caller for
    a write; a resolver with its own transaction (four of them once) would be a second edge."""
    begins = {
        path.name
        for path in RESOLVERS.rglob("*.py")
        if re.search(r"\.begin\(\)", path.read_text(encoding="utf-8"))
    }
    assert begins == {"common.py"}
    source = (RESOLVERS / "common.py").read_text(encoding="utf-8")
    assert source.count("sessionmaker.begin()") == 1
