"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list per role.

APQ, version 1, over GET and POST: the request carries
``extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}``.

- Hash only, and the hash is known: the stored query runs.
- Hash only, and the hash is unknown: ``PersistedQueryNotFound`` with the code
  ``PERSISTED_QUERY_NOT_FOUND`` (Apollo's format); the client sends the query with the hash.
- Query and hash: the query's sha256 must be the hash (``PERSISTED_QUERY_HASH_MISMATCH``
  otherwise). The query runs, and once it has parsed and validated it is stored.

Queries are kept in a bounded LRU in process memory. When a broker is configured
(``GREENRONG_BROKER_URL``), they are also kept in Redis (``RedisQueries``), so a query persisted
through one API process is found through every other; each process keeps its LRU in front of
Redis (a hash names one text for good, so a copy never goes stale). Without a broker every
process warms its own.

The allow-list (``GREENRONG_PERSISTED_QUERY_ALLOWLIST``, a JSON file of role -> list of sha256
hashes) is for production: when it is set, an operation runs only when it names a hash of the
caller's role. Ad-hoc queries, and hashes of other roles, get ``PERSISTED_QUERY_NOT_ALLOWED``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strawberry.extensions import SchemaExtension

from greenrong.core.errors import ErrorCode
from greenrong.core.lru import LRU
from greenrong.domain.access.principal import Role
from greenrong.schema.kit.refusal import refusal

log = logging.getLogger(__name__)

APQ_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(query: str) -> str:
    """The APQ hash of a query: sha256 of its UTF-8 text, in lowercase hex."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class QueryStore:
    """Persisted query texts by hash, at most ``max_size`` (least recently used go first)."""

    def __init__(self, max_size: int) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self._queries: LRU[str, str] = LRU(max_size)

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, digest: str) -> str | None:
        return self._queries.get(digest)

    def put(self, digest: str, query: str) -> None:
        self._queries.put(digest, query)


class RedisQueries:
    """Persisted queries of the whole deployment: ``greenrong:apq:<sha256>`` in Redis, kept
    ``ttl`` seconds after their last use (Redis runs without eviction, so nothing may grow for
    good). A Redis that does not answer is a miss (the client sends the query again) or an
    unsaved query, logged."""

    PREFIX = "greenrong:apq:"

    def __init__(self, client: Any, *, ttl: int = 7 * 86400) -> None:
        self._client = client
        self.ttl = ttl

    async def get(self, digest: str) -> str | None:
        try:
            value = await self._client.getex(self.PREFIX + digest, ex=self.ttl)
        except Exception:
            log.warning("Redis did not answer for persisted query %s", digest, exc_info=True)
            return None
        return None if value is None else bytes(value).decode("utf-8")

    async def put(self, digest: str, query: str) -> None:
        try:
            await self._client.set(self.PREFIX + digest, query.encode("utf-8"), ex=self.ttl)
        except Exception:
            log.warning("Redis did not store persisted query %s", digest, exc_info=True)


@dataclass(frozen=True)
class AllowList:
    """The persisted queries each role may run."""

    hashes: Mapping[Role, frozenset[str]]

    def permits(self, role: Role, digest: str) -> bool:
        return digest in self.hashes.get(role, frozenset())


def load_allowlist(path: Path) -> AllowList:
    """Read and check an allow-list file: ``{"PUBLIC": ["<sha256>", …], "ENTERPRISE": […]}``.

    Raises ``ValueError`` naming the problem, so a bad file stops the start-up.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"persisted query allow-list {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"persisted query allow-list {path}: expected an object of role -> hashes")
    hashes: dict[Role, frozenset[str]] = {}
    for role_name, digests in data.items():
        if role_name not in Role.__members__:
            known = ", ".join(Role.__members__)
            raise ValueError(
                f"persisted query allow-list {path}: unknown role {role_name!r} ({known})"
            )
        if not isinstance(digests, list) or not all(
            isinstance(d, str) and _SHA256.fullmatch(d) for d in digests
        ):
            raise ValueError(
                f"persisted query allow-list {path}: {role_name} must list sha256 hashes "
                "(64 lowercase hexadecimal digits)"
            )
        hashes[Role[role_name]] = frozenset(digests)
    return AllowList(hashes)


@dataclass(frozen=True)
class PersistedQueryPolicy:
    """One per app (``QueryLimits``), so the store outlives requests."""

    store: QueryStore
    allowlist: AllowList | None = None
    #: the deployment's store behind ``store``, when a broker is configured
    shared: RedisQueries | None = None
    #: documents known from start-up, never evicted: the web portal's (``schema/portal.py``)
    pinned: Mapping[str, str] = field(default_factory=dict)

    async def get(self, digest: str) -> str | None:
        query = self.pinned.get(digest) or self.store.get(digest)
        if query is None and self.shared is not None:
            query = await self.shared.get(digest)
            if query is not None:
                self.store.put(digest, query)
        return query

    async def put(self, digest: str, query: str) -> None:
        self.store.put(digest, query)
        if self.shared is not None:
            await self.shared.put(digest, query)


def requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The ``persistedQuery`` hash of a request, None without one; refuses malformed ones."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if not isinstance(persisted, dict) or persisted.get("version") != APQ_VERSION:
        raise refusal(
            ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
            f"PersistedQueryNotSupported: only persistedQuery version {APQ_VERSION} is supported",
        )
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest.lower()):
        raise refusal(
            ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
            "PersistedQueryNotSupported: sha256Hash must be 64 hexadecimal digits",
        )
    return digest.lower()


def _role(context: object) -> Role:
    role = getattr(getattr(context, "principal", None), "role", Role.PUBLIC)
    return role if isinstance(role, Role) else Role.PUBLIC


class PersistedQueries(SchemaExtension):
    """APQ and the allow-list, with the store of the app serving the request
    (``QueryLimits.persisted`` in its context, ``schema/kit/limits.py``)."""

    def __init__(self) -> None:
        self._register: str | None = None

    @property
    def policy(self) -> PersistedQueryPolicy:
        policy: PersistedQueryPolicy = self.execution_context.context.limits.persisted
        return policy

    async def on_operation(self) -> AsyncIterator[None]:
        # A refusal raised here ends the operation before parsing, and before any cache (parser,
        # validation) sees it: over HTTP strawberry answers it as the only error; over WebSocket
        # (no APQ there, but the allow-list applies) the operation ends without running.
        await self._resolve()
        yield

    async def _resolve(self) -> None:
        context = self.execution_context
        digest = requested_hash(context.operation_extensions)
        allowlist = self.policy.allowlist
        if allowlist is not None:
            role = _role(context.context)
            if digest is None:
                raise refusal(
                    ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
                    "Only persisted queries of the allow-list run here: send "
                    "extensions.persistedQuery.sha256Hash.",
                )
            if not allowlist.permits(role, digest):
                raise refusal(
                    ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
                    f"The persisted query {digest} is not on the allow-list of role {role}.",
                )
        if digest is not None:
            if context.query:
                if sha256_hex(context.query) != digest:
                    raise refusal(
                        ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
                        "The query's sha256 does not match extensions.persistedQuery.sha256Hash.",
                    )
                self._register = digest
            else:
                stored = await self.policy.get(digest)
                if stored is None:
                    raise refusal(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
                context.query = stored

    async def on_validate(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context
        if self._register and context.query and not context.pre_execution_errors:
            await self.policy.put(self._register, context.query)
