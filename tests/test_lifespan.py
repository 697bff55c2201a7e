"""The app's lifespan owns what it starts: one database pool per process, shared by the request
handlers and every background loop, and a start-up that fails part-way closes what it had
started (one ``AsyncExitStack`` of subsystems)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.technology.models import ListingStatus, TechnologyDomain
from greenrong.domain.technology.service import create_listing
from tests.factories.entities import create_enterprise
from tests.pipeline.conftest import eventually, settled


@pytest.fixture
def engines() -> Iterator[set[Engine]]:
    """Every engine a connection is made from while the test runs."""
    seen: set[Engine] = set()

    def connected(connection: Connection) -> None:
        seen.add(connection.engine)

    event.listen(Engine, "engine_connect", connected)
    yield seen
    event.remove(Engine, "engine_connect", connected)


@pytest.fixture
def connections() -> Iterator[tuple[set[int], set[int]]]:
    """The DBAPI connections opened and closed by any pool while the test runs."""
    opened: set[int] = set()
    closed: set[int] = set()

    def on_connect(dbapi: Any, _: Any) -> None:
        opened.add(id(dbapi))

    def on_close(dbapi: Any, _: Any) -> None:
        closed.add(id(dbapi))

    event.listen(Pool, "connect", on_connect)
    event.listen(Pool, "close", on_close)
    yield opened, closed
    event.remove(Pool, "connect", on_connect)
    event.remove(Pool, "close", on_close)


def _running_loops() -> list[str]:
    return sorted(
        t.get_name()
        for t in asyncio.all_tasks()
        if not t.done() and t.get_name().startswith(("greenrong-", "certification-"))
    )


async def test_the_requests_and_every_background_loop_share_one_pool(
    settings: Settings, engines: set[Engine]
) -> None:
    # given a started app
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        resources = app.state.resources
        system = system_sessionmaker(resources.sessionmaker)
        # when a listing is written, so that the relay indexes it, the publisher numbers it,
        # the webhook dispatcher looks at it and the feed consumers (alerts, suggestions)
        # handle it
        async with system.begin() as session:
            owner = await create_enterprise(session, name="清源环保")
            await create_listing(
                session,
                values={
                    "owner_enterprise_id": owner.id,
                    "title": "膜生物反应器污水处理技术",
                    "description": "适用于工业废水的膜生物反应器工艺",
                    "domain": TechnologyDomain.WATER,
                    "maturity": 7,
                    "trade_mode": "LICENCE",
                    "region_code": "510104",
                    "status": ListingStatus.PUBLISHED,
                },
            )
        await eventually(lambda: settled(resources.sessionmaker), what="the pipeline to settle")
        loops = _running_loops()
    # then every connection came from the app's one engine
    assert engines == {resources.engine.sync_engine}
    assert loops == [
        "greenrong-alerts",
        "greenrong-feed-publisher",
        "greenrong-identification",
        "greenrong-outbox-relay",
        "greenrong-schedule",
        "greenrong-webhooks",
    ]
    # and nothing is left running after shutdown
    assert _running_loops() == []


async def test_a_start_up_that_fails_late_closes_what_it_started(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    connections: tuple[set[int], set[int]],
) -> None:
    # given an app with an embedded search engine (a process of its own), whose last
    # start-up step fails
    embedded = settings.model_copy(update={"opensearch_url": ""})

    def cannot_start(*_: Any, **__: Any) -> None:
        raise RuntimeError("定期任务无法启动")

    monkeypatch.setattr("greenrong.workers.schedule.start_schedule", cannot_start)
    app = create_app(embedded)

    # when it starts
    with pytest.raises(RuntimeError, match="定期任务无法启动"):
        async with app.router.lifespan_context(app):
            pass

    # then the search engine process is gone, every database connection was closed, and
    # no loop is left running
    resources = app.state.resources
    assert resources.search.embedded.process.poll() is not None
    opened, closed = connections
    assert opened, "start-up connected to the database"
    assert opened <= closed
    assert resources.engine.sync_engine.pool.checkedout() == 0
    assert _running_loops() == []
