"""The change feed (query and subscription) and webhook endpoints: thin glue."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import timedelta
from typing import Annotated, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import DomainError, ValidationFailed
from greenrong.domain.access.policy import require_feed_access, webhook_scope
from greenrong.domain.partners import feed, webhooks
from greenrong.domain.partners.live import FeedHub
from greenrong.resolvers.common import write
from greenrong.resolvers.loaders import Loaders
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.errors import MutationError
from greenrong.schema.kit.ids import expect_global_id
from greenrong.schema.partners.inputs import (
    CreateWebhookEndpointInput,
    RedeliverWebhookInput,
    RotateWebhookSecretInput,
)
from greenrong.schema.partners.payloads import (
    CreateWebhookEndpointPayload,
    RedeliverWebhookPayload,
    RotateWebhookSecretPayload,
    WebhookDeliverySuccess,
)
from greenrong.schema.partners.types import (
    ChangeEvent,
    ChangeFeed,
    EntityType,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointWithSecret,
)

T = TypeVar("T")

AfterArg = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor from an earlier event or page: start right after it. "
        "Omit it to start at the beginning of the feed."
    ),
]
EntityTypesArg = Annotated[
    list[EntityType] | None,
    strawberry.argument(description="Only changes of these entity types; omit for all."),
]


def _hub(info: Info) -> FeedHub:
    """This process's feed hub, opened by the app's lifespan (``app.state.partners``)."""
    hub: FeedHub = info.context.request.app.state.partners.hub
    return hub


def _types(entity_types: list[EntityType] | None) -> list[str] | None:
    return [t.value for t in entity_types] if entity_types else None


def _subscription_error(error: DomainError) -> GraphQLError:
    """A domain error as the client sees it on a query (``extensions.code``, ``field``): the
    schema's ErrorPolicy does not see subscription results, so they are shaped here."""
    extensions = {"code": str(error.code)}
    if isinstance(error, ValidationFailed):
        extensions = {"code": str(error.issues[0].code), "field": error.issues[0].field}
    return GraphQLError(error.message, extensions=extensions)


def event_loaders(info: Info) -> Loaders:
    """Fresh loaders for one subscription event, made the operation's own: rows, their
    visibility and consent are read as they are when the event is sent. A subscription lives
    for hours, and loaders cache (a consent revoked since must count for the next event)."""
    context = info.context
    context.loaders = Loaders(
        context.sessionmaker,
        max_page_size=context.settings.max_page_size,
        principal=context.principal,
    )
    return context.loaders


@strawberry.type(description="The change feed.")
class PartnersQuery:
    @strawberry.field(
        description=(
            "Published change events after `after`, in feed order (commit order). Reading on "
            "with `after: endCursor` never skips an event, however transactions interleave. "
            "For PARTNER, REGULATOR and ADMIN callers."
        )
    )
    async def changes(
        self,
        info: Info,
        after: AfterArg = None,
        first: Annotated[
            int | None,
            strawberry.argument(description="Most events to return (default page size)."),
        ] = None,
        entity_types: EntityTypesArg = None,
    ) -> ChangeFeed:
        require_feed_access(info.context.principal)
        settings = info.context.settings
        position = feed.decode_cursor(after)
        size = min(first or settings.default_page_size, settings.max_page_size)
        async with info.context.sessionmaker() as session:
            items = await feed.read(
                session, after=position, limit=size + 1, entity_types=_types(entity_types)
            )
        page = items[:size]
        end = page[-1].position if page else position
        return ChangeFeed(
            events=[ChangeEvent.from_item(item) for item in page],
            end_cursor=feed.encode_cursor(end),
            has_more=len(items) > size,
        )


@strawberry.type(description="Live streams (graphql-transport-ws on /graphql).")
class PartnersSubscription:
    @strawberry.subscription(
        description=(
            "Every change event after `after` (replayed from the feed), then each new one as it "
            "is published. Reconnect with the last cursor you received to miss nothing. "
            "For PARTNER, REGULATOR and ADMIN callers."
        )
    )
    async def changes(
        self, info: Info, after: AfterArg = None, entity_types: EntityTypesArg = None
    ) -> AsyncGenerator[ChangeEvent, None]:
        try:
            require_feed_access(info.context.principal)
            position = feed.decode_cursor(after)
        except DomainError as error:
            raise _subscription_error(error) from error
        settings = info.context.settings
        types = _types(entity_types)
        hub = _hub(info)
        wakeup = hub.listen()  # before the first read, so no announcement falls in between
        try:
            while True:
                async with info.context.sessionmaker() as session:
                    items = await feed.read(
                        session, after=position, limit=settings.feed_batch_size, entity_types=types
                    )
                for item in items:
                    yield ChangeEvent.from_item(item, event_loaders(info))
                    position = item.position
                if len(items) < settings.feed_batch_size:
                    await wakeup.wait(settings.feed_poll_seconds)
        finally:
            hub.unlisten(wakeup)


# --- webhooks --------------------------------------------------------------------------------


async def _write(info: Info, action: Callable[[AsyncSession], Awaitable[T]]) -> T | MutationError:
    """One webhook mutation through the one write edge, for feed roles only."""

    async def checked(session: AsyncSession) -> T:
        require_feed_access(info.context.principal)
        return await action(session)

    return await write(info, checked)


@strawberry.type(description="Webhook endpoints and their deliveries.")
class WebhookQuery:
    @strawberry.field(
        description="Every webhook endpoint, oldest first. For PARTNER, REGULATOR and ADMIN."
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        scope = webhook_scope(info.context.principal)
        async with info.context.sessionmaker() as session:
            rows = await webhooks.list_endpoints(session, scope=scope)
        return [WebhookEndpoint.from_row(row) for row in rows]

    @strawberry.field(
        description=(
            "An endpoint's latest deliveries, newest first, each with every attempt (status, "
            "duration, error). For PARTNER, REGULATOR and ADMIN."
        )
    )
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the webhook endpoint.")
        ],
        first: Annotated[
            int | None, strawberry.argument(description="Most deliveries (default page size).")
        ] = None,
    ) -> list[WebhookDelivery]:
        scope = webhook_scope(info.context.principal)
        settings = info.context.settings
        pk = expect_global_id(endpoint_id, "WebhookEndpoint", field="endpointId")
        size = min(first or settings.default_page_size, settings.max_page_size)
        async with info.context.sessionmaker() as session:
            rows = await webhooks.deliveries(session, endpoint_id=pk, limit=size, scope=scope)
        return [WebhookDelivery.from_row(row, attempts) for row, attempts in rows]


@strawberry.type(description="Manage webhook endpoints.")
class WebhookMutation:
    @strawberry.mutation(
        description=(
            "Register a URL for signed webhook deliveries of changes (Standard Webhooks). The "
            "secret is in this answer only. For PARTNER, REGULATOR and ADMIN."
        )
    )
    async def create_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[
            CreateWebhookEndpointInput, strawberry.argument(description="The endpoint to create.")
        ],
    ) -> CreateWebhookEndpointPayload:
        credential = info.context.credential

        async def action(session: AsyncSession) -> WebhookEndpointWithSecret:
            row, secret = await webhooks.create_endpoint(
                session,
                url=input.url,
                entity_types=[t.value for t in input.entity_types],
                description=input.description,
                owner=info.context.principal.identity,
                principal=info.context.principal,
                until=None if credential is None else credential.expires_at,
            )
            return WebhookEndpointWithSecret(endpoint=WebhookEndpoint.from_row(row), secret=secret)

        return await _write(info, action)

    @strawberry.mutation(
        description=(
            "Replace an endpoint's signing secret. The new one is in this answer only; during "
            "the overlap (a day by default) requests carry signatures of both secrets."
        )
    )
    async def rotate_webhook_secret(
        self,
        info: Info,
        input: Annotated[
            RotateWebhookSecretInput,
            strawberry.argument(description="The endpoint whose secret to replace."),
        ],
    ) -> RotateWebhookSecretPayload:
        async def action(session: AsyncSession) -> WebhookEndpointWithSecret:
            pk = expect_global_id(input.id, "WebhookEndpoint")
            overlap = timedelta(seconds=info.context.settings.webhook_rotation_overlap_seconds)
            row, secret = await webhooks.rotate_secret(
                session,
                endpoint_id=pk,
                now=info.context.clock.now(),
                overlap=overlap,
                scope=webhook_scope(info.context.principal),
            )
            return WebhookEndpointWithSecret(endpoint=WebhookEndpoint.from_row(row), secret=secret)

        return await _write(info, action)

    @strawberry.mutation(
        description=(
            "Send a delivery again now (its retry window restarts), and enable its endpoint "
            "again if it was disabled."
        )
    )
    async def redeliver_webhook(
        self,
        info: Info,
        input: Annotated[
            RedeliverWebhookInput, strawberry.argument(description="The delivery to send again.")
        ],
    ) -> RedeliverWebhookPayload:
        async def action(session: AsyncSession) -> WebhookDeliverySuccess:
            pk = expect_global_id(input.delivery_id, "WebhookDelivery", field="deliveryId")
            scope = webhook_scope(info.context.principal)
            row = await webhooks.redeliver(
                session, delivery_id=pk, now=info.context.clock.now(), scope=scope
            )
            attempts = await webhooks.attempts_of(session, row.id)
            return WebhookDeliverySuccess(delivery=WebhookDelivery.from_row(row, attempts))

        result = await _write(info, action)
        _hub(info).announce(_hub(info).head)  # wake this process's webhook dispatcher now
        return result
