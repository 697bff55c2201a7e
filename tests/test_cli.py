"""The entry point: every subcommand has --help; migrate creates the embedded database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from greenrong.cli import main
from greenrong.core.config import get_settings


@pytest.mark.parametrize(
    "command",
    ["serve", "migrate", "seed", "export-schema", "worker", "events", "keys", "libraries"],
)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {command}")


def test_migrate_creates_the_embedded_sqlite_database(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GREENRONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GREENRONG_DATABASE_URL", "")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.stdout == "greenrong: database migrated to head\n"
    tables = inspect(
        create_engine(f"sqlite:///{tmp_path / 'var' / 'greenrong.db'}")
    ).get_table_names()
    assert {"enterprise", "project", "financing_demand", "change_event", "alembic_version"} <= set(
        tables
    )
