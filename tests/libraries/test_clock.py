"""The platform's clock: one object moves the instant and the day, and an app's requests read
the clock it was given (``info.context.clock``), not the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.kit.clock import CHINA, CLOCK, Clock
from greenrong.domain.libraries.models import Library
from tests.conftest import DATED_YEARS_AHEAD, admin_client, years_after
from tests.factories.entities import create_enterprise, create_project
from tests.libraries.helpers import screened

OPEN_MEMBERS = """query { libraryMembers(library: CLIMATE_FRIENDLY, where: {open: {eq: true}}) {
  totalCount edges { node { since isOpen project { title } } } } }"""


def test_a_shifted_clock_moves_the_instant_and_the_day_together() -> None:
    # given: a clock, and the wall clock's day in China
    clock = Clock()
    wall = datetime.now(UTC).astimezone(CHINA).date()

    # when: moved 731 days ahead, then back
    with clock.shifted(timedelta(days=731)) as ahead:
        moved = (ahead.now() - datetime.now(UTC), ahead.today())
    back = clock.today()

    # then
    assert timedelta(days=731) - timedelta(seconds=5) < moved[0] <= timedelta(days=731)
    assert moved[1] == wall + timedelta(days=731)
    assert back == wall


@pytest.mark.dated
def test_a_dated_case_runs_today_and_two_years_ahead(request: pytest.FixtureRequest) -> None:
    years = request.node.callspec.params["platform_clock"]
    wall = datetime.now(UTC).astimezone(CHINA).date()
    assert years in (0, DATED_YEARS_AHEAD)
    assert CLOCK.today() == wall + years_after(wall, years)


async def test_requests_read_the_clock_their_app_was_given(
    settings: Settings, sessionmaker: SessionMaker, client: httpx.AsyncClient
) -> None:
    # given: a project screened into the climate-friendly list from ten days after today
    start = CLOCK.today() + timedelta(days=10)
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="雅安水电开发有限公司")
        project = await create_project(session, enterprise_id=owner.id, title="宝兴河梯级电站")
        await screened(session, Library.CLIMATE_FRIENDLY, project.id, start)
    later = Clock()

    # when: the test's app reads the process clock; another app a clock ten days ahead
    bodies = [(await client.post("/graphql", json={"query": OPEN_MEMBERS})).json()]
    app = create_app(settings, clock=later)
    with later.shifted(timedelta(days=10)):
        async with app.router.lifespan_context(app), admin_client(app, settings) as other:
            bodies.append((await other.post("/graphql", json={"query": OPEN_MEMBERS})).json())
    answers = [body["data"]["libraryMembers"] for body in bodies]

    # then: the membership holds only by the later clock
    assert answers == [
        {"totalCount": 0, "edges": []},
        {
            "totalCount": 1,
            "edges": [
                {
                    "node": {
                        "since": start.isoformat(),
                        "isOpen": True,
                        "project": {"title": "宝兴河梯级电站"},
                    }
                }
            ],
        },
    ]
