"""Optional tracing: with an in-memory exporter, one request's spans form one trace: the server
span, the SQL statements and the search-engine request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from greenrong.app import create_app
from greenrong.core.config import Settings
from greenrong.core.tracing import provider_for


@pytest.fixture
async def traced(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    app = create_app(settings, span_exporter=exporter)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        exporter.clear()  # start-up's own statements
        yield http, exporter


async def test_one_request_is_one_trace_with_sql_and_search_spans(traced) -> None:
    http, exporter = traced
    query = """{ enterprises(first: 1) { totalCount }
                 searchTechnologyListings(query: "光伏") { __typename } }"""
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.name == "POST /graphql"]
    assert len(server) == 1
    trace_id = server[0].context.trace_id
    # the app's background loops (feed publisher, periodic passes) make traces of their own
    spans = [s for s in spans if s.context.trace_id == trace_id]
    sql = [s for s in spans if s.attributes.get("db.system") in ("sqlite", "postgresql")]
    assert sql, [s.name for s in spans]
    assert any("enterprise" in str(s.attributes.get("db.statement", "")) for s in sql)
    (search,) = [s for s in spans if s.name == "opensearch search"]
    assert search.attributes["db.system"] == "opensearch"
    assert search.parent is not None


def test_tracing_is_off_by_default() -> None:
    assert provider_for(Settings()) is None
