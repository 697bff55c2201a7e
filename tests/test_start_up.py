"""A serving process answers while it rebuilds the search indices: /healthz and every
non-search query at once, search ``SearchUnavailable`` and /readyz 503 saying what it waits for
until the indices are built; a write made meanwhile is searchable once they are."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from greenrong import app as app_module
from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.enterprises.credit_code import complete
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise
from tests.pipeline.conftest import eventually

SEARCH = '{ searchEnterprises(query: "绿能") { __typename ... on SearchUnavailable { code } ... on EnterpriseSearchConnection { totalCount } } }'
CREATE = """mutation($input: CreateEnterpriseInput!) { createEnterprise(input: $input) {
  __typename } }"""


async def test_the_process_answers_while_it_rebuilds_the_indices(
    settings: Settings, sessionmaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: an embedded engine (a fresh one: every index to build), and a rebuild held back
    # until the test lets it go
    async with sessionmaker.begin() as session:
        await create_enterprise(session, name="成都绿能科技有限公司")
    go = asyncio.Event()
    rebuild = app_module.prepare_indices

    async def held(*args: Any, **kwargs: Any) -> None:
        await go.wait()
        await rebuild(*args, **kwargs)

    monkeypatch.setattr(app_module, "prepare_indices", held)
    embedded = settings.model_copy(update={"opensearch_url": ""})
    app = create_app(embedded, background_rebuild=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers=auth_headers(settings),
        ) as http,
    ):
        # when the process has started, and the rebuild has not finished
        health = await http.get("/healthz")
        ready = await http.get("/readyz")
        listed = await http.post("/graphql", json={"query": "{ enterprises { totalCount } }"})
        searched = await http.post("/graphql", json={"query": SEARCH})

        # then
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert (ready.status_code, ready.json()) == (
            503,
            {"status": "starting", "database": "up", "search": "building indices"},
        )
        assert listed.json()["data"] == {"enterprises": {"totalCount": 1}}
        assert searched.json()["data"]["searchEnterprises"] == {
            "__typename": "SearchUnavailable",
            "code": "NOT_READY",
        }

        # and a write made meanwhile is searchable once the indices are built
        created = await http.post(
            "/graphql",
            json={
                "query": CREATE,
                "variables": {
                    "input": {
                        "name": "绵阳绿能环保有限公司",
                        "creditCode": complete("91510700MA6Y8J8K3"),
                        "regionCode": "510703",
                        "industrySection": "N",
                        "industryDivision": "77",
                        "size": "SMALL",
                        "greenCategory": "CLEAN_ENERGY",
                    }
                },
            },
        )
        assert created.json()["data"]["createEnterprise"] == {"__typename": "EnterpriseSuccess"}
        go.set()

        async def both_found() -> bool:
            answer = (await http.post("/graphql", json={"query": SEARCH})).json()
            return answer["data"]["searchEnterprises"].get("totalCount") == 2

        await eventually(both_found, what="both enterprises to be searchable")

        async def ready_now() -> bool:  # every index built, not only the enterprises'
            return (await http.get("/readyz")).json() == {
                "status": "ok",
                "database": "up",
                "search": "ready",
            }

        await eventually(ready_now, what="/readyz to say ready")
