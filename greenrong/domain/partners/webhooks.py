"""Webhook endpoints and deliveries: the rules (their SQL is in ``repository.py``).

- An endpoint is created with a fresh secret, shown once. ``rotate_secret`` puts a new secret
  first and keeps signing with the old one too until ``previous_secrets_until``.
- ``fan_out`` turns published feed events into deliveries, one per enabled endpoint that wants
  the event's entity type, under a lock on the single ``webhook_fanout`` row, in the same
  transaction that moves that row's position: every event becomes its deliveries exactly once.
- ``claim_due`` leases due deliveries to a sender; ``record_attempt`` logs each request and
  schedules the next one (exponential backoff with jitter) or gives up after the retry window,
  which fails the delivery and disables its endpoint.
- An endpoint receives only what its owner may see at that moment, asked of the access policy
  with the owner's principal (``owners``) when deliveries are made and again when each is sent.
  An endpoint whose owner key was revoked or expired, or whose owner token has expired, is
  disabled, and its pending deliveries fail unsent (``disable_orphans`` also sweeps them
  between events).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector, NotFound
from greenrong.domain.access import keys, policy
from greenrong.domain.access.predicates import to_sql
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.partners import feed, repository, signing
from greenrong.domain.partners.models import (
    DeliveryStatus,
    EndpointStatus,
    ListingAlert,
    SavedSearch,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

#: the longest error text kept per attempt
ERROR_LIMIT = 500


@dataclass(frozen=True)
class Backoff:
    """When to try again after a failed attempt, and for how long to keep trying."""

    min_seconds: float
    max_seconds: float
    window_seconds: float

    def delay(self, attempts: int) -> float:
        """Exponential (min × 2^(attempts−1), capped at max) with "equal jitter": a random
        point in the upper half, so retries of many deliveries spread out."""
        ceiling = min(self.max_seconds, self.min_seconds * float(2 ** max(attempts - 1, 0)))
        jitter: float = random.uniform(0, ceiling / 2)
        return ceiling / 2 + jitter


# --- endpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose endpoints a caller manages: its own (``owner``), or every one (admins)."""

    owner: str | None
    everything: bool = False

    def covers(self, owner: str | None) -> bool:
        return self.everything or (self.owner is not None and owner == self.owner)


def validate_endpoint(url: str, description: str, entity_types: Sequence[str]) -> None:
    issues = IssueCollector()
    parts = urlsplit(url)
    if len(url) > 2000:
        issues.add("url", ErrorCode.OUT_OF_RANGE, "at most 2000 characters")
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        issues.add("url", ErrorCode.INVALID_FORMAT, "an absolute http:// or https:// URL")
    if len(description) > 500:
        issues.add("description", ErrorCode.OUT_OF_RANGE, "at most 500 characters")
    issues.raise_if_any()


async def create_endpoint(
    session: AsyncSession,
    *,
    url: str,
    entity_types: Sequence[str],
    description: str,
    owner: str | None,
    principal: Principal | None = None,
    until: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint and its secret (the only time the secret is returned).
    ``principal`` is the creating caller and ``until`` its credential's end: an endpoint owned
    by a token subject keeps the token's role and organisation, and stops at the token's end
    (a key owner is read from its key whenever deliveries are made)."""
    validate_endpoint(url, description, entity_types)
    secret = signing.new_secret()
    by_token = owner is not None and owner.startswith(TOKEN_OWNER) and principal is not None
    endpoint = WebhookEndpoint(
        url=url,
        description=description,
        entity_types=sorted(set(entity_types)),
        secrets=[secret],
        status=EndpointStatus.ENABLED,
        owner=owner,
        owner_role=principal.role.value if by_token and principal else None,
        owner_org_id=principal.org_id if by_token and principal else None,
        owner_until=until if by_token else None,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def get_endpoint(
    session: AsyncSession, endpoint_id: uuid.UUID, *, scope: Scope
) -> WebhookEndpoint:
    """The endpoint, if it exists and is in ``scope``; else NotFound (another owner's endpoint
    is not revealed)."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not scope.covers(endpoint.owner):
        raise NotFound("WebhookEndpoint", endpoint_id)
    return endpoint


async def list_endpoints(session: AsyncSession, *, scope: Scope) -> list[WebhookEndpoint]:
    return await repository.endpoints(session, owner=None if scope.everything else scope.owner)


async def rotate_secret(
    session: AsyncSession,
    *,
    endpoint_id: uuid.UUID,
    now: datetime,
    overlap: timedelta,
    scope: Scope,
) -> tuple[WebhookEndpoint, str]:
    """A new secret, signing first; the current one keeps signing too for ``overlap``."""
    endpoint = await get_endpoint(session, endpoint_id, scope=scope)
    secret = signing.new_secret()
    endpoint.secrets = [secret, endpoint.secrets[0]]
    endpoint.previous_secrets_until = now + overlap
    await session.flush()
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign a request now: the newest, plus the previous during a rotation."""
    until = endpoint.previous_secrets_until
    if until is not None and now < until:
        return list(endpoint.secrets)
    return endpoint.secrets[:1]


# --- owners: who receives --------------------------------------------------------------------

#: the owner tag of an endpoint created with an API key, and with a bearer token
#: (``Principal.identity``)
KEY_OWNER = "key:"
TOKEN_OWNER = "sub:"
#: why an endpoint was disabled when its owner's credential ended
OWNER_GONE = "the owner's API key was revoked or has expired, or its token has expired"


def owner_key_id(owner: str | None) -> uuid.UUID | None:
    """The API key an endpoint belongs to; None when a token subject (or nobody) owns it."""
    if owner is None or not owner.startswith(KEY_OWNER):
        return None
    try:
        return uuid.UUID(owner.removeprefix(KEY_OWNER))
    except ValueError:
        return None


@dataclass(frozen=True)
class Owners:
    """The owners of some endpoints as the access policy sees them at one moment."""

    #: owner key id -> its caller, for keys neither revoked nor expired
    live_keys: dict[uuid.UUID, Principal]
    now: datetime

    def principal(self, endpoint: WebhookEndpoint) -> Principal | None:
        """The owner's principal now: a key's while the key lives; a token subject's, with
        the role and organisation of its token, until the token's end. None when gone, and
        for an endpoint made by a token before its role was recorded (docs/SECURITY.md)."""
        key_id = owner_key_id(endpoint.owner)
        if key_id is not None:
            return self.live_keys.get(key_id)
        if endpoint.owner is None or endpoint.owner_role is None:
            return None
        if endpoint.owner_until is not None and self.now >= endpoint.owner_until:
            return None
        return Principal(
            role=Role(endpoint.owner_role),
            org_id=endpoint.owner_org_id,
            subject=endpoint.owner.removeprefix(TOKEN_OWNER),
        )

    def receives(self, endpoint: WebhookEndpoint) -> bool:
        """Whether the endpoint's owner may receive change events now."""
        if owner_key_id(endpoint.owner) is None and endpoint.owner_role is None:
            return True  # made by a token before its role and end were recorded
        principal = self.principal(endpoint)
        return principal is not None and policy.may_follow_feed(principal)


async def owners(
    session: AsyncSession, endpoints: Sequence[WebhookEndpoint], *, now: datetime
) -> Owners:
    """The owners of ``endpoints`` as of ``now`` (one read for all their keys)."""
    ids = [key for e in endpoints if (key := owner_key_id(e.owner)) is not None]
    return Owners(await keys.live_keys(session, ids, now=now), now)


async def _disable(session: AsyncSession, endpoint_ids: Sequence[uuid.UUID], reason: str) -> None:
    await repository.set_endpoints_status(
        session, endpoint_ids, EndpointStatus.DISABLED, reason=reason
    )


async def orphans(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Enabled endpoints whose owner may no longer receive (a cheap read, no lock)."""
    enabled = await repository.enabled_endpoints_owned_by_keys_or_ending(
        session, key_prefix=KEY_OWNER, now=now
    )
    known = await owners(session, enabled, now=now)
    return [e.id for e in enabled if not known.receives(e)]


async def disable_orphans(
    session: AsyncSession, endpoint_ids: Sequence[uuid.UUID], *, now: datetime
) -> int:
    """Disable those endpoints whose owner still may not receive (checked again under this
    transaction), and fail their pending deliveries unsent. Returns how many were disabled."""
    rows = await repository.enabled_endpoints(session, ids=endpoint_ids)
    known = await owners(session, rows, now=now)
    gone = [e.id for e in rows if not known.receives(e)]
    await _disable(session, gone, OWNER_GONE)
    if gone:
        await repository.fail_pending_deliveries(session, gone, now=now)
    await session.flush()
    return len(gone)


# --- fan-out and scheduling ------------------------------------------------------------------


async def fan_out(session: AsyncSession, *, limit: int, now: datetime) -> list[uuid.UUID]:
    """Create the deliveries of up to ``limit`` published events not fanned out yet. Returns
    the new deliveries' ids (due now). The caller commits."""
    last = await repository.lock_fanout(session)
    if last is None:
        raise RuntimeError("the webhook_fanout row is missing (run `greenrong migrate`)")
    items = await feed.read(session, after=last, limit=limit)
    if not items:
        return []
    enabled = await repository.enabled_endpoints(session)
    known = await owners(session, enabled, now=now)
    endpoints = [e for e in enabled if known.receives(e)]
    await _disable(session, [e.id for e in enabled if not known.receives(e)], OWNER_GONE)
    deliveries = [
        WebhookDelivery(
            id=uuid.uuid4(),
            endpoint_id=endpoint.id,
            event_id=item.event.id,
            position=item.position,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for item in items
        for endpoint in endpoints
        if not endpoint.entity_types or item.event.entity_type in endpoint.entity_types
        if endpoint.created_at <= item.event.occurred_at
    ]
    session.add_all(deliveries)
    await repository.move_fanout(session, items[-1].position)
    await session.flush()
    return [d.id for d in deliveries]


async def fan_out_pending(session: AsyncSession) -> bool:
    """Whether the feed has events not fanned out yet (a cheap read, no lock)."""
    return await feed.head(session) > await repository.fanout_position(session)


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[uuid.UUID]:
    """Lease up to ``limit`` due pending deliveries, oldest first: nobody else sends them
    before ``lease_until`` (a sender that dies mid-request is retried after it)."""
    return await repository.lease_due_deliveries(
        session, now=now, lease_until=lease_until, limit=limit
    )


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending delivery is due."""
    return await repository.next_due_at(session)


@dataclass(frozen=True)
class Outgoing:
    """Everything one attempt needs, read in one short session."""

    delivery_id: uuid.UUID
    url: str
    msg_id: str
    body: str
    secrets: list[str]


def message_body(event: ChangeEvent, position: int) -> dict[str, Any]:
    """The JSON body: the Standard Webhooks envelope (``type``, ``timestamp``, ``data``). The data
    is the event, not the entity: fetch the entity with ``node(id:)`` under your own role."""
    from greenrong.domain.kit.jsonable import jsonable

    return {
        "type": f"change.{event.operation.value.lower()}",
        "timestamp": jsonable(event.occurred_at),
        "data": {
            "id": str(event.id),
            "cursor": feed.encode_cursor(position),
            "entityType": event.entity_type,
            "entityId": _global_id(event.entity_type, event.entity_id),
            "operation": event.operation.value,
            "entityVersion": event.entity_version,
            "occurredAt": jsonable(event.occurred_at),
        },
    }


#: the webhook ``type`` of a saved-search alert
ALERT_TYPE = "savedSearch.alert"


def alert_message_body(alert: ListingAlert) -> dict[str, Any]:
    """The JSON body of a saved-search alert (type ``savedSearch.alert``): which saved search,
    which listing and version. As for changes, fetch the listing with ``node(id:)``."""
    from greenrong.domain.kit.jsonable import jsonable
    from greenrong.domain.partners.saved_searches import encode_alert_cursor

    return {
        "type": ALERT_TYPE,
        "timestamp": jsonable(alert.created_at),
        "data": {
            "id": str(alert.id),
            "cursor": encode_alert_cursor(alert.seq),
            "savedSearchId": _global_id("SavedSearch", alert.saved_search_id),
            "listingId": _global_id("TechnologyListing", alert.listing_id),
            "listingVersion": alert.listing_version,
            "createdAt": jsonable(alert.created_at),
        },
    }


def _global_id(type_name: str, id: uuid.UUID) -> str:
    """The API's global id (``base64("Type:uuid")``), as ``schema/kit/ids.py`` makes it."""
    import base64

    return base64.b64encode(f"{type_name}:{id}".encode()).decode()


async def outgoing(session: AsyncSession, delivery_id: uuid.UUID, now: datetime) -> Outgoing | None:
    """The request of a pending delivery, or None when there is nothing to send (done, gone,
    or its endpoint was disabled: then the delivery is failed here)."""
    import json

    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None:
        return None
    # the owner, asked again now: a key revoked since the fan-out receives nothing more
    known = await owners(session, [endpoint], now=now)
    if endpoint.status == EndpointStatus.ENABLED and not known.receives(endpoint):
        await disable_orphans(session, [endpoint.id], now=now)
        return None
    message: dict[str, Any] | None = None
    if delivery.alert_id is not None:
        alert = await session.get(ListingAlert, delivery.alert_id)
        if alert is not None and await _owner_sees_listing(session, alert, known, endpoint, now):
            message = alert_message_body(alert)
    elif delivery.event_id is not None:
        event = await session.get(ChangeEvent, delivery.event_id)
        message = None if event is None else message_body(event, delivery.position)
    if message is None or endpoint.status != EndpointStatus.ENABLED:
        # nothing the owner may be sent (gone, or no longer visible to it), or disabled
        delivery.status = DeliveryStatus.FAILED
        delivery.finished_at = now
        delivery.next_attempt_at = None
        await session.flush()
        return None
    body = json.dumps(message, ensure_ascii=False)
    msg_id = str(message["data"]["id"])
    return Outgoing(delivery.id, endpoint.url, msg_id, body, signing_secrets(endpoint, now))


async def _owner_sees_listing(
    session: AsyncSession,
    alert: ListingAlert,
    known: Owners,
    endpoint: WebhookEndpoint,
    now: datetime,
) -> bool:
    """Whether the alert's listing is one the owner may see now (the row policy, as for
    ``node(id:)``): a listing withdrawn or made a draft since it matched is not announced."""
    from greenrong.domain.partners.saved_searches import owner_principal
    from greenrong.domain.technology.models import TechnologyListing

    principal = known.principal(endpoint)
    if principal is None:
        saved = await session.get(SavedSearch, alert.saved_search_id)
        if saved is None:
            return False
        principal = owner_principal(saved)
    predicate = policy.visible_rows(principal, TechnologyListing.entity_type)
    return await repository.listing_visible(
        session, alert.listing_id, to_sql(TechnologyListing, predicate, now=now)
    )


async def record_attempt(
    session: AsyncSession,
    *,
    delivery_id: uuid.UUID,
    attempted_at: datetime,
    status_code: int | None,
    duration_ms: int,
    error: str | None,
    backoff: Backoff,
) -> WebhookDelivery:
    """Log one request and decide what follows: success, a retry later, or giving up (the
    delivery fails and its endpoint is disabled) once the retry window has passed."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound("WebhookDelivery", delivery_id)
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=attempted_at,
            status_code=status_code,
            duration_ms=duration_ms,
            error=None if error is None else error[:ERROR_LIMIT],
        )
    )
    delivery.attempts += 1
    if error is None:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.finished_at = attempted_at
        delivery.next_attempt_at = None
    else:
        retry_at = attempted_at + timedelta(seconds=backoff.delay(delivery.attempts))
        give_up_at = delivery.created_at + timedelta(seconds=backoff.window_seconds)
        if retry_at > give_up_at:
            delivery.status = DeliveryStatus.FAILED
            delivery.finished_at = attempted_at
            delivery.next_attempt_at = None
            await _disable(
                session,
                [delivery.endpoint_id],
                f"delivery {delivery.id} failed for "
                f"{backoff.window_seconds:g} s; last error: {error[:200]}",
            )
        else:
            delivery.next_attempt_at = retry_at
    await session.flush()
    return delivery


async def redeliver(
    session: AsyncSession, *, delivery_id: uuid.UUID, now: datetime, scope: Scope
) -> WebhookDelivery:
    """Send a delivery again now, whatever its status; a disabled endpoint is enabled again
    (redelivering is how a partner says its receiver works again). The retry window restarts."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("WebhookDelivery", delivery_id)
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not scope.covers(endpoint.owner):
        raise NotFound("WebhookDelivery", delivery_id)
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.finished_at = None
    delivery.created_at = now
    await repository.set_endpoints_status(
        session, [delivery.endpoint_id], EndpointStatus.ENABLED, reason=None
    )
    await session.flush()
    return delivery


async def deliveries(
    session: AsyncSession, *, endpoint_id: uuid.UUID, limit: int, scope: Scope
) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """The endpoint's latest deliveries, newest first, each with its attempts oldest first."""
    await get_endpoint(session, endpoint_id, scope=scope)
    rows = await repository.latest_deliveries(session, endpoint_id, limit=limit)
    attempts: dict[uuid.UUID, list[WebhookAttempt]] = {row.id: [] for row in rows}
    if rows:
        for attempt in await repository.attempts_of(session, list(attempts)):
            attempts[attempt.delivery_id].append(attempt)
    return [(row, attempts[row.id]) for row in rows]


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
    """A delivery's attempts, oldest first."""
    return await repository.attempts_of(session, [delivery_id])
