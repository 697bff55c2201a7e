"""The worker's suggestions: stored once per description, on create and on a new description,
not on unrelated edits or redelivered events, and retried when the engine is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from greenrong.core.retry import is_retryable
from greenrong.domain.identification.service import description_hash, engine_version
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.projects import service as projects
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.schema.kit.ids import to_global_id
from greenrong.workers.identification import suggest, suggest_for_projects
from greenrong.workers.runtime import Runtime, open_runtime
from greenrong.workers.search import index_changes
from tests.factories.entities import create_enterprise, create_project
from tests.identification.helpers import PROJECT_IDENTIFICATION, suggestions
from tests.search.helpers import engine_of
from tests.search.test_search_unavailable import closed_port

TITLE = "锦江区污水处理厂提标改造项目"
DESCRIPTION = "城区污水处理厂提标改造至一级A，日处理10万吨"


@pytest.fixture
async def runtime(app: Any, settings: Any) -> AsyncIterator[Runtime]:
    opened = open_runtime(settings, search=engine_of(app))
    yield opened
    await opened.close()


async def _project(sessionmaker: Any, **overrides: Any) -> Any:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="四川清流水务有限公司")
        values = {"title": TITLE, "description": DESCRIPTION, **overrides}
        return await create_project(session, enterprise_id=owner.id, **values)


async def test_a_suggestion_is_stored_once_for_a_description(runtime, sessionmaker) -> None:
    # given
    project = await _project(sessionmaker)

    # when the handler runs, and runs again (a redelivered event)
    first = await suggest_for_projects(runtime, [project.id])
    again = await suggest_for_projects(runtime, [project.id])

    # then
    assert (first, again) == (1, 0)
    [row] = await suggestions(sessionmaker, project.id)
    assert row.code == "5.3.1.1"
    assert row.candidates[0] == "5.3.1.1"
    assert len(row.candidates) == 3
    assert row.matched_terms == ["一级A", "提标改造", "日处理", "污水处理厂"]
    assert row.confidence == Decimal("0.5942")
    assert (row.project_version, row.status.value) == (1, "SUGGESTED")
    assert row.description_hash == description_hash(TITLE, DESCRIPTION)
    assert row.engine_version == engine_version()


async def test_an_unrelated_edit_adds_nothing_and_a_new_description_adds_one(
    runtime, sessionmaker
) -> None:
    # given a project with its suggestion
    project = await _project(sessionmaker)
    await suggest_for_projects(runtime, [project.id])

    # when the region changes
    async with sessionmaker.begin() as session:
        await projects.update_project(
            session, id=project.id, version=1, changes={"region_code": "510107"}
        )
    unrelated = await suggest_for_projects(runtime, [project.id])
    # and then the description does
    async with sessionmaker.begin() as session:
        await projects.update_project(
            session,
            id=project.id,
            version=2,
            changes={"title": "园区屋顶光伏", "description": "为园区厂房屋顶加装分布式光伏8.6MWp"},
        )
    described = await suggest_for_projects(runtime, [project.id])

    # then
    assert (unrelated, described) == (0, 1)
    rows = await suggestions(sessionmaker, project.id)
    assert [(r.project_version, r.code) for r in rows] == [(1, "5.3.1.1"), (3, "3.2.2.2")]


async def test_the_change_handler_suggests_once_under_redelivery(runtime, sessionmaker) -> None:
    # given a project created through the service (so with its change event)
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        project = await projects.create_project(
            session,
            values={
                "enterprise_id": owner.id,
                "title": "山地风电场二期",
                "description": "安装25台单机4.0兆瓦风电机组，配套升压站与集电线路",
                "green_category": "CLEAN_ENERGY",
                "total_investment": Decimal("800000000.00"),
                "region_code": "513429",
                "climate_type": "MITIGATION",
                "status": "PLANNING",
                "libraries": [],
            },
        )
    async with sessionmaker() as session:
        event_ids = list(
            await session.scalars(select(ChangeEvent.id).where(ChangeEvent.entity_id == project.id))
        )

    # when the same event is indexed and handled by the suggestions consumer twice
    for _ in range(2):
        assert await index_changes(runtime, event_ids) == []
        assert await suggest(runtime, [project.id]) == []

    # then
    rows = await suggestions(sessionmaker, project.id)
    assert [(r.project_version, r.code) for r in rows] == [(1, "3.2.2.1")]


async def test_the_engine_down_stores_nothing_and_is_retryable(app, settings, sessionmaker) -> None:
    # given a runtime whose search engine is not there
    project = await _project(sessionmaker)
    dead = settings.model_copy(update={"opensearch_url": f"http://127.0.0.1:{closed_port()}"})
    runtime = open_runtime(dead)
    try:
        # when / then
        with pytest.raises(SearchUnavailableError) as raised:
            await suggest_for_projects(runtime, [project.id])
    finally:
        await runtime.close()
    assert is_retryable(raised.value)
    assert await suggestions(sessionmaker, project.id) == []


async def test_a_project_created_through_the_api_gets_its_suggestion(gql, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
    create = """mutation($i: CreateProjectInput!) { createProject(input: $i) {
      ... on ProjectSuccess { project { id } } } }"""
    body = await gql(
        create,
        {
            "i": {
                "enterpriseId": to_global_id("Enterprise", owner.id),
                "title": "公交电动化",
                "description": "购置300辆纯电动公交车替换柴油公交，并新建公交场站充电设施",
                "greenCategory": "GREEN_INFRASTRUCTURE",
                "totalInvestment": "300000000.00",
                "regionCode": "510100",
            }
        },
    )
    project_id = body["data"]["createProject"]["project"]["id"]

    # when the app's relay has handled the event
    found = None
    for _ in range(100):
        answer = await gql(PROJECT_IDENTIFICATION, {"id": project_id})
        found = answer["data"]["node"]["greenIdentification"]
        if found is not None:
            break
        await asyncio.sleep(0.1)

    # then
    assert found is not None
    assert (found["suggestedCode"], found["code"], found["status"]) == (
        "5.5.1.5",
        "5.5.1.5",
        "SUGGESTED",
    )
    assert found["projectVersion"] == 1
    assert found["statistics"] == {"greenLoanCategory": {"key": "10"}, "climateType": "MITIGATION"}
    assert found["corrections"] == []


async def test_two_workers_racing_on_one_version_store_one_suggestion(
    runtime, sessionmaker
) -> None:
    # given
    project = await _project(sessionmaker)

    # when two handlers run at once for the same project version
    results = await asyncio.gather(
        suggest_for_projects(runtime, [project.id]), suggest_for_projects(runtime, [project.id])
    )

    # then one stored it; the other found it stored or lost on the unique constraint
    assert sorted(results) == [0, 1]
    assert [r.project_version for r in await suggestions(sessionmaker, project.id)] == [1]
