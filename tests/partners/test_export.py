"""`greenrong export`: a snapshot of one entity type, and the cursor to follow the feed from."""

from __future__ import annotations

import asyncio
import csv
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from greenrong.cli import main
from greenrong.core.config import get_settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import update_enterprise
from greenrong.domain.kit.types import utcnow
from greenrong.domain.partners import feed
from tests.factories.entities import create_enterprise


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _seed(database_url: str, names: list[str]) -> list[uuid.UUID]:
    engine = create_engine(database_url)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    try:
        async with sessionmaker.begin() as session:
            ids = [(await create_enterprise(session, name=name)).id for name in names]
        return ids
    finally:
        await engine.dispose()


async def _rename_and_publish(database_url: str, id: uuid.UUID, name: str) -> None:
    engine = create_engine(database_url)
    sessionmaker = system_sessionmaker(create_sessionmaker(engine))
    try:
        async with sessionmaker.begin() as session:
            row = await session.get(Enterprise, id)
            assert row is not None
            await update_enterprise(session, id=id, version=row.version, changes={"name": name})
        async with sessionmaker.begin() as session:
            await feed.publish(session, limit=100, now=utcnow())
    finally:
        await engine.dispose()


def _export(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", "--entity", "Enterprise", *args])
    return result.exit_code, result.stderr


def test_ndjson_snapshot_then_changes_since_its_cursor(
    database_url: str, cli_env: None, tmp_path: Path
) -> None:
    # given three enterprises, one renamed (one published change)
    ids = asyncio.run(_seed(database_url, ["甲公司", "乙公司", "丙公司"]))
    asyncio.run(_rename_and_publish(database_url, ids[0], "甲公司（新）"))
    # when all of them are exported
    out = tmp_path / "all.ndjson"
    code, err = _export("--output", str(out))
    # then each row is one JSON line, in id order, and the cursor resumes after the change
    assert code == 0, err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == sorted(str(i) for i in ids)
    assert {r["name"]: r["version"] for r in records} == {
        "甲公司（新）": 2,
        "乙公司": 1,
        "丙公司": 1,
    }
    cursor = feed.encode_cursor(1)
    assert err.splitlines()[-2:] == [
        "greenrong: exported 3 Enterprise row(s)",
        f"greenrong: follow the change feed with after: {cursor}",
    ]
    # when one more changes, an export since that cursor has just that one
    asyncio.run(_rename_and_publish(database_url, ids[2], "丙公司（新）"))
    since = tmp_path / "since.ndjson"
    code, err = _export("--since", cursor, "--output", str(since))
    assert code == 0, err
    (record,) = [json.loads(line) for line in since.read_text(encoding="utf-8").splitlines()]
    assert (record["name"], record["version"]) == ("丙公司（新）", 2)
    assert err.splitlines()[-1].endswith(feed.encode_cursor(2))


def test_csv_has_a_header_and_one_row_per_entity(
    database_url: str, cli_env: None, tmp_path: Path
) -> None:
    asyncio.run(_seed(database_url, ["甲公司", "乙公司"]))
    out = tmp_path / "all.csv"
    code, err = _export("--format", "csv", "--output", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8", newline="") as file:
        table = list(csv.DictReader(file))
    assert sorted(row["name"] for row in table) == ["乙公司", "甲公司"]
    assert {row["version"] for row in table} == {"1"}
    assert err.splitlines()[-1].endswith(feed.encode_cursor(0))


def test_a_bad_cursor_or_entity_is_a_usage_error(cli_env: None) -> None:
    assert _export("--since", "bm9wZQ")[0] == 2
    result = CliRunner().invoke(main, ["export", "--entity", "Nothing"])
    assert result.exit_code == 2


def test_export_has_help() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: main export")
