"""The access rules of the partners context, merged into ``policy.py``: who may follow the change
feed and manage webhook endpoints, and who owns what such a caller creates."""

from __future__ import annotations

from greenrong.core.errors import Forbidden
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.partners.webhooks import Scope

#: roles that read change events: the ``changes`` query and subscription, and webhooks
FEED_ROLES: frozenset[Role] = frozenset({Role.PARTNER, Role.REGULATOR, Role.ADMIN})


def may_follow_feed(p: Principal) -> bool:
    """Whether the caller may receive change events. Asked when a caller reads the feed, and
    for a webhook endpoint's owner when its deliveries are made and again when each is sent."""
    return p.role in FEED_ROLES


def require_feed_access(principal: Principal) -> None:
    """Raise ``Forbidden`` unless ``principal`` may follow the change feed."""
    if not may_follow_feed(principal):
        raise Forbidden("the change feed and webhooks are for PARTNER, REGULATOR and ADMIN keys")


def webhook_scope(principal: Principal) -> Scope:
    """ADMIN manages every endpoint; PARTNER and REGULATOR only their own."""
    require_feed_access(principal)
    return Scope(owner=principal.identity, everything=principal.role == Role.ADMIN)
