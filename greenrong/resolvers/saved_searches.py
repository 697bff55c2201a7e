"""Saved searches (save, list, pause, resume, delete) and the `listingAlerts` subscription:
thin glue. The filter goes through ``resolvers.search.filter_values``, the very code that
checks and converts the filter of ``searchTechnologyListings``."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Awaitable, Callable
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import DomainError, ErrorCode, Forbidden, ValidationFailed
from greenrong.domain.kit.jsonable import jsonable
from greenrong.domain.partners import saved_searches
from greenrong.domain.partners.models import SavedSearch as SavedSearchRow
from greenrong.domain.partners.models import SavedSearchStatus
from greenrong.resolvers.common import write
from greenrong.resolvers.partners import _hub, _subscription_error, event_loaders
from greenrong.resolvers.search import LISTINGS, filter_values
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.errors import MutationError, api_field
from greenrong.schema.kit.ids import expect_global_id
from greenrong.schema.kit.relay import After, Edge, First, PageInfo
from greenrong.schema.kit.relay import Connection as RelayConnection
from greenrong.schema.partners.saved_searches import (
    DeleteSavedSearchPayload,
    DeleteSavedSearchSuccess,
    ListingAlert,
    PauseSavedSearchPayload,
    ResumeSavedSearchPayload,
    SavedSearch,
    SavedSearchIdInput,
    SavedSearchSuccess,
    SaveSearchInput,
    SaveSearchPayload,
)
from greenrong.schema.search.types import SearchEntity

T = TypeVar("T")


def _owner(info: Info) -> str:
    """The caller as an owner of saved searches: any authenticated caller; not the public."""
    owner = info.context.principal.identity
    if owner is None:
        raise Forbidden("saving searches needs an API key or a token")
    return owner


def _input_json(given: Any) -> dict[str, Any]:
    """The filter input as JSON with the API's names, to show it back as given."""
    if given is None or given is strawberry.UNSET:
        return {}
    shown: dict[str, Any] = {}
    for f in dataclasses.fields(given):
        value = getattr(given, f.name)
        if value is None or value is strawberry.UNSET:
            continue
        if dataclasses.is_dataclass(value):
            value = {
                k.name: getattr(value, k.name)
                for k in dataclasses.fields(value)
                if getattr(value, k.name) not in (None, strawberry.UNSET)
            }
        elif isinstance(value, list):
            value = [v.name if isinstance(v, Enum) else v for v in value]
        shown[api_field(f.name)] = jsonable(value)
    return shown


async def _write(
    info: Info, action: Callable[[AsyncSession, str], Awaitable[T]]
) -> T | MutationError:
    """One mutation of the caller's saved searches through the one write edge; a DomainError
    is a typed payload member and changes nothing."""

    async def owned(session: AsyncSession) -> T:
        return await action(session, _owner(info))

    return await write(info, owned)


@strawberry.type(description="Your saved searches.")
class SavedSearchQuery:
    @strawberry.field(
        description="Your own saved searches, newest first. For any caller with an API key or "
        "a token; each caller sees only its own."
    )
    async def saved_searches(
        self, info: Info, first: First = None, after: After = None
    ) -> RelayConnection[SavedSearch]:
        owner = _owner(info)
        settings = info.context.settings
        size = settings.default_page_size if first is None else first
        if not 0 <= size <= settings.max_page_size:
            raise ValidationFailed.one(
                "first", ErrorCode.OUT_OF_RANGE, f"between 0 and {settings.max_page_size}"
            )
        sessionmaker = info.context.sessionmaker
        async with sessionmaker() as session:
            page = await saved_searches.page(session, owner=owner, first=size, after=after)

        async def count() -> int:
            async with sessionmaker() as session:
                return await saved_searches.count(session, owner=owner)

        return RelayConnection(
            edges=[
                Edge(cursor=c, node=SavedSearch.from_row(r))
                for r, c in zip(page.rows, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            count=count,
        )


@strawberry.type(description="Save searches and manage them.")
class SavedSearchMutation:
    @strawberry.mutation(
        description=(
            "Save a technology-listing search (the query and filter of "
            "`searchTechnologyListings`) and register it for alerts. For any caller with an API "
            "key or a token; the public cannot save."
        )
    )
    async def save_search(
        self,
        info: Info,
        input: Annotated[SaveSearchInput, strawberry.argument(description="The search to save.")],
    ) -> SaveSearchPayload:
        async def action(session: AsyncSession, owner: str) -> SavedSearchSuccess:
            if input.entity != SearchEntity.TECHNOLOGY_LISTING:
                raise ValidationFailed.one(
                    "entity",
                    ErrorCode.NOT_SUPPORTED,
                    "only TECHNOLOGY_LISTING searches can be saved",
                )
            row = await saved_searches.create(
                session,
                owner=owner,
                principal=info.context.principal,
                name=input.name,
                query=input.query,
                filter_input=_input_json(input.filter),
                filters=jsonable(filter_values(LISTINGS, input.filter)),
            )
            return SavedSearchSuccess(saved_search=SavedSearch.from_row(row))

        return await _write(info, action)

    @strawberry.mutation(description="Pause one of your saved searches: no alerts until resumed.")
    async def pause_saved_search(
        self,
        info: Info,
        input: Annotated[SavedSearchIdInput, strawberry.argument(description="Which one.")],
    ) -> PauseSavedSearchPayload:
        return await _set_status(info, input, SavedSearchStatus.PAUSED)

    @strawberry.mutation(
        description="Resume one of your paused saved searches: listings changed from now on "
        "alert again."
    )
    async def resume_saved_search(
        self,
        info: Info,
        input: Annotated[SavedSearchIdInput, strawberry.argument(description="Which one.")],
    ) -> ResumeSavedSearchPayload:
        return await _set_status(info, input, SavedSearchStatus.ACTIVE)

    @strawberry.mutation(description="Delete one of your saved searches with its alerts.")
    async def delete_saved_search(
        self,
        info: Info,
        input: Annotated[SavedSearchIdInput, strawberry.argument(description="Which one.")],
    ) -> DeleteSavedSearchPayload:
        async def action(session: AsyncSession, owner: str) -> DeleteSavedSearchSuccess:
            pk = expect_global_id(input.id, "SavedSearch")
            await saved_searches.delete_own(session, pk, owner=owner)
            return DeleteSavedSearchSuccess(id=input.id)

        return await _write(info, action)


async def _set_status(
    info: Info, input: SavedSearchIdInput, status: SavedSearchStatus
) -> SavedSearchSuccess | MutationError:
    async def action(session: AsyncSession, owner: str) -> SavedSearchSuccess:
        pk = expect_global_id(input.id, "SavedSearch")
        row = await saved_searches.set_status(session, pk, owner=owner, status=status)
        return SavedSearchSuccess(saved_search=SavedSearch.from_row(row))

    return await _write(info, action)


@strawberry.type(description="Alerts of saved searches, live.")
class SavedSearchSubscription:
    @strawberry.subscription(
        description=(
            "The alerts of one of your saved searches after `after` (every stored alert "
            "without it), then each new one as it is raised. Reconnect with the last cursor "
            "you received to miss none. Only the saved search's owner may subscribe."
        )
    )
    async def listing_alerts(
        self,
        info: Info,
        saved_search_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of your saved search.")
        ],
        after: Annotated[
            str | None,
            strawberry.argument(
                description="An alert's cursor: start right after it. Omit it for every alert."
            ),
        ] = None,
    ) -> AsyncGenerator[ListingAlert, None]:
        try:
            owner = _owner(info)
            pk = expect_global_id(saved_search_id, "SavedSearch", field="savedSearchId")
            seq = saved_searches.decode_alert_cursor(after)
            async with info.context.sessionmaker() as session:
                await saved_searches.get_own(session, pk, owner=owner)
        except DomainError as error:
            raise _subscription_error(error) from error
        settings = info.context.settings
        hub = _hub(info)
        wakeup = hub.listen()  # before the first read, so no announcement falls in between
        try:
            while True:
                async with info.context.sessionmaker() as session:
                    rows = await saved_searches.alerts_after(
                        session, pk, after=seq, limit=settings.feed_batch_size
                    )
                    if not rows and await session.get(SavedSearchRow, pk) is None:
                        return  # deleted: the stream ends
                for row in rows:
                    yield ListingAlert.from_row(row, event_loaders(info))  # listings as now
                    seq = row.seq
                if len(rows) < settings.feed_batch_size:
                    await wakeup.wait(settings.feed_poll_seconds)
        finally:
            hub.unlisten(wakeup)
