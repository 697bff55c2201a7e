"""Saved searches and listing alerts: types, inputs and payloads."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry

from greenrong.domain.partners.models import ListingAlert as ListingAlertRow
from greenrong.domain.partners.models import SavedSearch as SavedSearchRow
from greenrong.domain.partners.models import SavedSearchStatus
from greenrong.domain.partners.saved_searches import alert_counts, encode_alert_cursor
from greenrong.domain.technology.models import TechnologyListing as ListingRow
from greenrong.resolvers.loaders import RequestLoader
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.enums import register
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from greenrong.schema.kit.ids import to_global_id
from greenrong.schema.search.inputs import TechnologyListingSearchFilter
from greenrong.schema.search.types import SearchEntity
from greenrong.schema.technology.types import TechnologyListing

register(
    SavedSearchStatus,
    "Whether a saved search raises alerts.",
    notes={
        "ACTIVE": "changed listings are matched against it, and new matches alert",
        "PAUSED": "not matched: no alerts until it is resumed",
    },
)


class AlertCounts(RequestLoader[uuid.UUID, int]):
    """How many alerts each saved search raised, by its id (one statement per batch)."""

    async def load_batch(self, ids: list[uuid.UUID]) -> list[int]:
        async with self.read() as session:
            counts = await alert_counts(session, ids)
        return [counts[i] for i in ids]


@strawberry.type(
    description=(
        "A technology-listing search saved for alerts: when a listing is created or changes so "
        "that it newly matches, an alert goes to the owner (the `listingAlerts` subscription and "
        "the owner's webhooks)."
    )
)
class SavedSearch:
    id: strawberry.ID = strawberry.field(description="Global id of the saved search.")
    name: str = strawberry.field(description="The owner's name for it (may be empty).")
    entity: SearchEntity = strawberry.field(description="What it searches (TECHNOLOGY_LISTING).")
    query: str | None = strawberry.field(description="The full-text query, or null for none.")
    filter_json: str = strawberry.field(
        description="The filter as saved: JSON of the `TechnologyListingSearchFilter` input, "
        "with the API's field names (`{}` for none)."
    )
    status: SavedSearchStatus = strawberry.field(description="Whether it raises alerts.")
    created_at: datetime = strawberry.field(description="When it was saved (UTC).")
    pk: strawberry.Private[uuid.UUID]

    @strawberry.field(description="How many alerts it raised so far.")
    async def alert_count(self, info: Info) -> int:
        return await info.context.loaders.get(AlertCounts, info.context).load(self.pk)

    @classmethod
    def from_row(cls, row: SavedSearchRow) -> SavedSearch:
        return cls(
            id=strawberry.ID(to_global_id("SavedSearch", row.id)),
            name=row.name,
            entity=SearchEntity.TECHNOLOGY_LISTING,
            query=row.query,
            filter_json=json.dumps(row.filter_input, ensure_ascii=False, sort_keys=True),
            status=row.status,
            created_at=row.created_at,
            pk=row.id,
        )


@strawberry.type(
    description=(
        "A listing newly matched a saved search. `id` is stable: deduplicate on it when the "
        "subscription (after a reconnect) or a webhook brings the same alert twice."
    )
)
class ListingAlert:
    id: strawberry.ID = strawberry.field(description="The alert's stable id (a UUID).")
    cursor: str = strawberry.field(
        description="Its place among the saved search's alerts: pass it as `after` to "
        "`listingAlerts` to resume right after it."
    )
    saved_search_id: strawberry.ID = strawberry.field(description="Global id of the saved search.")
    listing_id: strawberry.ID = strawberry.field(description="Global id of the listing.")
    listing_version: int = strawberry.field(description="The listing's `version` that matched.")
    created_at: datetime = strawberry.field(description="When the alert was raised (UTC).")
    listing_pk: strawberry.Private[uuid.UUID]
    #: fresh loaders of one subscription message (a connection's own would cache old rows)
    loaders: strawberry.Private[Any]

    @strawberry.field(
        description="The listing as it is now, as your role sees it; null if it is gone or "
        "no longer visible to you."
    )
    async def listing(self, info: Info) -> TechnologyListing | None:
        loaders = self.loaders or info.context.loaders
        row = await loaders.entity(ListingRow).load(self.listing_pk)
        return None if row is None else TechnologyListing.from_row(row)

    @classmethod
    def from_row(cls, row: ListingAlertRow, loaders: Any = None) -> ListingAlert:
        return cls(
            id=strawberry.ID(str(row.id)),
            cursor=encode_alert_cursor(row.seq),
            saved_search_id=strawberry.ID(to_global_id("SavedSearch", row.saved_search_id)),
            listing_id=strawberry.ID(to_global_id("TechnologyListing", row.listing_id)),
            listing_version=row.listing_version,
            created_at=row.created_at,
            listing_pk=row.listing_id,
            loaders=loaders,
        )


@strawberry.input(description="A search to save for alerts.")
class SaveSearchInput:
    entity: SearchEntity = strawberry.field(
        description="What to search; only TECHNOLOGY_LISTING can be saved."
    )
    query: str | None = strawberry.field(
        default=None, description="Full-text query, as for `searchTechnologyListings`."
    )
    filter: TechnologyListingSearchFilter | None = strawberry.field(
        default=None, description="Filter, as for `searchTechnologyListings`."
    )
    name: str = strawberry.field(default="", description="Your name for it (at most 200).")


@strawberry.input(description="The saved search to change or delete.")
class SavedSearchIdInput:
    id: strawberry.ID = strawberry.field(description="Global id of the saved search.")


@strawberry.type(description="The saved search after the change.")
class SavedSearchSuccess:
    saved_search: SavedSearch = strawberry.field(description="The saved search.")


@strawberry.type(description="The saved search was deleted, with its alerts.")
class DeleteSavedSearchSuccess:
    id: strawberry.ID = strawberry.field(description="Global id of the deleted saved search.")


SaveSearchPayload = Annotated[
    SavedSearchSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "SaveSearchPayload", description="The saved search, or why nothing was stored."
    ),
]
PauseSavedSearchPayload = Annotated[
    SavedSearchSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "PauseSavedSearchPayload", description="The paused saved search, or why nothing changed."
    ),
]
ResumeSavedSearchPayload = Annotated[
    SavedSearchSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "ResumeSavedSearchPayload", description="The resumed saved search, or why nothing changed."
    ),
]
DeleteSavedSearchPayload = Annotated[
    DeleteSavedSearchSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "DeleteSavedSearchPayload", description="What was deleted, or why nothing changed."
    ),
]
