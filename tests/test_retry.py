"""The one retry classifier (``core.retry``): every kind of failure the handlers and the search
calls meet, sorted into retryable (trying later can succeed) and terminal."""

from __future__ import annotations

import httpx
import pytest
from opensearchpy.exceptions import ConnectionError as SearchConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, RequestError, TransportError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from greenrong.core.retry import is_retryable, retryable_status
from greenrong.indexers.kit.query import SearchUnavailableError, UnavailableReason
from greenrong.indexers.kit.store import IndexingError

_REQUEST = httpx.Request("POST", "https://hooks.example.cn/绿融")


def _status(code: int) -> httpx.HTTPStatusError:
    response = httpx.Response(code, request=_REQUEST)
    return httpx.HTTPStatusError(f"HTTP {code}", request=_REQUEST, response=response)


def _bulk(*statuses: int) -> IndexingError:
    return IndexingError(
        "greenrong-listings",
        [{"index": {"_id": str(n), "status": s, "error": "失败"}} for n, s in enumerate(statuses)],
    )


RETRYABLE = {
    "search connection refused": SearchConnectionError("N/A", "refused", None),
    "search timeout": ConnectionTimeout("TIMEOUT", "timed out", None),
    "search 429": TransportError(429, "too_many_requests", {}),
    "search 500": TransportError(500, "internal", {}),
    "search 503": TransportError(503, "unavailable", {}),
    "search unavailable": SearchUnavailableError(UnavailableReason.OVERLOADED, "过载"),
    "bulk item 429": _bulk(409, 429),
    "bulk item 502": _bulk(502),
    "http connect error": httpx.ConnectError("refused", request=_REQUEST),
    "http read timeout": httpx.ReadTimeout("slow", request=_REQUEST),
    "http 429": _status(429),
    "http 500": _status(500),
    "http 504": _status(504),
    "http 408": _status(408),
    "redis connection": RedisConnectionError("refused"),
    "redis timeout": RedisTimeoutError("slow"),
    "database gone": OperationalError("SELECT 1", {}, Exception("server closed")),
    "database interface": InterfaceError("SELECT 1", {}, Exception("connection closed")),
    "pool timeout": PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached"),
    "timeout": TimeoutError("slow"),
    "connection refused": ConnectionRefusedError(111, "refused"),
    "socket error": OSError(104, "reset"),
}

TERMINAL = {
    "search 400": RequestError(400, "parsing_exception", {}),
    "search 404": NotFoundError(404, "index_not_found_exception", {}),
    "search 409": TransportError(409, "version_conflict", {}),
    "bulk item 400": _bulk(400, 409),
    "http 400": _status(400),
    "http 404": _status(404),
    "http 410": _status(410),
    "integrity": IntegrityError("INSERT", {}, Exception("duplicate key")),
    "programming": ProgrammingError("SELECT", {}, Exception("syntax error")),
    "bad value": ValueError("不是数字"),
    "missing key": KeyError("title"),
}


@pytest.mark.parametrize("name", sorted(RETRYABLE))
def test_outages_overload_and_timeouts_are_retryable(name: str) -> None:
    assert is_retryable(RETRYABLE[name]) is True


@pytest.mark.parametrize("name", sorted(TERMINAL))
def test_bad_requests_and_bugs_are_terminal(name: str) -> None:
    assert is_retryable(TERMINAL[name]) is False


def test_statuses() -> None:
    assert [
        s for s in (200, 301, 400, 404, 408, 409, 429, 500, 502, 599, 600) if retryable_status(s)
    ] == [
        408,
        429,
        500,
        502,
        599,
    ]
    assert retryable_status("N/A") is False
    assert retryable_status(None) is False
