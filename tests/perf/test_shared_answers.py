"""Shared answers (``schema/kit/answers.py``): ``platformStatistics`` is computed once per
revision of the kept figures and share key, then answered from memory, with the body, budget
and errors the normal path gives, on both backends.

A kept answer must always equal a fresh computation: after writes through every path
(a GraphQL mutation of another app on the same database, a session as the CLI and workers
write, a bulk statement that makes the upkeep rebuild), per caller, and across two apps that
share one database.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.access.principal import Role
from greenrong.domain.finance.models import FinancingDemand
from greenrong.domain.kit import revision_repository as revisions
from greenrong.domain.statistics.service import FIGURES_REVISION
from tests.conftest import BACKEND
from tests.factories.access import auth_headers
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    credit_code,
)

QUERY = """query Figures {
  platformStatistics {
    enterpriseCount institutionCount demandReceivedTotal
    demandReceivedByYear { year amount count }
    enterprisesByGreenCategory { category count }
  }
}"""
BODY = {"query": QUERY, "operationName": "Figures"}


async def _post(
    app: Starlette, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers or {}
    ) as http:
        return await http.post("/graphql", json=body)


async def _figures(app: Starlette, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await _post(app, BODY, headers)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    figures: dict[str, Any] = body["data"]["platformStatistics"]
    return figures


async def _fresh(settings: Settings, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The figures as a new app computes them: its first request takes the normal path."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        figures = await _figures(application, headers)
        assert application.state.graphql.shared.answered == 0
    return figures


async def _seed(sessionmaker: Any) -> None:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="成都甲环保科技有限公司")
        await create_enterprise(session, name="绵阳乙新能源有限公司")
        await create_institution(session, name="四川银行成都分行")
        await create_demand(session, enterprise_id=enterprise.id, amount=Decimal("1200.50"))


async def test_a_repeated_request_is_answered_shared_with_the_normal_paths_body(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    shared = app.state.graphql.shared

    # when: learnt, then kept, then answered from memory
    answers = [await _post(app, BODY, admin) for _ in range(3)]

    # then: the same bytes but for the budget left
    assert shared.answered == 1
    bodies = [a.json() for a in answers]
    assert bodies[0]["data"] == bodies[1]["data"] == bodies[2]["data"]
    assert bodies[2]["data"]["platformStatistics"]["enterpriseCount"] == 2
    assert bodies[2]["data"]["platformStatistics"]["demandReceivedTotal"] == "1200.50"
    for body in bodies:
        assert list(body) == ["data", "extensions"]
        cost = body["extensions"]["queryCost"]
        assert list(cost) == ["requested", "maximum", "budgetPerMinute", "remaining"]
    assert (
        bodies[2]["extensions"]["queryCost"]["requested"]
        == (bodies[0]["extensions"]["queryCost"]["requested"])
    )
    assert answers[2].headers["content-type"] == answers[0].headers["content-type"]
    assert answers[2].headers["x-request-id"]
    assert answers[2].content.replace(b" ", b"").startswith(b'{"data":{"platformStatistics":')


async def test_each_scope_gets_its_own_answer_and_callers_with_own_rows_none(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given an answer kept for an admin
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        enterprise_id = (await session.execute(select(FinancingDemand.enterprise_id))).scalar_one()
    admin = auth_headers(settings)
    shared = app.state.graphql.shared
    for _ in range(3):
        await _figures(app, admin)
    assert shared.answered == 1
    callers = {
        "anonymous": None,
        "regulator": auth_headers(settings, Role.REGULATOR),
        "partner": auth_headers(settings, Role.PARTNER),
        "enterprise": auth_headers(settings, Role.ENTERPRISE, org_id=enterprise_id),
    }

    # when each caller asks three times
    seen = {}
    for name, headers in callers.items():
        before = shared.answered
        answers = [await _figures(app, headers) for _ in range(3)]
        assert answers[0] == answers[1] == answers[2]
        seen[name] = (answers[2], shared.answered - before)

    # then: each answer is the fresh one; the public's scope and the admin's differ, the
    # regulator shares the admin's kept answer, and an enterprise's answer is never kept
    for name, headers in callers.items():
        assert seen[name][0] == await _fresh(settings, headers), name
    assert seen["anonymous"][0]["demandReceivedTotal"] == "0.00"
    assert seen["regulator"][0]["demandReceivedTotal"] == "1200.50"
    assert seen["enterprise"][0]["demandReceivedTotal"] == "1200.50"  # its own demand
    assert {name: counted for name, (_, counted) in seen.items()} == {
        "anonymous": 2,  # the operation is learnt: kept at the first, shared at the next two
        "regulator": 3,  # the admin's scope: shared at once
        "partner": 3,  # the public's scope, kept by the anonymous caller
        "enterprise": 0,
    }


async def test_writes_through_any_path_are_seen_by_another_app_on_the_same_database(
    app: Starlette, other_app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given: the other app has the figures kept
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    shared = other_app.state.graphql.shared
    for _ in range(3):
        await _figures(other_app, admin)
    assert shared.answered == 1
    revision = await _revision(other_app)

    # when: a mutation through the first app
    created = await _post(
        app,
        {
            "query": """mutation($input: CreateEnterpriseInput!) {
              createEnterprise(input: $input) { __typename } }""",
            "variables": {
                "input": {
                    "name": "乐山丙光伏有限公司",
                    "creditCode": credit_code(),
                    "regionCode": "510104",
                    "industrySection": "D",
                    "industryDivision": "44",
                    "size": "SMALL",
                    "greenCategory": "CLEAN_ENERGY",
                }
            },
        },
        admin,
    )
    assert created.json()["data"]["createEnterprise"]["__typename"] == "EnterpriseSuccess"

    # then: the other app's next answer has it, and equals a fresh computation
    after_mutation = await _figures(other_app, admin)
    assert after_mutation["enterpriseCount"] == 3
    assert after_mutation == await _fresh(settings, admin)
    assert await _revision(other_app) == revision + 1

    # when: a session writes as the CLI and workers do, then a bulk statement (the upkeep
    # rebuilds every scope at its commit)
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="宜宾丁储能有限公司")
        await create_demand(session, enterprise_id=enterprise.id, amount=Decimal("99.01"))
    after_session = await _figures(other_app, admin)
    async with sessionmaker.begin() as session:
        await session.execute(update(FinancingDemand).values(amount=Decimal("10.00")))
    after_bulk = await _figures(other_app, admin)

    # then
    assert after_session["enterpriseCount"] == 4
    assert after_session["demandReceivedTotal"] == "1299.51"
    assert after_bulk["demandReceivedTotal"] == "20.00"
    assert after_bulk == await _fresh(settings, admin)
    assert await _revision(other_app) == revision + 3


async def test_a_rolled_back_write_moves_no_revision(app: Starlette, sessionmaker: Any) -> None:
    # given
    await _seed(sessionmaker)
    revision = await _revision(app)

    # when
    async with sessionmaker() as session:
        await create_enterprise(session, name="自贡戊化工有限公司")
        await session.rollback()

    # then
    assert await _revision(app) == revision


# timing: the bucket refills while the requests run; at 90 points a minute, a point in 0.67 s
@pytest.mark.timing
async def test_a_spent_budget_is_refused_on_a_kept_answer_as_on_the_normal_path(
    settings: Settings, sessionmaker: Any
) -> None:
    # given a budget for three requests of 30 points (the answer kept by the second)
    application = create_app(settings.model_copy(update={"query_budget_per_minute": 90}))
    await _seed(sessionmaker)
    headers = auth_headers(settings, Role.REGULATOR)
    async with application.router.lifespan_context(application):
        shared = application.state.graphql.shared

        # when
        answers = [await _post(application, BODY, headers) for _ in range(4)]
        answered = shared.answered

    # then: the third was shared and charged; the fourth refused with the normal path's error
    assert answered == 1
    assert [a.json()["extensions"]["queryCost"]["requested"] for a in answers] == [30] * 4
    assert [a.json()["extensions"]["queryCost"]["remaining"] for a in answers] == [60, 30, 0, 0]
    refused = answers[3].json()
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # 30 points short at 90 a minute: 20 s, or 19 when the requests took over a second
    assert answers[3].headers["retry-after"] in ("19", "20")


async def _revision(app: Starlette) -> int:
    engine = app.state.resources.engine
    async with engine.connect() as connection:
        (value,) = await revisions.read(connection, [FIGURES_REVISION])
    return value


async def test_a_selection_with_a_resolver_of_its_own_is_never_shared(
    app: Starlette, settings: Settings, sessionmaker: Any
) -> None:
    # given: `libraries` reads the day and the memberships, which no revision follows
    await _seed(sessionmaker)
    admin = auth_headers(settings)
    shared = app.state.graphql.shared
    with_libraries = {
        "query": "{ platformStatistics { enterpriseCount libraries { library count } } }"
    }
    with_fragment = {
        "query": """query Figures { platformStatistics { ...Counts } }
        fragment Counts on PlatformStatistics { enterpriseCount institutionCount }"""
    }

    # when
    libraries = [(await _post(app, with_libraries, admin)).json() for _ in range(3)]
    fragment = [(await _post(app, with_fragment, admin)).json() for _ in range(3)]

    # then: the first never shared, the plain fragment shared at the third request
    assert shared.answered == 1
    assert libraries[2]["data"]["platformStatistics"]["enterpriseCount"] == 2
    assert fragment[2]["data"] == {
        "platformStatistics": {"enterpriseCount": 2, "institutionCount": 1}
    }


async def test_concurrent_revision_reads_share_one_that_starts_after_them(
    engine: Any, sessionmaker: Any
) -> None:
    # given a reader through the engine (SQLite's own connection stepped aside)
    reader = revisions.RevisionReader(engine)
    reader._sqlite_path = None
    names = [FIGURES_REVISION]
    before = await reader.read(names)

    reads = reader.reads

    # when: eight requests at once, then a committed write, then one more request
    together = await asyncio.gather(*(reader.read(names) for _ in range(8)))
    shared = reader.reads - reads
    async with sessionmaker.begin() as session:
        await create_enterprise(session, name="内江己环保有限公司")
    after = await reader.read(names)

    # then: one or two reads served the eight (the first batch, and those that came while it
    # ran), and the request after the write saw it
    assert together == [before] * 8
    assert 1 <= shared <= 2
    assert after == (before[0] + 1,)
    reader.close()


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's own reader connection")
async def test_a_revision_read_outlives_its_connection_being_killed(
    engine: Any, sessionmaker: Any
) -> None:
    # given a reader whose own connection has read once
    reader = revisions.RevisionReader(engine)
    names = [FIGURES_REVISION]
    before = await reader.read(names)
    pid = reader._pg.get_server_pid() if reader._pg is not None else None
    assert pid is not None

    # when the server ends that connection, and a write commits
    async with sessionmaker.begin() as session:
        await session.execute(select(func.pg_terminate_backend(pid)))
        await create_enterprise(session, name="遂宁庚环保有限公司")
    through_pool = await reader.read(names)
    again = await reader.read(names)

    # then the read after it still answers (through the pool) and sees the write, and the
    # next one has a connection of its own again
    assert through_pool == again == (before[0] + 1,)
    assert reader._pg is not None
    assert reader._pg.get_server_pid() != pid
    reader.close()
