"""Certificate numbers under concurrent decisions."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from greenrong.domain.certification import service
from greenrong.domain.certification.scoring import ConsolidationRule
from tests.conftest import BACKEND
from tests.factories.certification import reviewed, spread_scores, submitted
from tests.factories.entities import create_enterprise, create_expert


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite lets one transaction write at a time")
async def test_two_decisions_at_the_same_time_get_consecutive_numbers(sessionmaker: Any) -> None:
    # given two enterprises' cycles, each ready for the regulator's decision
    async with sessionmaker.begin() as session:
        experts = [
            (await create_expert(session, name=name, affiliation=affiliation)).id
            for name, affiliation in (("王建国", "四川大学"), ("李秀英", "西南交通大学"))
        ]
        firms = [
            (await create_enterprise(session, name=name)).id
            for name in ("成都甲环保有限公司", "绵阳乙能源有限公司")
        ]
    ready: list[tuple[uuid.UUID, int]] = []
    for firm in firms:
        async with sessionmaker.begin() as session:
            cert = await submitted(session, enterprise_id=firm)
            scores = {e: spread_scores(service.rubric_of(cert), Decimal("0.8")) for e in experts}
            cert = await reviewed(session, cert, experts, scores)
            cert = await service.consolidate_certification(
                session,
                id=cert.id,
                version=cert.version,
                rule=ConsolidationRule.MEAN,
                spread_threshold=Decimal(15),
            )
            ready.append((cert.id, cert.version))

    async def decide(id: uuid.UUID, version: int) -> str | None:
        async with sessionmaker.begin() as session:
            cert = await service.decide_certification(
                session,
                id=id,
                version=version,
                approve=True,
                reasons=[],
                on=date(2026, 12, 3),
                validity_years=3,
            )
            return cert.certificate_number

    # when both decisions run at once, each in its own transaction
    numbers = await asyncio.gather(*(decide(*cycle) for cycle in ready))

    # then
    assert sorted(n or "" for n in numbers) == ["SCGE-2026-000001", "SCGE-2026-000002"]
