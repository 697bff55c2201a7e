"""The production topology on this machine: PostgreSQL, Redis, one search engine on its own
port (an osmem-server standing in for the cluster), two API processes (`greenrong serve`) and
one `greenrong worker`, all real processes. Whatever process a client reaches, it sees one
deployment: one index, one live feed, one delivery per webhook, one budget per caller, one
expiry pass per period (docs/DEPLOYMENT.md)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select, update

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.certification.models import Certification, CertificationStatus
from greenrong.domain.kit.types import utcnow
from greenrong.domain.periodic import repository as periodic
from greenrong.domain.periodic.models import PeriodicRun
from greenrong.schema.kit.ids import to_global_id
from tests.conftest import BACKEND
from tests.deployment.processes import (
    CREATE_LISTING,
    SEARCH_LISTINGS,
    Process,
    Server,
    listing_input,
)
from tests.factories.access import bearer_token
from tests.factories.certification import issued
from tests.factories.entities import create_enterprise, create_expert
from tests.partners.receiver import Receiver, http_receiver
from tests.partners.test_webhooks import CREATE as CREATE_WEBHOOK
from tests.partners.wsclient import ws_client
from tests.pipeline.conftest import redis_url

__all__ = ["redis_url"]

T = TypeVar("T")

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="the production topology runs on PostgreSQL (and Redis): GREENRONG_TEST_PG_URL",
)

SUBSCRIBE = """
subscription { changes { entityType entityId entityVersion cursor } }"""
#: 1 + 100 × 2 + 1 + 20 × 2 = 242 points, more than a third of the budget of 600
COSTLY = """{
  a: enterprises(first: 100) { edges { node { name } } }
  b: enterprises(first: 20) { edges { node { name } } }
}"""
BUDGET = 600
DELIVERED = """
query($id: ID!) { webhookDeliveries(endpointId: $id) { eventId status attemptCount } }"""


class Deployment:
    """The running processes and the calls the test makes through them."""

    def __init__(self, settings: Settings, api: list[Server], worker: Process) -> None:
        self.settings = settings
        self.api = api
        self.worker = worker
        self._callers = 0

    def headers(self, role: Role = Role.ADMIN, subject: str | None = None) -> dict[str, str]:
        """A token of ``role``; each call a new subject (its own budget) unless one is given."""
        if subject is None:
            self._callers += 1
            subject = f"调用方{self._callers}"
        token = bearer_token(self.settings, role, subject=subject)
        return {"authorization": f"Bearer {token}"}

    async def gql(
        self,
        server: Server,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role = Role.ADMIN,
        subject: str | None = None,
    ) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                f"{server.url}/graphql",
                json={"query": query, "variables": variables or {}},
                headers=self.headers(role, subject),
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def logs(self) -> str:
        return "\n".join(p.output() for p in (*self.api, self.worker))


async def until(check: Callable[[], Awaitable[T | None]], what: str, seconds: float = 30) -> T:
    deadline = time.monotonic() + seconds
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        await asyncio.sleep(0.1)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as receiving:
        yield receiving


@pytest.fixture
def deployment(
    settings: Settings, redis_url: str, osmem_url: str, tmp_path: Path
) -> Iterator[Deployment]:
    env = {
        "GREENRONG_DATABASE_URL": settings.database_url,
        "GREENRONG_OPENSEARCH_URL": osmem_url,
        "GREENRONG_BROKER_URL": redis_url,
        "GREENRONG_SEARCH_REBUILD_PROGRESS": "false",
        "GREENRONG_RELAY_POLL_SECONDS": "0.2",
        "GREENRONG_FEED_POLL_SECONDS": "1",
        "GREENRONG_SCHEDULE_POLL_SECONDS": "0.2",
        "GREENRONG_MAX_QUERY_COST": str(BUDGET),
        "GREENRONG_QUERY_BUDGET_PER_MINUTE": str(BUDGET),
        "GREENRONG_DB_POOL_SIZE": "3",
        "GREENRONG_DB_MAX_OVERFLOW": "2",
    }
    worker = Process(["worker", "--threads", "2"], env, tmp_path / "worker.log")
    api = [Server(env, tmp_path / f"api-{name}.log") for name in ("a", "b")]
    running = Deployment(settings, api, worker)
    try:
        for server in api:
            server.wait_ready()
        yield running
    finally:
        codes = [p.stop() for p in (*api, worker)]
        # a single-process uvicorn re-raises the SIGTERM it handled once it has shut down
        assert codes in ([0, 0, 0], [-15, -15, 0]), running.logs()
    assert "Traceback" not in running.logs(), running.logs()


# timing: it waits a bounded time for five processes to start and for events between them,
# which a loaded machine can stretch
@pytest.mark.timing
async def test_many_processes_behave_as_one_deployment(
    deployment: Deployment, sessionmaker: SessionMaker, receiver: Receiver
) -> None:
    a, b = deployment.api
    # given an owner, a certificate past its last day (issued 2023-06-01 for three years) and
    # an expiry pass that is due now
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="乐山硅材料绿色制造有限公司")
        experts = [(await create_expert(session, name=n)).id for n in ("刘洋", "赵敏")]
        cert = await issued(session, enterprise_id=owner.id, experts=experts, on=date(2023, 6, 1))
        # (the processes' schedules made the rows when they started, due in a period)
        for name in ("certification.expire", "libraries.refresh"):
            await periodic.ensure(session, name, first_due=utcnow())
        await session.execute(
            update(PeriodicRun)
            .where(PeriodicRun.name == "certification.expire")
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
    expired_version = cert.version + 1
    # and a partner's webhook endpoint (made through A) and live subscription (on B)
    body = await deployment.gql(
        a,
        CREATE_WEBHOOK,
        {"input": {"url": receiver.url, "entityTypes": ["TECHNOLOGY_LISTING"]}},
        role=Role.PARTNER,
        subject="合作方",
    )
    endpoint = body["data"]["createWebhookEndpoint"]["endpoint"]["id"]
    partner = deployment.headers(Role.PARTNER, "合作方")
    async with ws_client(b.url) as subscriber:
        assert (await subscriber.init({"Authorization": partner["authorization"]}))["type"] == (
            "connection_ack"
        )
        await subscriber.subscribe("1", SUBSCRIBE, {})
        await asyncio.sleep(0.3)  # listening

        # when a listing is created through A
        body = await deployment.gql(
            a,
            CREATE_LISTING,
            {"input": listing_input(to_global_id("Enterprise", owner.id), "钙钛矿叠层电池")},
        )
        listing = body["data"]["createTechnologyListing"]["technologyListing"]

        # then B's subscriber hears of it (after the set-up's own events)
        heard: list[dict[str, Any]] = []
        while not any(event["entityType"] == "TECHNOLOGY_LISTING" for event in heard):
            heard.append((await subscriber.next_data("1", wait=30))["changes"])
    assert {event["entityType"] for event in heard[:-1]} <= {
        "CERTIFICATION",
        "CERTIFICATION_EVENT",
        "CERTIFICATION_REVIEW",
        "ENTERPRISE",
        "EXPERT",
        "LIBRARY_MEMBERSHIP",
    }
    assert (heard[-1]["entityId"], heard[-1]["entityVersion"]) == (listing["id"], 1)

    # and B finds it in the one search engine (the worker indexed it)
    async def found() -> list[str] | None:
        body = await deployment.gql(b, SEARCH_LISTINGS, {"query": "钙钛矿"})
        result = body["data"]["result"]
        titles = [edge["node"]["title"] for edge in result.get("edges", [])]
        return titles or None

    assert await until(found, "the listing to be searchable through B") == ["钙钛矿叠层电池"]

    # and the webhook is delivered once, by the worker
    async def received() -> bool:
        return bool(receiver.requests)

    async def delivered() -> list[dict[str, Any]] | None:
        body = await deployment.gql(
            a, DELIVERED, {"id": endpoint}, role=Role.PARTNER, subject="合作方"
        )
        assert "errors" not in body, body
        deliveries: list[dict[str, Any]] = body["data"]["webhookDeliveries"]
        return deliveries if deliveries and deliveries[0]["status"] == "SUCCEEDED" else None

    await until(received, "the webhook request")
    (delivery,) = await until(delivered, "the webhook delivery to succeed")
    await asyncio.sleep(1.0)  # a second sender, if any, would have sent by now
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery["eventId"]]
    assert delivery["attemptCount"] == 1

    # and one caller has one budget across A and B: A's take shows in B's bucket
    caller = "预算调用方"
    spent = [
        await deployment.gql(a, COSTLY, subject=caller),
        await deployment.gql(b, COSTLY, subject=caller),
        await deployment.gql(a, COSTLY, subject=caller),
    ]
    costs = [body["extensions"]["queryCost"] for body in spent]
    assert costs[0] == {
        "requested": 242,
        "maximum": BUDGET,
        "budgetPerMinute": BUDGET,
        "remaining": BUDGET - 242,
    }
    # 600 - 2 × 242 = 116, plus what refilled (10 points a second) between the two requests;
    # a bucket of B's own would have shown 358
    assert BUDGET - 2 * 242 <= costs[1]["remaining"] < BUDGET - 2 * 242 + 100
    assert spent[2]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "data" not in spent[2] or spent[2]["data"] is None

    # and the expiry pass ran once, in one of the API processes
    async def expired() -> PeriodicRun | None:
        async with sessionmaker() as session:
            rows = {row.name: row for row in await periodic.runs(session)}
        row = rows["certification.expire"]
        return row if row.runs else None

    run = await until(expired, "the expiry pass")
    await asyncio.sleep(1.0)  # five more polls of each process
    async with sessionmaker() as session:
        rows = {row.name: row for row in await periodic.runs(session)}
        stored = await session.scalar(select(Certification).where(Certification.id == cert.id))
    assert rows["certification.expire"].runs == 1
    assert rows["libraries.refresh"].runs == 0
    assert run.holder is not None
    assert int(run.holder.rpartition(":")[2]) in {a.pid, b.pid}
    assert stored is not None
    assert (stored.status, stored.version) == (CertificationStatus.EXPIRED, expired_version)
