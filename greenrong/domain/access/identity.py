"""Who is calling: an ``Authorization: Bearer …`` credential resolved to a Principal.

Two kinds of credential, told apart by their form:

- an API key (``grk_…``, see ``keys.py``) for systems;
- a signed JWT for people (HS256 with ``jwt_secret``, or RS256 with ``jwt_public_key``). Its
  claims: ``sub`` (who), ``role`` (a Role), ``org`` (the enterprise, institution or expert id,
  for those roles) and ``exp`` (required).

No credential is the public role. A credential that does not check out is ``Unauthenticated``,
never a silent downgrade to public.

Verified tokens are remembered (``VerifiedTokens``, one bounded LRU per app) until they
expire, so a client repeating its token skips the signature check. A JWT cannot be revoked:
re-verifying it gives the same answer until ``exp`` (plus the leeway), and the cache forgets
it at exactly that moment. API keys can be revoked, so each request looks its key up.

A connection that outlives one request (a WebSocket) keeps its ``Credential`` and asks
``recheck`` again before each operation, each message it sends and every few seconds in
between: a revoked or expired key, or a token past its ``exp``, is refused from then on.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.errors import Unauthenticated
from greenrong.core.lru import LRU
from greenrong.domain.access import keys
from greenrong.domain.access.principal import ANONYMOUS, BOUND_ROLES, Principal, Role
from greenrong.domain.kit.types import utcnow

_LEEWAY_SECONDS = 30


def bearer_credential(authorization: str | None) -> str | None:
    """The credential of an ``Authorization`` header value (or a connection_init field)."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Unauthenticated("use `Authorization: Bearer <API key or token>`")
    return credential.strip()


def decode_token(settings: Settings, token: str) -> Principal:
    """The Principal of a signed JWT; ``Unauthenticated`` for any flaw."""
    return _verify(settings, token)[0]


def _verify(settings: Settings, token: str) -> tuple[Principal, float]:
    """The Principal of a signed JWT and the time (epoch seconds) until which it is accepted."""
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"malformed token: {error}") from error
    if algorithm == "HS256" and settings.jwt_secret:
        key: Any = settings.jwt_secret
    elif algorithm == "RS256" and settings.jwt_public_key:
        key = settings.jwt_public_key
    else:
        raise Unauthenticated(f"tokens signed with {algorithm} are not accepted here")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],  # one algorithm per key: no HS256-with-a-public-key confusion
            audience=settings.jwt_audience or None,
            issuer=settings.jwt_issuer or None,
            leeway=_LEEWAY_SECONDS,
            options={"require": ["exp", "sub", "role"], "verify_aud": bool(settings.jwt_audience)},
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("the token expired") from error
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"invalid token: {error}") from error
    # PyJWT refuses a token once `exp <= now - leeway`
    return _principal(claims), float(claims["exp"]) + _LEEWAY_SECONDS


def _principal(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(str(claims["role"]).upper())  # as the CLI's --role: any case
    except ValueError as error:
        raise Unauthenticated(f"unknown role {claims['role']!r} in the token") from error
    org = claims.get("org")
    try:
        org_id = None if org is None else uuid.UUID(str(org))
    except ValueError as error:
        raise Unauthenticated("the token's `org` claim is not an id") from error
    if (role in BOUND_ROLES) != (org_id is not None):
        need = "needs" if role in BOUND_ROLES else "has no"
        raise Unauthenticated(f"a {role} token {need} an `org` claim")
    return Principal(role=role, org_id=org_id, subject=str(claims["sub"]))


class VerifiedTokens:
    """Principals of verified tokens until each expires; at most ``maxsize`` tokens, the least
    recently used forgotten first. One per app (its settings hold the keys)."""

    def __init__(self, maxsize: int = 4096, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tokens: LRU[str, tuple[Principal, float]] = LRU(maxsize)

    def get(self, token: str) -> Principal | None:
        return None if (found := self._remembered(token)) is None else found[0]

    def _remembered(self, token: str) -> tuple[Principal, float] | None:
        found = self._tokens.get(token)
        if found is not None and self._clock() >= found[1]:
            self._tokens.pop(token)
            return None
        return found

    def verify(self, settings: Settings, token: str) -> Principal:
        """The token's Principal, from memory or by ``decode_token``'s checks."""
        return self.verify_until(settings, token)[0]

    def verify_until(self, settings: Settings, token: str) -> tuple[Principal, float]:
        """The token's Principal and the time (epoch seconds) until which it is accepted."""
        found = self._remembered(token)
        if found is None:
            found = _verify(settings, token)
            self._tokens.put(token, found)
        return found


@dataclass(frozen=True)
class Credential:
    """A caller as authenticated, with what it takes to check the credential again later."""

    principal: Principal
    #: when the credential stops being valid: a token's ``exp``, a key's expiry (None: never)
    expires_at: datetime | None = None


async def authenticate_credential(
    settings: Settings,
    sessionmaker: SessionMaker,
    authorization: str | None,
    tokens: VerifiedTokens | None = None,
) -> Credential:
    """``authenticate``, keeping the credential's end for later checks (``recheck``)."""
    credential = bearer_credential(authorization)
    if credential is None:
        return Credential(ANONYMOUS)
    if keys.looks_like_key(credential):
        async with sessionmaker.begin() as session:
            principal, expires_at = await keys.resolve_key(session, credential, now=utcnow())
        return Credential(principal, expires_at)
    if credential.count(".") == 2:
        if tokens is not None:
            principal, until = tokens.verify_until(settings, credential)
        else:
            principal, until = _verify(settings, credential)
        exp = datetime.fromtimestamp(until - _LEEWAY_SECONDS, UTC)
        return Credential(principal, exp)
    raise Unauthenticated("the bearer credential is neither an API key nor a token")


async def recheck(sessionmaker: SessionMaker, credential: Credential, *, now: datetime) -> None:
    """Raise ``Unauthenticated`` unless ``credential`` is still valid at ``now``: a token until
    its ``exp`` (no leeway: a long-lived connection ends at the token's own end), a key until
    it expires or is revoked (read from the database: another process may have revoked it)."""
    if credential.expires_at is not None and now >= credential.expires_at:
        raise Unauthenticated("the credential expired")
    key_id = credential.principal.key_id
    if key_id is not None:
        async with sessionmaker() as session:
            await keys.check_key(session, key_id, now=now)


async def authenticate(
    settings: Settings,
    sessionmaker: SessionMaker,
    authorization: str | None,
    tokens: VerifiedTokens | None = None,
) -> Principal:
    """The caller of one request: ANONYMOUS without a credential. ``tokens`` remembers verified
    tokens (none: every token is verified)."""
    found = await authenticate_credential(settings, sessionmaker, authorization, tokens)
    return found.principal
