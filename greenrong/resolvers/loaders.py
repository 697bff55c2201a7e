"""Per-request DataLoaders. Each batch opens its own short read session, so loaders running
concurrently never share an ``AsyncSession``.

Three generic loaders cover every relation: rows by id, a page of children per parent, and the
number of children per parent. Loaders for nested pages are keyed by the page's arguments, so
siblings asking for the same page are batched into one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from greenrong.core.db import SessionMaker
from greenrong.domain.kit import listing
from greenrong.domain.kit.listing import Listing, ListQuery, Page
from greenrong.domain.kit.models import Entity


class Loaders:
    def __init__(self, sessionmaker: SessionMaker, *, max_page_size: int) -> None:
        self.sessionmaker = sessionmaker
        self.max_page_size = max_page_size
        self._loaders: dict[Any, DataLoader[Any, Any]] = {}

    def entity(self, model: type[Entity]) -> DataLoader[uuid.UUID, Any]:
        """Rows of ``model`` by id (None for a missing id)."""

        async def load(ids: Sequence[uuid.UUID]) -> list[Any]:
            async with self.sessionmaker() as session:
                found = await listing.fetch_by_ids(session, model, ids)
            return [found.get(i) for i in ids]

        return self._get(("entity", model), load)

    def children(
        self, of: Listing[Any], parent: InstrumentedAttribute[Any], query: ListQuery
    ) -> DataLoader[uuid.UUID, Page[Any]]:
        """A page of ``of`` rows per parent id."""

        async def load(ids: Sequence[uuid.UUID]) -> list[Page[Any]]:
            async with self.sessionmaker() as session:
                pages = await listing.fetch_child_pages(
                    session,
                    of,
                    query,
                    parent=parent,
                    parent_ids=ids,
                    max_page_size=self.max_page_size,
                )
            return [pages[i] for i in ids]

        return self._get(("children", of.model, parent.key, query.cache_key()), load)

    def child_counts(
        self, of: Listing[Any], parent: InstrumentedAttribute[Any], query: ListQuery
    ) -> DataLoader[uuid.UUID, int]:
        """How many ``of`` rows match per parent id."""
        where_only = ListQuery(where=query.where)

        async def load(ids: Sequence[uuid.UUID]) -> list[int]:
            async with self.sessionmaker() as session:
                counts = await listing.count_children(
                    session, of, where_only, parent=parent, parent_ids=ids
                )
            return [counts[i] for i in ids]

        return self._get(("child_counts", of.model, parent.key, where_only.cache_key()), load)

    def _get(self, key: Any, load: Any) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader
