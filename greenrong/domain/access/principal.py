"""The caller of one request, as the access rules see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "PUBLIC"
    ENTERPRISE = "ENTERPRISE"
    INSTITUTION = "INSTITUTION"
    EXPERT = "EXPERT"
    REGULATOR = "REGULATOR"
    PARTNER = "PARTNER"
    ADMIN = "ADMIN"


@dataclass(frozen=True, slots=True)
class Principal:
    """One caller: a role, the organisation it is bound to (an enterprise, an institution or an
    expert, by role), and the API key or token subject it came with (None when anonymous)."""

    role: Role
    org_id: uuid.UUID | None = None
    key_id: uuid.UUID | None = None
    subject: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.key_id is None and self.subject is None

    @property
    def identity(self) -> str | None:
        """Who the caller is, as one stable string: ``key:<id>`` for an API key, else
        ``sub:<subject>`` for a token's subject; None when anonymous. What the caller creates
        is owned under it (saved searches, webhook endpoints) and its request budget is kept
        under it."""
        if self.key_id is not None:
            return f"key:{self.key_id}"
        return None if self.subject is None else f"sub:{self.subject}"

    @property
    def actor(self) -> str:
        """How a history entry names the caller for people to read: the token's subject as it
        is (``system`` for trusted code), else the identity, else the role."""
        return self.subject or self.identity or self.role.value.lower()


ANONYMOUS = Principal(role=Role.PUBLIC)

#: the subject trusted code (the CLI, workers, the demo seed, tests' factories) writes as
SYSTEM_SUBJECT = "system"
#: the caller of trusted code. It has an admin's rights and is audited as the ``system``
#: subject. It is never the principal of a request: credentials resolve to roles with a key id
#: or a token subject of their own, and code that writes outside a request binds it by name
#: (``access.guard.bind_system``).
SYSTEM = Principal(role=Role.ADMIN, subject=SYSTEM_SUBJECT)

#: roles that act for one organisation (``Principal.org_id``): an enterprise, an institution or
#: an expert
BOUND_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT})
