"""saveSearch, savedSearches, pause/resume/delete: validation with typed errors, who may do
what (the authorization matrix), paging, and the SQL statement count of the list."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.partners.models import SavedSearch, SavedSearchStatus
from tests.factories.statements import count_statements
from tests.partners.saved import (
    DELETE,
    LIST,
    PAUSE,
    RESUME,
    SAVE,
    caller,
    pk,
    save,
    saved_count,
)


def _input(**fields: object) -> dict[str, object]:
    return {"input": {"entity": "TECHNOLOGY_LISTING", **fields}}


async def test_save_search_stores_query_filter_and_owner(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # given a partner
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    # when it saves a search with a query and a filter
    body = await partner(
        SAVE,
        _input(
            name="成都水处理",
            query="  膜生物反应器 ",
            filter={
                "domain": ["WATER"],
                "region": ["510100"],
                "maturity": {"min": 6},
                "askingPrice": {"max": "2000000.50"},
            },
        ),
    )
    # then it is stored as given, active, with no alerts yet
    saved = body["data"]["saveSearch"]["savedSearch"]
    assert saved["name"] == "成都水处理"
    assert (saved["entity"], saved["query"], saved["status"]) == (
        "TECHNOLOGY_LISTING",
        "膜生物反应器",
        "ACTIVE",
    )
    assert json.loads(saved["filterJson"]) == {
        "askingPrice": {"max": "2000000.50"},
        "domain": ["WATER"],
        "maturity": {"min": 6},
        "region": ["510100"],
    }
    assert saved["alertCount"] == 0
    # and it is the partner's: listed for it
    listed = (await partner(LIST))["data"]["savedSearches"]
    assert listed["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["edges"]] == [saved["id"]]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"query": "膜", "filter": {"region": ["999999"]}}, "filter.region", "UNKNOWN_REFERENCE"),
        (
            {"query": "膜", "filter": {"maturity": {"min": 8, "max": 3}}},
            "filter.maturity",
            "OUT_OF_RANGE",
        ),
        ({"query": "   "}, "query", "REQUIRED"),
        ({}, "query", "REQUIRED"),
        ({"query": "膜" * 501}, "query", "OUT_OF_RANGE"),
        ({"query": "膜", "name": "名" * 201}, "name", "OUT_OF_RANGE"),
    ],
)
async def test_bad_input_is_a_typed_error_and_stores_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: SessionMaker,
    fields: dict[str, object],
    field: str,
    code: str,
) -> None:
    partner = caller(client, settings, Role.PARTNER)
    body = await partner(SAVE, _input(**fields))
    payload = body["data"]["saveSearch"]
    assert (payload["__typename"], payload["field"], payload["code"]) == (
        "ValidationError",
        field,
        code,
    )
    assert await saved_count(sessionmaker) == 0


async def test_only_listing_searches_can_be_saved(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    partner = caller(client, settings, Role.PARTNER)
    body = await partner(SAVE, {"input": {"entity": "TECHNOLOGY_NEED", "query": "污水"}})
    payload = body["data"]["saveSearch"]
    assert (payload["__typename"], payload["field"], payload["code"]) == (
        "ValidationError",
        "entity",
        "NOT_SUPPORTED",
    )
    assert await saved_count(sessionmaker) == 0


# --- authorization matrix ---------------------------------------------------------------------


async def test_the_public_cannot_save_list_or_change(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    saved = await save(owner, "膜生物反应器")
    public = caller(client, settings, None)

    body = await public(SAVE, _input(query="光伏"))
    assert body["data"]["saveSearch"]["__typename"] == "ForbiddenError"
    listed = await public(LIST)
    assert listed["data"] is None
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for operation, name in ((PAUSE, "pauseSavedSearch"), (DELETE, "deleteSavedSearch")):
        answer = await public(operation, {"id": saved})
        assert answer["data"][name]["__typename"] == "ForbiddenError"
    # nothing changed
    assert await saved_count(sessionmaker) == 1
    mine = (await owner(LIST))["data"]["savedSearches"]["edges"]
    assert [(e["node"]["id"], e["node"]["status"]) for e in mine] == [(saved, "ACTIVE")]


@pytest.mark.parametrize(
    "role",
    [Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT, Role.REGULATOR, Role.PARTNER, Role.ADMIN],
)
async def test_every_authenticated_role_can_save_and_sees_only_its_own(
    client: httpx.AsyncClient, settings: Settings, role: Role
) -> None:
    other = caller(client, settings, Role.PARTNER, subject="别人")
    await save(other, "光伏组件回收")
    me = caller(client, settings, role, subject="我自己")
    mine = await save(me, "膜生物反应器")
    listed = (await me(LIST))["data"]["savedSearches"]
    assert listed["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["edges"]] == [mine]


@pytest.mark.parametrize("intruder_role", [Role.PARTNER, Role.REGULATOR, Role.ADMIN])
async def test_another_caller_cannot_pause_resume_or_delete(
    client: httpx.AsyncClient, settings: Settings, intruder_role: Role
) -> None:
    # given the owner's saved search
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    saved = await save(owner, "膜生物反应器")
    intruder = caller(client, settings, intruder_role, subject="另一方")
    # when another caller, admins included, tries to change it: NOT_FOUND (not revealed)
    for operation, name in (
        (PAUSE, "pauseSavedSearch"),
        (RESUME, "resumeSavedSearch"),
        (DELETE, "deleteSavedSearch"),
    ):
        answer = await intruder(operation, {"id": saved})
        assert answer["data"][name] == {"__typename": "NotFoundError", "code": "NOT_FOUND"}
    # and does not see it
    assert (await intruder(LIST))["data"]["savedSearches"]["totalCount"] == 0
    # then it is unchanged
    mine = (await owner(LIST))["data"]["savedSearches"]["edges"]
    assert [(e["node"]["id"], e["node"]["status"]) for e in mine] == [(saved, "ACTIVE")]


async def test_the_owner_pauses_resumes_and_deletes(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    owner = caller(client, settings, Role.ENTERPRISE, subject="企业乙")
    saved = await save(owner, "膜生物反应器")
    paused = await owner(PAUSE, {"id": saved})
    assert paused["data"]["pauseSavedSearch"]["savedSearch"] == {"id": saved, "status": "PAUSED"}
    resumed = await owner(RESUME, {"id": saved})
    assert resumed["data"]["resumeSavedSearch"]["savedSearch"] == {"id": saved, "status": "ACTIVE"}
    deleted = await owner(DELETE, {"id": saved})
    assert deleted["data"]["deleteSavedSearch"] == {
        "__typename": "DeleteSavedSearchSuccess",
        "id": saved,
    }
    assert await saved_count(sessionmaker) == 0
    again = await owner(DELETE, {"id": saved})
    assert again["data"]["deleteSavedSearch"]["__typename"] == "NotFoundError"


# --- paging and SQL ---------------------------------------------------------------------------


async def test_pages_newest_first_and_refuses_a_foreign_cursor(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    ids = [await save(owner, f"膜生物反应器{n}") for n in range(3)]
    first = (await owner(LIST, {"first": 2}))["data"]["savedSearches"]
    assert [e["node"]["id"] for e in first["edges"]] == [ids[2], ids[1]]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = (await owner(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["data"]
    assert [e["node"]["id"] for e in rest["savedSearches"]["edges"]] == [ids[0]]
    assert rest["savedSearches"]["pageInfo"]["hasNextPage"] is False
    foreign = await owner(LIST, {"after": "WyJmZWVkIiwxXQ"})
    assert foreign["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("saved", [2, 6])
async def test_the_list_runs_three_statements_however_many_searches(
    app: Starlette, client: httpx.AsyncClient, settings: Settings, saved: int
) -> None:
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    for n in range(saved):
        await save(owner, f"膜生物反应器{n}")
    with count_statements(app.state.resources.engine) as statements:
        body = await owner(LIST, {"first": 10})
    page = body["data"]["savedSearches"]
    assert page["totalCount"] == saved
    assert [e["node"]["alertCount"] for e in page["edges"]] == [0] * saved
    # the page, the count, and every alert count in one grouped statement
    assert len(statements) == 3, statements


async def test_an_owner_keeps_at_most_a_hundred_saved_searches(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    # given an owner with 100 saved searches
    owner = caller(client, settings, Role.PARTNER, subject="银行甲")
    mine = await save(owner, "膜生物反应器")
    async with sessionmaker.begin() as session:
        template = await session.get(SavedSearch, pk(mine))
        assert template is not None
        session.add_all(
            SavedSearch(
                owner=template.owner,
                owner_role=template.owner_role,
                entity_type=template.entity_type,
                name=f"第{n}个",
                query="污水处理",
                filter_input={},
                filters={},
                status=SavedSearchStatus.ACTIVE,
                last_alert_seq=0,
            )
            for n in range(99)
        )
    # when it saves one more: refused, nothing stored
    body = await owner(SAVE, _input(query="光伏"))
    payload = body["data"]["saveSearch"]
    assert (payload["__typename"], payload["field"], payload["code"]) == (
        "ValidationError",
        "input",
        "OUT_OF_RANGE",
    )
    assert await saved_count(sessionmaker) == 100
    # and another owner still can
    await save(caller(client, settings, Role.PARTNER, subject="银行乙"), "光伏")
    assert await saved_count(sessionmaker) == 101
