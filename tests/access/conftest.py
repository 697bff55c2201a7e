"""A small world of two enterprises, two institutions, an expert, a regulator and an admin,
and a caller fixture per party (signed HS256 tokens, see ``tests/factories/access.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.access.models import AuditEntry, DataConsent
from greenrong.domain.access.principal import Role
from greenrong.domain.disclosure.models import DisclosureStatus
from greenrong.domain.finance.models import DemandStatus
from greenrong.domain.kit.clock import CLOCK
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.technology.models import ListingStatus
from tests.e2e.conftest import live_server  # noqa: F401  (the WebSocket tests use it)
from tests.factories.entities import (
    create_demand,
    create_disclosure,
    create_enterprise,
    create_expert,
    create_institution,
    create_listing,
    create_need,
    create_product,
    create_project,
)
from tests.factories.prebuilt import prebuilt_world

Call = Callable[[str, dict[str, Any] | None], Awaitable[dict[str, Any]]]


@dataclass
class World:
    owner: uuid.UUID  # 成都绿能科技: owns everything below
    other: uuid.UUID  # 绵阳清源环保: another enterprise
    bank: uuid.UUID  # 四川银行: granted consent by the owner
    other_bank: uuid.UUID  # 成都农商银行: no consent
    expert: uuid.UUID
    project: uuid.UUID
    demand: uuid.UUID
    product: uuid.UUID
    inactive_product: uuid.UUID
    published_listing: uuid.UUID
    draft_listing: uuid.UUID
    need: uuid.UUID
    published_disclosure: uuid.UUID
    draft_disclosure: uuid.UUID
    withdrawn_disclosure: uuid.UUID
    consent: uuid.UUID


async def _build(sessionmaker: SessionMaker) -> World:
    """The world of ``World``'s comments, built once a run (``tests/factories/prebuilt.py``)."""
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(
            session,
            name="成都绿能科技有限公司",
            contact_person="王芳",
            contact_phone="028-85550101",
        )
        other = await create_enterprise(
            session,
            name="绵阳清源环保有限公司",
            contact_person="李强",
            contact_phone="0816-2220202",
        )
        bank = await create_institution(session, name="四川银行成都分行")
        other_bank = await create_institution(session, name="成都农村商业银行")
        expert = await create_expert(session, name="张建国", contact_email="zhang@scu.edu.cn")
        project = await create_project(session, enterprise_id=owner.id, title="屋顶分布式光伏项目")
        demand = await create_demand(
            session,
            enterprise_id=owner.id,
            project_id=project.id,
            purpose="光伏电站建设",
            status=DemandStatus.OPEN,
        )
        product = await create_product(session, institution_id=bank.id, name="碳汇贷")
        inactive = await create_product(
            session, institution_id=bank.id, name="停售绿色贷", active=False
        )
        published = await create_listing(
            session, owner_enterprise_id=owner.id, title="高效污水处理膜技术"
        )
        draft = await create_listing(
            session,
            owner_enterprise_id=owner.id,
            title="未发布的秸秆气化技术",
            status=ListingStatus.DRAFT,
        )
        need = await create_need(session, enterprise_id=owner.id, title="垃圾渗滤液处理技术需求")
        published_d = await create_disclosure(
            session, subject_enterprise_id=owner.id, title="2021年度环境信息披露报告"
        )
        draft_d = await create_disclosure(
            session,
            subject_enterprise_id=owner.id,
            title="2022年度环境信息披露报告（草稿）",
            status=DisclosureStatus.DRAFT,
        )
        withdrawn_d = await create_disclosure(
            session,
            subject_enterprise_id=owner.id,
            title="2020年度环境信息披露报告（已撤回）",
            status=DisclosureStatus.WITHDRAWN,
        )
        consent = DataConsent(
            enterprise_id=owner.id,
            institution_id=bank.id,
            scopes=["DISCLOSURE_DRAFTS", "FINANCING_DEMANDS", "CONTACT_DETAILS"],
            expires_at=CLOCK.now() + timedelta(days=30),
        )
        session.add(consent)
        await session.flush()
        return World(
            owner=owner.id,
            other=other.id,
            bank=bank.id,
            other_bank=other_bank.id,
            expert=expert.id,
            project=project.id,
            demand=demand.id,
            product=product.id,
            inactive_product=inactive.id,
            published_listing=published.id,
            draft_listing=draft.id,
            need=need.id,
            published_disclosure=published_d.id,
            draft_disclosure=draft_d.id,
            withdrawn_disclosure=withdrawn_d.id,
            consent=consent.id,
        )


world = prebuilt_world(_build, __file__)


#: the parties of the authorization matrix
PARTIES = (
    "anonymous",
    "other_enterprise",
    "owner",
    "institution_with_consent",
    "institution_without_consent",
    "expert",
    "regulator",
    "admin",
)


@pytest.fixture
def as_party(gql_as: Any, world: World) -> Callable[[str], Call]:
    """The GraphQL caller of one party of ``PARTIES``."""

    def caller(party: str) -> Call:
        role, org = {
            "anonymous": (None, None),
            "other_enterprise": (Role.ENTERPRISE, world.other),
            "owner": (Role.ENTERPRISE, world.owner),
            "institution_with_consent": (Role.INSTITUTION, world.bank),
            "institution_without_consent": (Role.INSTITUTION, world.other_bank),
            "expert": (Role.EXPERT, world.expert),
            "regulator": (Role.REGULATOR, None),
            "admin": (Role.ADMIN, None),
        }[party]
        run: Call = gql_as(role, org_id=org)
        return run

    return caller


async def counts(sessionmaker: SessionMaker, model: Any) -> tuple[int, int, int]:
    """(rows of ``model``, change events, audit entries): a denied write changes none of them."""
    async with sessionmaker() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(model)) or 0),
            int(await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0),
            int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )
