"""Callers for tests: signed bearer tokens (HS256 with the test settings' secret)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt

from greenrong.core.config import Settings
from greenrong.domain.access.principal import Role
from greenrong.domain.kit.clock import CLOCK

#: the HS256 secret of the test settings (32+ bytes)
TEST_JWT_SECRET = "greenrong-test-secret-绿色金融-0123456789abcdef"


def bearer_token(
    settings: Settings,
    role: Role,
    *,
    org_id: uuid.UUID | None = None,
    subject: str = "测试用户",
    expires_in: timedelta = timedelta(hours=1),
) -> str:
    """A valid HS256 JWT for ``role`` (bound to ``org_id``), signed with the settings' secret."""
    claims: dict[str, object] = {
        "sub": subject,
        "role": role.value,
        "exp": CLOCK.now() + expires_in,
    }
    if org_id is not None:
        claims["org"] = str(org_id)
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def auth_headers(settings: Settings, role: Role = Role.ADMIN, **kwargs: object) -> dict[str, str]:
    """``Authorization`` header for ``role``; the default is an admin, as most tests need."""
    return {"authorization": f"Bearer {bearer_token(settings, role, **kwargs)}"}  # type: ignore[arg-type]
