"""A membership change reaches the projects search index through the normal outbox path."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from greenrong.core.search import SearchEngine
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise, create_project

ADMIT = """
mutation($input: AdmitToLibraryInput!) {
  admitToLibrary(input: $input) { __typename }
}"""


async def _document(engine: SearchEngine, pk: Any) -> dict[str, Any] | None:
    response = await engine.client.get(
        index=engine.alias("projects"), id=str(pk), ignore=[404], params={"realtime": "true"}
    )
    return response if response.get("found") else None


async def test_admission_updates_the_projects_index(app, gql, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="广元生物质能源有限公司")
        project = await create_project(session, enterprise_id=owner.id, title="广元生物质热电联产")
    engine: SearchEngine = app.state.resources.search

    body = await gql(
        ADMIT,
        {
            "input": {
                "library": "PBOC_CARBON_REDUCTION",
                "subjectId": to_global_id("Project", project.id),
                "reason": "符合碳减排支持工具支持领域",
                "since": "2022-01-10",
                "pbocArea": "CLEAN_ENERGY",
                "pbocSubArea": "生物质能源利用",
            }
        },
    )
    assert body["data"]["admitToLibrary"]["__typename"] == "LibraryMembershipSuccess"

    deadline = time.monotonic() + 15
    document = await _document(engine, project.id)
    while document is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        document = await _document(engine, project.id)
    assert document is not None
    assert document["_source"]["libraries"] == ["PBOC_CARBON_REDUCTION"]
    assert document["_version"] == 2  # the project's version after the sync
