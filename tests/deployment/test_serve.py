"""`greenrong serve --workers N` in embedded mode (no GREENRONG_OPENSEARCH_URL): one search
engine for all N processes, filled once, so a write through any process is found through every
one (issue 19: with one engine per process, 4 of 16 searches missed a renamed listing)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.schema.kit.ids import to_global_id
from tests.deployment.processes import (
    CREATE_LISTING,
    UPDATE_LISTING,
    Server,
    children,
    command_line,
    environment,
    gql,
    listing_input,
    titles_found,
)
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Server:
    return Server(
        {
            "GREENRONG_DATABASE_URL": database_url,
            "GREENRONG_DATA_DIR": str(tmp_path / "var"),
            "GREENRONG_RELAY_POLL_SECONDS": "0.2",
            "GREENRONG_SEARCH_REBUILD_PROGRESS": "false",
        },
        tmp_path / "serve.log",
        workers=2,
    )


async def test_two_processes_share_one_engine_and_find_the_same_write(
    server: Server, sessionmaker: SessionMaker, settings: Settings
) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="成都清源水务科技有限公司")
    # the processes are driven with blocking calls, off the event loop
    await asyncio.to_thread(_exercise, server, settings, to_global_id("Enterprise", enterprise.id))


def _exercise(server: Server, settings: Settings, owner: str) -> None:
    try:
        # given `greenrong serve --workers 2` without a search URL, started and ready
        server.wait_ready(processes=2)
        tree = children(server.pid)
        engines = [p for p in tree if Path(command_line(p)[0]).name == "osmem-server"]
        api = [p for p in tree if any("spawn_main" in part for part in command_line(p))]
        # then: one engine, and both API processes were told to use it, not to rebuild it
        assert len(engines) == 1, [command_line(p) for p in tree]
        assert len(api) == 2, [command_line(p) for p in tree]
        urls = {environment(p)["GREENRONG_OPENSEARCH_URL"] for p in api}
        assert len(urls) == 1
        (url,) = urls
        assert "osmem-server" in server.output()
        assert f"on {url}" in server.output()
        assert {environment(p)["GREENRONG_SEARCH_REBUILD_ON_START"] for p in api} == {"false"}
        assert server.output().count("greenrong ready") == 2
        # "serving" only once each process serves, after the start line
        output = server.output()
        serving = f"greenrong: serving GraphQL on {server.url}/graphql (process "
        assert output.count(serving) == 2, output
        assert output.index("greenrong: starting 2 process(es)") < output.index(serving)

        # when a listing is created, then renamed, through the API
        admin = auth_headers(settings)
        body = gql(
            server.url, CREATE_LISTING, {"input": listing_input(owner, "光伏组件回收")}, **admin
        )
        listing = body["data"]["createTechnologyListing"]["technologyListing"]
        body = gql(
            server.url,
            UPDATE_LISTING,
            {
                "input": {
                    "id": listing["id"],
                    "version": listing["version"],
                    "title": "钙钛矿叠层电池",
                }
            },
            **admin,
        )
        assert body["data"]["updateTechnologyListing"]["__typename"] == "TechnologyListingSuccess"
        deadline = time.monotonic() + 15
        polls = 1
        while titles_found(server.url, "钙钛矿") != ["钙钛矿叠层电池"]:
            assert time.monotonic() < deadline, "the rename was not searchable within 15 s"
            time.sleep(0.1)
            polls += 1

        # then 16 searches on new connections, spread over both processes, agree
        answers = [tuple(titles_found(server.url, "钙钛矿")) for _ in range(16)]
        stale = [tuple(titles_found(server.url, "光伏组件回收")) for _ in range(16)]
        assert answers == [("钙钛矿叠层电池",)] * 16
        assert stale == [()] * 16

        # and /metrics, whichever process answers, counts the requests of both
        directories = {environment(p)["PROMETHEUS_MULTIPROC_DIR"] for p in api}
        assert len(directories) == 1
        for _ in range(4):
            assert graphql_requests(server.url) == 2 + polls + 32
    finally:
        assert server.stop() == 0, server.output()
    # and stopping serve stops its engine too
    assert all(not Path(f"/proc/{pid}").exists() for pid in engines)


def graphql_requests(url: str) -> float:
    """The sum of ``greenrong_graphql_request_seconds_count`` on ``GET /metrics``."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "greenrong_graphql_request_seconds_count"
    )
