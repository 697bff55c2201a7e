"""`greenrong carbon recalc --factors VERSION`: re-runs stored calculations, lists changes."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from click.testing import CliRunner

from greenrong.cli import main
from greenrong.core.config import get_settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.carbon import service
from greenrong.domain.carbon.models import CarbonCalculation
from greenrong.domain.carbon.serialize import request_to_json
from tests.carbon.helpers import request
from tests.factories.entities import create_enterprise


async def _store(url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as s, s.begin():
            owner = await create_enterprise(s)
            await service.open_account(s, enterprise_id=owner.id)
            # 10 000 MWh × 0.1404 = 1404.000: unchanged by a re-run
            same = request(
                "industrial.flat_glass", ("electricity:purchased", "10000", "MWh"), grid="2022.四川"
            )
            kept = await service.store_calculation(
                s, request=same, year=2023, enterprise_id=owner.id
            )
            # stored as an earlier factor set computed it (999.000): the re-run gives 1404.000
            old = CarbonCalculation(
                enterprise_id=owner.id,
                model=same.model,
                factor_version="CN-2024.9",
                year=2022,
                request=request_to_json(same),
                breakdown={},
                total=Decimal("999"),
                unit="tCO2e",
            )
            # a factor the current set does not have (2023 Sichuan grid factor)
            missing = request(
                "industrial.flat_glass", ("electricity:purchased", "1", "MWh"), grid="2023.四川"
            )
            gone = CarbonCalculation(
                enterprise_id=owner.id,
                model=missing.model,
                factor_version="CN-2024.9",
                year=2023,
                request=request_to_json(missing),
                breakdown={},
                total=Decimal("0.2"),
                unit="tCO2e",
            )
            s.add_all([old, gone])
            await s.flush()
            return kept.id, old.id, gone.id
    finally:
        await engine.dispose()


def test_recalc_lists_the_results_that_change(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given three stored calculations, one of which a re-run changes and one cannot run
    kept, old, gone = asyncio.run(_store(database_url))
    monkeypatch.setenv("GREENRONG_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        # when
        result = CliRunner().invoke(main, ["carbon", "recalc", "--factors", "CN-2025.1"])
        unknown = CliRunner().invoke(main, ["carbon", "recalc", "--factors", "CN-1999.1"])
    finally:
        get_settings.cache_clear()
    # then
    assert result.exit_code == 0, result.output
    lines = sorted(result.stdout.splitlines())
    assert lines == sorted(
        [
            f"{old}\tindustrial.flat_glass\t2022\tCN-2024.9 999.000 tCO2e -> CN-2025.1 1404.000 tCO2e",
            f"{gone}\tindustrial.flat_glass\t2023\tCN-2024.9 0.200 tCO2e -> CN-2025.1 "
            "FACTOR_NOT_FOUND: factor 'grid.2023.四川' is not in factor set CN-2025.1",
        ]
    )
    assert str(kept) not in result.stdout
    assert "greenrong: 3 calculation(s) re-run with CN-2025.1, 2 changed" in result.stderr
    assert unknown.exit_code == 2
