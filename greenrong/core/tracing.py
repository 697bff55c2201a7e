"""Optional OpenTelemetry tracing: off unless ``GREENRONG_TRACING_ENDPOINT`` names an OTLP/HTTP
collector (``http://collector:4318/v1/traces``).

When on, one request is one trace: the ASGI server span (opentelemetry-instrumentation-asgi), a
span per SQL statement (-sqlalchemy), per outgoing httpx request (-httpx: webhooks) and per
search-engine request (``search_span``, ours: opensearch-py has no instrumentation). The packages
are the ``tracing`` extra (``pip install 'greenrong[tracing]'``; the Docker image has them); with
the setting on and the extra missing, start-up stops and says so.

The provider is the app's, not the process-global one, so apps built side by side (tests) do not
share spans; the search span uses the provider of the app that last started (one per process
when serving).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from greenrong.core.config import Settings

_provider: Any = None


class TracingUnavailable(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "GREENRONG_TRACING_ENDPOINT is set but OpenTelemetry is not installed: install "
            "greenrong with its tracing extra (pip install 'greenrong[tracing]')"
        )


def provider_for(settings: Settings, exporter: Any = None) -> Any:
    """The app's tracer provider, or None when tracing is off. ``exporter``: a span exporter
    to use instead of OTLP (tests pass an in-memory one)."""
    if not settings.tracing_endpoint and exporter is None:
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as error:
        raise TracingUnavailable() from error
    provider = TracerProvider(resource=Resource.create({"service.name": "greenrong"}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        otlp = OTLPSpanExporter(endpoint=settings.tracing_endpoint)
        provider.add_span_processor(BatchSpanProcessor(otlp))
    return provider


def asgi_middleware(provider: Any) -> list[tuple[Any, dict[str, Any]]]:
    """The server-span ASGI middleware and its options (none when tracing is off)."""
    if provider is None:
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return [(OpenTelemetryMiddleware, {"tracer_provider": provider})]


def start(provider: Any, engine: Any) -> None:
    """Trace the engine's SQL and every httpx request; the search spans use ``provider``."""
    global _provider
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider)
    httpx = HTTPXClientInstrumentor()
    if not httpx.is_instrumented_by_opentelemetry:
        httpx.instrument(tracer_provider=provider)
    _provider = provider


def stop(provider: Any) -> None:
    global _provider
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    HTTPXClientInstrumentor().uninstrument()
    # instrumenting an engine also wraps create_engine for every engine made afterwards
    SQLAlchemyInstrumentor().uninstrument()
    if _provider is provider:
        _provider = None
    provider.shutdown()


@contextmanager
def search_span(operation: str) -> Iterator[None]:
    """A client span around one request to the search engine (nothing when tracing is off)."""
    if _provider is None:
        yield
        return
    from opentelemetry.trace import SpanKind

    tracer = _provider.get_tracer("greenrong.search")
    with tracer.start_as_current_span(
        f"opensearch {operation}",
        kind=SpanKind.CLIENT,
        attributes={"db.system": "opensearch", "db.operation": operation},
    ):
        yield
