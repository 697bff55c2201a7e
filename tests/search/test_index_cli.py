"""`greenrong reindex` and `greenrong index verify` through click, against the test settings."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from greenrong.cli import main
from greenrong.core.config import Settings, get_settings
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.core.search import open_search
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.enterprises.models import Enterprise
from greenrong.indexers.registry import index_names
from tests.factories.entities import (
    create_enterprise,
    create_expert,
    create_institution,
    create_listing,
    create_product,
)


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The CLI reads the test database and search engine from the environment."""
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GREENRONG_OPENSEARCH_URL", settings.opensearch_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


async def seed(settings: Settings) -> dict[str, uuid.UUID]:
    engine = create_engine(settings.database_url)
    try:
        async with system_sessionmaker(create_sessionmaker(engine)).begin() as session:
            owner = await create_enterprise(session)
            await create_enterprise(session)
            await create_listing(session, owner_enterprise_id=owner.id)
            bank = await create_institution(session)
            await create_product(session, institution_id=bank.id)
            expert = await create_expert(session)
        return {"owner": owner.id, "expert": expert.id}
    finally:
        await engine.dispose()


async def physical_indices(settings: Settings) -> dict[str, list[str]]:
    search = open_search(settings)
    try:
        return {
            name: sorted((await search.client.indices.get_alias(name=search.alias(name))).keys())
            for name in index_names()
        }
    finally:
        await search.close()


async def rename_and_drop(settings: Settings, rename: uuid.UUID, drop: uuid.UUID) -> None:
    from greenrong.domain.experts.models import Expert

    engine = create_engine(settings.database_url)
    try:
        async with system_sessionmaker(create_sessionmaker(engine)).begin() as session:
            (await session.get_one(Enterprise, rename)).name = "改名企业"
            await session.delete(await session.get_one(Expert, drop))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("command", [["reindex"], ["index"], ["index", "verify"]])
def test_the_index_commands_have_help(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {' '.join(command)}")


@pytest.mark.parametrize("command", [["reindex"], ["index", "verify"]])
def test_the_help_names_every_index(command: list[str]) -> None:
    output = " ".join(invoke(*command, "--help").output.split())
    assert all(name in output for name in index_names())
    assert "GREENRONG_OPENSEARCH_URL" in output


def test_reindex_prints_counts_and_leaves_one_physical_index_per_alias(cli_settings) -> None:
    # given rows in the database, and every index built once already
    asyncio.run(seed(cli_settings))
    assert invoke("reindex").exit_code == 0
    first = asyncio.run(physical_indices(cli_settings))

    # when rebuilding everything again
    result = invoke("reindex")

    # then each index reports its documents and time, and exactly one new index serves each alias
    assert result.exit_code == 0, result.output
    counts = {
        m["name"]: int(m["documents"].replace(",", ""))
        for m in re.finditer(
            r"^greenrong: (?P<name>\w+) +(?P<documents>[\d,]+) documents +[\d.]+ s",
            result.stdout,
            re.M,
        )
    }
    assert counts == {
        "listings": 1,
        "needs": 0,
        "products": 1,
        "experts": 1,
        "disclosures": 0,
        "enterprises": 2,
        "projects": 0,
        "catalogue": 203,  # reference data: from its data file, whatever the database holds
    }
    second = asyncio.run(physical_indices(cli_settings))
    assert all(len(second[name]) == 1 for name in index_names())
    assert all(second[name] != first[name] for name in index_names())


def test_reindex_of_named_indices_rebuilds_only_those(cli_settings) -> None:
    asyncio.run(seed(cli_settings))

    result = invoke("reindex", "products", "enterprises")

    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["products", "enterprises"]


def test_reindex_refuses_an_unknown_index(cli_settings) -> None:
    result = invoke("reindex", "widgets")

    assert result.exit_code == 2
    assert "unknown index 'widgets'" in result.output


def test_verify_exits_1_on_drift_and_repair_fixes_it(cli_settings) -> None:
    # given indices built from the database, then a row changed and a row deleted behind their back
    ids = asyncio.run(seed(cli_settings))
    assert invoke("reindex").exit_code == 0
    asyncio.run(rename_and_drop(cli_settings, ids["owner"], ids["expert"]))

    # when verifying: the drift is reported with its ids, and the exit status is 1
    checked = invoke("index", "verify")
    assert checked.exit_code == 1
    drifting = [line for line in checked.stdout.splitlines() if "DRIFT" in line]
    assert [line.split()[2] for line in drifting] == ["experts", "enterprises"]
    assert f"greenrong:   extra   {ids['expert']}" in checked.stdout.splitlines()
    assert (
        f"greenrong:   stale   {ids['owner']} (database v2, index v1, source v1)"
        in checked.stdout.splitlines()
    )

    # when repairing: both are fixed, and a second plain check is clean
    repaired = invoke("index", "verify", "--repair")
    assert repaired.exit_code == 0, repaired.output
    fixed = [line.split()[2] for line in repaired.stdout.splitlines() if "fixed" in line]
    assert fixed == ["experts", "enterprises"]
    assert invoke("index", "verify").exit_code == 0


def test_index_verify_refuses_in_embedded_mode_and_says_why(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GREENRONG_OPENSEARCH_URL", "")
    get_settings.cache_clear()
    try:
        result = invoke("index", "verify")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert (
        "Error: GREENRONG_OPENSEARCH_URL is not set, so there is no search engine to verify: in "
        "embedded mode each process (`greenrong serve`, and this command) starts its own engine "
        "and builds it from the database, so it cannot differ. Set GREENRONG_OPENSEARCH_URL to "
        "the engine the API uses to check that one." in message
    )
