"""API keys: create (shown once), list, revoke, and resolve a presented key to a Principal.

A key is ``grk_`` + 43 characters of ``secrets.token_urlsafe(32)``: 256 random bits. Only its
SHA-256 is stored. A slow password hash (bcrypt, argon2) protects *guessable* secrets; a 256-bit
random key cannot be guessed, so a plain SHA-256 is as safe and lets the lookup be one indexed
equality on ``secret_hash`` (no per-request key stretching, no timing oracle on a prefix).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, NotFound, Unauthenticated, ValidationFailed
from greenrong.domain.access import repository
from greenrong.domain.access.models import ApiKey
from greenrong.domain.access.principal import BOUND_ROLES, Principal, Role
from greenrong.domain.kit.types import utcnow

KEY_PREFIX = "grk_"
#: last_used_at is written at most this often per key
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEMO_ADMIN_NAME = "demo admin"


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A key just created: ``secret`` is shown once and never stored."""

    row: ApiKey
    secret: str


async def create_key(
    session: AsyncSession,
    *,
    role: Role,
    org_id: uuid.UUID | None = None,
    name: str = "",
    expires_in: timedelta | None = None,
) -> NewKey:
    """A new key for ``role``; enterprise, institution and expert keys need the ``org_id``."""
    if role == Role.PUBLIC:
        raise ValidationFailed.one("role", ErrorCode.INVALID, "PUBLIC needs no key")
    if role in BOUND_ROLES and org_id is None:
        raise ValidationFailed.one("org", ErrorCode.REQUIRED, f"a {role} key needs --org")
    if role not in BOUND_ROLES and org_id is not None:
        raise ValidationFailed.one("org", ErrorCode.INVALID, f"a {role} key is not bound to one")
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValidationFailed.one("expires_in", ErrorCode.OUT_OF_RANGE, "must be positive")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiKey(
        id=uuid.uuid4(),
        name=name or f"{role.lower()} key",
        role=role,
        org_id=org_id,
        prefix=secret[:10],
        secret_hash=hash_key(secret),
        created_at=now,
        expires_at=None if expires_in is None else now + expires_in,
    )
    session.add(row)
    await session.flush()
    return NewKey(row, secret)


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return await repository.all_keys(session)


async def revoke_key(session: AsyncSession, *, id: uuid.UUID) -> ApiKey:
    """Revoke a key; it fails from the next request on. Revoking twice keeps the first time."""
    row = await session.get(ApiKey, id)
    if row is None:
        raise NotFound("ApiKey", id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


async def ensure_demo_admin(session: AsyncSession) -> NewKey | None:
    """An admin key for the demo, when no admin key exists yet; None otherwise."""
    if await repository.has_live_admin_key(session):
        return None
    return await create_key(session, role=Role.ADMIN, name=DEMO_ADMIN_NAME)


async def authenticate_key(session: AsyncSession, key: str, *, now: datetime) -> Principal:
    """The caller a key stands for; ``Unauthenticated`` if unknown, revoked or expired."""
    return (await resolve_key(session, key, now=now))[0]


def _refuse_dead(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> None:
    if revoked_at is not None:
        raise Unauthenticated("the API key was revoked")
    if expires_at is not None and expires_at <= now:
        raise Unauthenticated("the API key expired")


async def check_key(session: AsyncSession, key_id: uuid.UUID, *, now: datetime) -> None:
    """Raise ``Unauthenticated`` unless the key is still valid (one primary-key read): an open
    connection asks this before each operation and message, and every few seconds."""
    state = await repository.key_state(session, key_id)
    if state is None:
        raise Unauthenticated("unknown API key")
    _refuse_dead(state.revoked_at, state.expires_at, now)


async def live_keys(
    session: AsyncSession, key_ids: Iterable[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, Principal]:
    """The callers of those keys that are still valid (neither revoked nor expired)."""
    ids = list(set(key_ids))
    if not ids:
        return {}
    rows = await repository.live_keys(session, ids, now=now)
    return {row.id: Principal(role=row.role, org_id=row.org_id, key_id=row.id) for row in rows}


async def resolve_key(
    session: AsyncSession, key: str, *, now: datetime
) -> tuple[Principal, datetime | None]:
    """The caller a key stands for and when the key expires (None: never); ``Unauthenticated``
    if unknown, revoked or expired."""
    row = await repository.key_by_hash(session, hash_key(key))
    if row is None:
        raise Unauthenticated("unknown API key")
    _refuse_dead(row.revoked_at, row.expires_at, now)
    if row.last_used_at is None or row.last_used_at <= now - LAST_USED_RESOLUTION:
        # concurrent requests of one key write once per minute at most
        await repository.mark_key_used(session, row.id, now=now, resolution=LAST_USED_RESOLUTION)
    return Principal(role=row.role, org_id=row.org_id, key_id=row.id), row.expires_at
