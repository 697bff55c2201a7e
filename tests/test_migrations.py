"""Migrations run down and up again on both databases, and match the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from greenrong.core.db import create_engine
from greenrong.domain.kit.registry import Base
from greenrong.migrations.runner import downgrade, upgrade


def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    async def read() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: (
                        set(inspect(sync).get_table_names()),
                        compare_metadata(MigrationContext.configure(sync), Base.metadata),
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    # given a migrated database (from the template)
    tables, diff = _tables_and_diff(database_url)
    assert "enterprise" in tables
    assert diff == []

    # when
    downgrade(database_url, "base")
    emptied, _ = _tables_and_diff(database_url)
    upgrade(database_url)
    restored, diff_after = _tables_and_diff(database_url)

    # then
    assert emptied == {"alembic_version"}
    assert restored == tables
    assert diff_after == []


def test_the_pipeline_migration_goes_down_and_up(database_url: str) -> None:
    # given a database at head
    tables, _ = _tables_and_diff(database_url)
    assert "dead_letter" in tables

    # when 0002 is undone and applied again (later revisions go down and up with it)
    downgrade(database_url, "0002")
    at_0002, _ = _tables_and_diff(database_url)
    downgrade(database_url, "0001")
    before, _ = _tables_and_diff(database_url)
    upgrade(database_url)
    after, diff = _tables_and_diff(database_url)

    # then it adds exactly the dead letters (and the relay's columns), matching the models
    assert at_0002 - before == {"dead_letter"}
    assert after == tables
    assert diff == []
