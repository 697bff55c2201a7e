"""The one answer to "can trying again later succeed?", for every handler and caller.

Retryable: the other side is unreachable, too slow or overloaded: connection errors and
timeouts (of the database, its pool, the search engine, Redis and HTTP), and the statuses 408,
429 and 5xx. Terminal: everything else (bad data, a 4xx, a bug), which retrying would only
repeat. An exception of our own that knows the answer says so in a ``retryable`` attribute
(``search``'s ``SearchUnavailableError``, a bulk ``IndexingError``).
"""

from __future__ import annotations

from typing import Any

import httpx
from opensearchpy.exceptions import ConnectionError as SearchConnectionError
from opensearchpy.exceptions import TransportError as SearchTransportError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

#: statuses that mean "the other side is there but cannot answer now"
RETRYABLE_STATUSES = frozenset({408, 429})

_ALWAYS = (
    SearchConnectionError,  # refused, reset, and ConnectionTimeout
    httpx.TransportError,  # connect errors, timeouts, broken connections
    RedisConnectionError,
    RedisTimeoutError,
    OperationalError,  # the database went away or refused
    InterfaceError,
    PoolTimeoutError,  # no pooled connection came free in time
    TimeoutError,
    ConnectionError,
)


def retryable_status(status: Any) -> bool:
    """Whether an HTTP status (or an engine's item status) is worth trying again later."""
    return isinstance(status, int) and (status in RETRYABLE_STATUSES or 500 <= status < 600)


def is_retryable(exc: BaseException) -> bool:
    """Whether trying again later can succeed: outages, overload and timeouts, not bad data."""
    declared = getattr(exc, "retryable", None)
    if isinstance(declared, bool):
        return declared
    if isinstance(exc, _ALWAYS):
        return True
    if isinstance(exc, SearchTransportError):
        return retryable_status(exc.status_code)
    if isinstance(exc, httpx.HTTPStatusError):
        return retryable_status(exc.response.status_code)
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return isinstance(exc, OSError)
