"""The outbox writes in the caller's transaction: a rollback leaves no event."""

from __future__ import annotations

from sqlalchemy import func, select

from greenrong.domain.enterprises import service
from greenrong.domain.enterprises.models import Enterprise, EnterpriseSize
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.reference.vocab import GreenCategory
from tests.factories.entities import credit_code

VALUES = {
    "name": "宜宾绿色纸业有限公司",
    "credit_code": credit_code("511500"),
    "region_code": "511500",
    "industry_section": "C",
    "industry_division": "22",
    "size": EnterpriseSize.MEDIUM,
    "green_category": GreenCategory.CLEAN_PRODUCTION,
}


async def _counts(sessionmaker) -> tuple[int, int]:
    async with sessionmaker() as session:
        rows = await session.scalar(select(func.count()).select_from(Enterprise))
        events = await session.scalar(select(func.count()).select_from(ChangeEvent))
    return int(rows or 0), int(events or 0)


async def test_change_event_rolls_back_with_its_transaction(sessionmaker) -> None:
    # given a transaction that created an enterprise and its event
    async with sessionmaker() as session:
        await service.create_enterprise(session, values=VALUES)
        await session.flush()
        pending = await session.scalar(select(func.count()).select_from(ChangeEvent))
        assert pending == 1
        # when it rolls back
        await session.rollback()

    # then neither exists
    assert await _counts(sessionmaker) == (0, 0)


async def test_change_event_commits_with_its_transaction(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        row = await service.create_enterprise(session, values=VALUES)
    async with sessionmaker() as session:
        event = (await session.scalars(select(ChangeEvent))).one()
    assert (event.entity_id, event.entity_version, event.operation.value) == (row.id, 1, "CREATE")
    assert event.payload["region_code"] == "511500"
    assert await _counts(sessionmaker) == (1, 1)


async def test_update_without_a_real_change_writes_no_event(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        row = await service.create_enterprise(session, values=VALUES)
    async with sessionmaker.begin() as session:
        same = await service.update_enterprise(
            session, id=row.id, version=1, changes={"name": VALUES["name"]}
        )
    assert same.version == 1
    assert await _counts(sessionmaker) == (1, 1)
