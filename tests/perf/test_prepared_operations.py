"""Prepared operations (``resolvers/compiled/operations.py``): a view the compiled path answered
whole is answered next time without strawberry, with the body, rows, budget and errors the
normal path would give. On SQLite the compiled path never runs, so nothing is prepared.

``tests/perf/test_compiled_differential.py`` sends every view of the corpus through both; this
file pins what depends on the request: the caller's rows, the budget, bad variables, and
requests that must keep the normal path.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLError
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.access.principal import Role
from greenrong.schema.kit.cost import Charge, CostPolicy
from greenrong.schema.kit.ratelimit import LocalBudgets, TokenBuckets
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise, create_project
from tests.factories.statements import count_statements

VIEW = """query Names($first: Int!) {
  enterprises(first: $first, orderBy: [{field: NAME}]) { totalCount edges { node { name } } }
}"""
PROJECTS = "{ projects(first: 10) { totalCount edges { node { title } } } }"


async def _post(
    app: Starlette, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers or {}
    ) as http:
        return await http.post("/graphql", json=body)


async def _seed(sessionmaker: Any) -> None:
    async with sessionmaker.begin() as session:
        for name in ("成都丙环保有限公司", "成都甲科技有限公司", "绵阳乙能源有限公司"):
            enterprise = await create_enterprise(session, name=name)
            await create_project(session, enterprise_id=enterprise.id, title=f"{name[:4]}光伏项目")


async def _prepared_projects(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> tuple[dict[str, str], Any, int]:
    """The seeded data with PROJECTS prepared by an admin's request: the admin's headers, the
    app's prepared operations and how many they had answered so far."""
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    await _post(app, {"query": PROJECTS}, admin)
    prepared = app.state.graphql.prepared
    return admin, prepared, prepared.answered


@pytest.fixture
async def resolver_app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings.model_copy(update={"compiled_views": False}))
    async with application.router.lifespan_context(application):
        yield application


async def test_a_repeated_view_is_answered_prepared_with_the_same_body(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    body = {"query": VIEW, "variables": {"first": 2}, "operationName": "Names"}
    postgresql = app.state.resources.engine.dialect.name == "postgresql"
    prepared = app.state.graphql.prepared

    # when
    with count_statements(app.state.resources.engine) as first_statements:
        first = await _post(app, body, admin)
    with count_statements(app.state.resources.engine) as second_statements:
        second = await _post(app, body, admin)

    # then: the same bytes but for the budget left, which fell by the cost each time
    assert prepared.answered == (1 if postgresql else 0)
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == second.headers["content-type"] == "application/json"
    expected_data = {
        "enterprises": {
            "totalCount": 3,
            "edges": [
                {"node": {"name": "成都丙环保有限公司"}},
                {"node": {"name": "成都甲科技有限公司"}},
            ],
        }
    }
    assert first.json()["data"] == second.json()["data"] == expected_data
    cost_first, cost_second = (r.json()["extensions"]["queryCost"] for r in (first, second))
    assert (
        list(cost_first)
        == list(cost_second)
        == [
            "requested",
            "maximum",
            "budgetPerMinute",
            "remaining",
        ]
    )
    # (the budget refills faster than the test runs: the exact charges are pinned below)
    assert cost_first["requested"] == cost_second["requested"] == 6
    assert second.content.decode().replace('"remaining":' + str(cost_second["remaining"]), "") == (
        first.content.decode().replace('"remaining":' + str(cost_first["remaining"]), "")
    )
    if postgresql:
        assert (len(first_statements), len(second_statements)) == (1, 1)


async def test_each_caller_gets_their_own_rows_on_the_prepared_path(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given: the admin's request prepares the view
    admin, prepared, before = await _prepared_projects(app, settings, sessionmaker)

    # when: an anonymous caller (who sees no projects), then the admin again
    anonymous = await _post(app, {"query": PROJECTS})
    again = await _post(app, {"query": PROJECTS}, admin)

    # then
    postgresql = app.state.resources.engine.dialect.name == "postgresql"
    assert prepared.answered - before == (2 if postgresql else 0)
    assert anonymous.json()["data"] == {"projects": {"totalCount": 0, "edges": []}}
    assert again.json()["data"]["projects"]["totalCount"] == 3


async def test_variables_that_do_not_coerce_get_the_normal_paths_error(
    app: Starlette, resolver_app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given a prepared view
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    await _post(app, {"query": VIEW, "variables": {"first": 2}}, admin)
    prepared = app.state.graphql.prepared
    before = prepared.answered
    bad = {"query": VIEW, "variables": {"first": "两个"}}

    # when
    answered = await _post(app, bad, admin)
    expected = await _post(resolver_app, bad, admin)

    # then: strawberry's answer (the budgets left differ: they are per app)
    assert prepared.answered == before
    answered_body, expected_body = answered.json(), expected.json()
    for body in (answered_body, expected_body):
        body["extensions"]["queryCost"].pop("remaining")
    assert answered_body == expected_body
    assert answered.json()["errors"][0]["message"] == (
        "Variable '$first' has invalid value: Int cannot represent non-integer value: '两个'"
    )


# timing: the bucket refills a point every 4.6 s (13 a minute); three requests slower than that
# on a loaded machine leave a point more than the charge ([7, 2, 2] instead of [7, 1, 1])
@pytest.mark.timing
async def test_a_spent_budget_is_refused_as_on_the_normal_path_and_charged_once(
    settings: Settings, sessionmaker: Any
) -> None:
    # given a budget of 13 points: two requests of 6, then a refusal
    application = create_app(settings.model_copy(update={"query_budget_per_minute": 13}))
    await _seed(sessionmaker)
    headers = auth_headers(settings, Role.REGULATOR)
    body = {"query": VIEW, "variables": {"first": 2}}
    async with application.router.lifespan_context(application):
        prepared = application.state.graphql.prepared

        # when
        answers = [await _post(application, body, headers) for _ in range(3)]

    # then
    postgresql = application.state.resources.engine.dialect.name == "postgresql"
    assert prepared.answered == (1 if postgresql else 0)
    remaining = [a.json()["extensions"]["queryCost"]["remaining"] for a in answers]
    assert remaining == [7, 1, 1]
    refused = answers[2].json()
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # 5 points short, at 13 points a minute: 24 s, or 23 when the requests took over a second
    # (the bucket refills meanwhile)
    assert answers[2].headers["retry-after"] in ("23", "24")


async def test_requests_with_extensions_keep_the_normal_path(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given a prepared view
    admin, prepared, before = await _prepared_projects(app, settings, sessionmaker)
    digest = hashlib.sha256(PROJECTS.encode()).hexdigest()
    apq = {"persistedQuery": {"version": 1, "sha256Hash": digest}}

    # when: the same text with a persisted-query hash
    hashed = await _post(app, {"query": PROJECTS, "extensions": apq}, admin)

    # then
    assert prepared.answered == before
    assert hashed.json()["data"]["projects"]["totalCount"] == 3


async def test_a_refund_gives_back_what_was_taken_and_no_more() -> None:
    # given a bucket of 10 points on a stopped clock
    buckets = TokenBuckets(capacity=10, clock=lambda: 100.0)
    policy = CostPolicy(max_cost=10, default_page_size=20, buckets=LocalBudgets(buckets))
    taken = await policy.charge("subject:甲", "{ a }", None, None, lambda: 4)

    # when / then: a refused charge took nothing and gives nothing back
    await policy.refund("subject:甲", Charge({"requested": 4}, refused=GraphQLError("refused")))
    assert buckets.remaining("subject:甲") == 6
    await policy.refund("subject:甲", taken)
    assert buckets.remaining("subject:甲") == 10
    # never above the capacity
    await policy.refund("subject:甲", taken)
    buckets.give_back("subject:乙", 3)
    assert taken.report["remaining"] == 6
    assert buckets.remaining("subject:甲") == 10
    assert buckets.remaining("subject:乙") == 10


async def test_variables_nested_beyond_orjson_get_the_normal_paths_error(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    """A prepared operation keys its plans by the variables as orjson writes them, and orjson
    writes 254 levels at most: deeper variables (an `or` level is two) take the normal path,
    which refuses them with the input edge's typed error, instead of failing with a 500."""
    # given: the operation prepared by a shallow request
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    query = "query W($w: EnterpriseWhere) { enterprises(first: 2, where: $w) { totalCount } }"

    def nested(levels: int) -> dict[str, Any]:
        where: dict[str, Any] = {"name": {"contains": "成都"}}
        for _ in range(levels):
            where = {"or": [where]}
        return where

    shallow = await _post(app, {"query": query, "variables": {"w": nested(1)}}, admin)
    assert shallow.json()["data"] == {"enterprises": {"totalCount": 2}}
    # when
    responses = [
        await _post(app, {"query": query, "variables": {"w": nested(levels)}}, admin)
        for levels in (130, 300)
    ]
    # then
    for response in responses:
        assert response.status_code == 200
        body = response.json()
        # the input edge's refusal, as on the normal path (it checks variables as sent)
        assert (body["data"], body["errors"]) == (
            None,
            [
                {
                    "message": "$w: nests more than 32 levels",
                    "extensions": {"code": "OUT_OF_RANGE", "field": "$w"},
                }
            ],
        )
