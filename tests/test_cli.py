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


def _invoke(tmp_path, monkeypatch, *args: str) -> object:
    """Run the CLI in ``tmp_path`` (where a ``.env`` may lie), with fresh settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREENRONG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        get_settings.cache_clear()


def test_a_bad_setting_names_its_variable_and_source_and_exits_2(tmp_path, monkeypatch) -> None:
    # from the environment
    monkeypatch.setenv("GREENRONG_MAX_PAGE_SIZE", "500")
    result = _invoke(tmp_path, monkeypatch, "migrate")
    assert result.exit_code == 2
    assert result.stderr == (
        "greenrong: a setting is not valid:\n"
        "GREENRONG_MAX_PAGE_SIZE='500' (from the environment): "
        "Input should be less than or equal to 100\n"
        "Fix it in the environment or in .env (docs/DEPLOYMENT.md lists them).\n"
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "var").exists()  # nothing ran

    # from .env
    monkeypatch.delenv("GREENRONG_MAX_PAGE_SIZE")
    (tmp_path / ".env").write_text("GREENRONG_PORT=八千\n", encoding="utf-8")
    result = _invoke(tmp_path, monkeypatch, "migrate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == (
        "GREENRONG_PORT='八千' (from .env): "
        "Input should be a valid integer, unable to parse string as an integer"
    )

    # a rule between two settings names both variables
    (tmp_path / ".env").unlink()
    monkeypatch.setenv("GREENRONG_QUERY_BUDGET_PER_MINUTE", "20")
    result = _invoke(tmp_path, monkeypatch, "migrate")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == (
        "GREENRONG_QUERY_BUDGET_PER_MINUTE must be at least GREENRONG_MAX_QUERY_COST"
    )


def test_an_unknown_greenrong_variable_is_warned_about(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GREENRONG_MAX_PAGE_SIZ", "50")  # a typo
    monkeypatch.setenv("GREENRONG_DATABASE_URL", "")
    result = _invoke(tmp_path, monkeypatch, "migrate")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "greenrong: warning: GREENRONG_MAX_PAGE_SIZ is not a setting (a typo?); it is ignored"
    )
    assert result.stdout == "greenrong: database migrated to head\n"


def test_serve_refuses_a_busy_port_before_building_anything(tmp_path, monkeypatch) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _invoke(tmp_path, monkeypatch, "serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == (
        f"greenrong: cannot serve on 127.0.0.1:{port}: port {port} is in use (another "
        "greenrong?); stop it, or choose another port with --port or GREENRONG_PORT\n"
    )
    assert result.stdout == ""  # no "starting", no index built
    assert not (tmp_path / "var").exists()
