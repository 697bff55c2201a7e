"""``GET /metrics``: Prometheus's text format (``core/metrics.py``), with the database's figures
(outbox backlog, dead letters, webhook queue) read at scrape time."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from greenrong.core import metrics
from greenrong.domain.kit.types import utcnow
from greenrong.domain.operations.repository import backlog

PATH = "/metrics"


async def metrics_page(request: Request) -> Response:
    async with request.app.state.resources.sessionmaker() as session:
        figures = await backlog(session)
    metrics.set_database_figures(
        oldest_waiting=figures.oldest_waiting,
        waiting=figures.waiting,
        dead_letters=figures.dead_letters,
        deliveries=figures.deliveries,
        now=utcnow(),
    )
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
