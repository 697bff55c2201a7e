"""`greenrong carbon recalc --factors VERSION`: re-runs stored calculations in chunks through
the ``carbon.recalculate`` handler (in this process, or in a real `greenrong worker` on Redis),
keeps the results per run, lists the changes, and never changes a stored calculation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from greenrong.cli import main
from greenrong.core.config import Settings, get_settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.carbon import recalc, service
from greenrong.domain.carbon.models import CarbonCalculation, CarbonRecalcResult, CarbonRecalcRun
from greenrong.domain.carbon.serialize import request_to_json
from greenrong.workers import carbon as carbon_worker
from tests.carbon.helpers import request
from tests.factories.entities import create_enterprise
from tests.pipeline.conftest import WorkerProcess, redis_url, start_worker

__all__ = ["redis_url", "start_worker"]  # the Redis and worker fixtures of the pipeline tests


async def _store(url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    engine = create_engine(url)
    try:
        async with system_sessionmaker(create_sessionmaker(engine))() as s, s.begin():
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
    assert "greenrong: 3 calculation(s) re-run with CN-2025.1, 2 changed (run " in result.stderr
    assert result.stderr.rstrip().endswith(", in this process)")
    assert unknown.exit_code == 2
    assert (
        "Invalid value for --factors: there is no factor set 'CN-1999.1'; the known ones: "
        "CN-2025.1\n" in unknown.output
    )
    # the run and its three results are kept; the stored calculations are as they were
    assert asyncio.run(_kept(database_url, old)) == (1, 3, Decimal("999.000"))


async def _kept(url: str, old: uuid.UUID) -> tuple[int, int, Decimal]:
    engine = create_engine(url)
    try:
        async with system_sessionmaker(create_sessionmaker(engine))() as s:
            runs = await s.scalar(select(func.count()).select_from(CarbonRecalcRun))
            results = await s.scalar(select(func.count()).select_from(CarbonRecalcResult))
            calc = await s.get(CarbonCalculation, old)
            assert calc is not None
            return int(runs or 0), int(results or 0), calc.total
    finally:
        await engine.dispose()


async def test_the_handler_is_safe_to_run_twice(database_url: str) -> None:
    kept, old, gone = await _store(database_url)
    engine = create_engine(database_url)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    try:
        async with sessionmaker.begin() as s:
            run, ids = await recalc.start_run(s, factor_version="CN-2025.1")
        assert (run.total, ids) == (3, [kept, old, gone])
        assert await carbon_worker.recalculate(sessionmaker, run.id, ids[:2]) == 2
        # a redelivered chunk, overlapping the first: only the new calculation is stored
        assert await carbon_worker.recalculate(sessionmaker, run.id, ids) == 1
        assert await carbon_worker.recalculate(sessionmaker, run.id, ids) == 0
        async with sessionmaker() as s:
            assert await recalc.progress(s, run.id) == 3
            changed = {(r.calculation_id, r.new_total) for r in await recalc.changed(s, run.id)}
        assert changed == {(old, Decimal("1404.000")), (gone, None)}
    finally:
        await engine.dispose()


def test_recalc_runs_in_the_worker_with_a_broker(
    settings: Settings,
    redis_url: str,
    start_worker: Callable[[Settings], WorkerProcess],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given stored calculations and a real `greenrong worker` on Redis
    kept, old, gone = asyncio.run(_store(settings.database_url))
    settings = settings.model_copy(update={"broker_url": redis_url})
    worker = start_worker(settings)
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GREENRONG_BROKER_URL", redis_url)
    get_settings.cache_clear()
    try:
        # when the CLI hands out one calculation per job
        result = CliRunner().invoke(
            main, ["carbon", "recalc", "--factors", "CN-2025.1", "--chunk", "1", "--wait", "60"]
        )
    finally:
        get_settings.cache_clear()
    # then the worker stored every result and the CLI listed the two that changed
    assert result.exit_code == 0, (result.output, worker.output())
    assert sorted(line.split("\t")[0] for line in result.stdout.splitlines()) == sorted(
        [str(old), str(gone)]
    )
    assert str(kept) not in result.stdout
    assert result.stderr.rstrip().endswith(", by the worker)"), result.stderr
    assert asyncio.run(_kept(settings.database_url, old)) == (1, 3, Decimal("999.000"))
    assert worker.stop() == 0, worker.output()
