"""Who may follow the change feed and manage webhooks."""

from __future__ import annotations

from greenrong.core.errors import Forbidden
from greenrong.domain.access.policy import FEED_ROLES, may_follow_feed
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.partners.webhooks import Scope

__all__ = ["FEED_ROLES", "owner_tag", "require_feed_access", "webhook_scope"]


def require_feed_access(principal: Principal) -> None:
    """Raise ``Forbidden`` unless ``principal`` may follow the change feed."""
    if not may_follow_feed(principal):
        raise Forbidden("the change feed and webhooks are for PARTNER, REGULATOR and ADMIN keys")


def owner_tag(principal: Principal) -> str | None:
    """Who owns what this caller creates: its API key, else its token subject."""
    if principal.key_id is not None:
        return f"key:{principal.key_id}"
    return None if principal.subject is None else f"sub:{principal.subject}"


def webhook_scope(principal: Principal) -> Scope:
    """ADMIN manages every endpoint; PARTNER and REGULATOR only their own."""
    require_feed_access(principal)
    return Scope(owner=owner_tag(principal), everything=principal.role == Role.ADMIN)
