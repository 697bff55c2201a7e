"""GET /metrics: Prometheus text with the names and values after known requests."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete

from greenrong.core.db import SessionMaker
from greenrong.domain.outbox.models import DeadLetter

LONG_NAME = "Directory" * 8  # 72 characters: no label keeps it
QUERY = f"query {LONG_NAME} {{ enterprises(first: 1) {{ totalCount }} }}"
NAMED = "query Directory { enterprises(first: 1) { totalCount } }"
UPDATE = """mutation { updateEnterprise(input: {id: "RW50ZXJwcmlzZTowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDE=", version: 1, name: "x"}) {
  __typename } }"""


async def _samples(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _requests(samples: dict, operation: str) -> float:
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "greenrong_graphql_request_seconds_count" and ("operation", operation) in labels
    )


def _errors(samples: dict, code: str, kind: str) -> float:
    key = ("greenrong_graphql_errors_total", (("code", code), ("kind", kind)))
    return samples.get(key, 0.0)


async def test_requests_errors_and_the_database_s_figures_are_counted(
    anonymous_client: httpx.AsyncClient, sessionmaker: SessionMaker
) -> None:
    # given two dead letters, and the figures before
    async with sessionmaker.begin() as session:
        for _ in range(2):
            session.add(
                DeadLetter(
                    entity_type="Enterprise",
                    entity_id=uuid.uuid4(),
                    event_ids=[],
                    error="mapper_parsing_exception",
                )
            )
    before = await _samples(anonymous_client)

    # when: three named requests, one with a name no label keeps, an invalid one and a write
    # on a missing row
    for _ in range(3):
        await anonymous_client.post("/graphql", json={"query": NAMED, "operationName": "Directory"})
    await anonymous_client.post("/graphql", json={"query": QUERY, "operationName": LONG_NAME})
    await anonymous_client.post("/graphql", json={"query": "{ nothing }"})
    await anonymous_client.post("/graphql", json={"query": UPDATE})
    after = await _samples(anonymous_client)

    # then
    assert _requests(after, "Directory") - _requests(before, "Directory") == 3
    assert _requests(after, "other") - _requests(before, "other") == 1  # too long to be a label
    request_errors = sum(
        value - before.get(key, 0.0)
        for key, value in after.items()
        if key[0] == "greenrong_graphql_errors_total" and ("kind", "request") in key[1]
    )
    assert request_errors == 1  # { nothing }
    assert _errors(after, "NOT_FOUND", "payload") - _errors(before, "NOT_FOUND", "payload") == 1
    assert after[("greenrong_dead_letters", ())] == 2
    assert after[("greenrong_webhook_deliveries", (("status", "PENDING"),))] == 0
    assert ("greenrong_outbox_lag_seconds", ()) in after
    assert ("greenrong_db_connections_in_use", ()) in after
    assert ("greenrong_websocket_connections", ()) in after
    assert ("greenrong_subscriptions", ()) in after
    async with sessionmaker.begin() as session:
        await session.execute(delete(DeadLetter))
    assert (await _samples(anonymous_client))[("greenrong_dead_letters", ())] == 0
