"""TechnologyNeed.listingMatches and TechnologyListing.buyerMatches: thin glue over the
matching rules (``domain/matching/technology.py``) and the listings query
(``indexers/matching/technology.py``).

Both go through a DataLoader keyed by ``first``: under a list of needs, every need's listings
come from one ``_msearch`` and one SELECT of the listings; under a list of listings, every
listing's buyers come from the same three statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.kit import listing
from greenrong.domain.matching import technology as rules
from greenrong.domain.technology.models import TechnologyListing as ListingRow
from greenrong.domain.technology.models import TechnologyNeed as NeedRow
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.indexers.matching.technology import canonical_terms, rank_listings
from greenrong.resolvers.loaders import SizedLoader
from greenrong.schema.kit.context import Context, Info
from greenrong.schema.matching.reasons import reasons_of
from greenrong.schema.matching.technology import (
    BuyerMatchConnection,
    BuyerMatchEdge,
    EnterpriseLead,
    TechnologyListingMatchConnection,
    TechnologyListingMatchEdge,
)
from greenrong.schema.search.types import SearchUnavailable
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

ListingMatches = TechnologyListingMatchConnection | SearchUnavailable


def checked_first(info: Info, first: int) -> int:
    largest = info.context.settings.max_page_size
    if not 0 <= first <= largest:
        raise ValidationFailed.one("first", ErrorCode.OUT_OF_RANGE, f"must be 0–{largest}")
    return first


async def listing_matches(info: Info, need_id: uuid.UUID, first: int) -> ListingMatches:
    size = checked_first(info, first)
    return await info.context.loaders.get(ListingMatchesLoader, info.context, size).load(need_id)


class ListingMatchesLoader(SizedLoader[uuid.UUID, ListingMatches]):
    """Per need id: its ranked listings, ``size`` at most (one search, one statement a batch)."""

    async def load_batch(self, need_ids: Sequence[uuid.UUID]) -> list[ListingMatches]:
        context, size = self.context, self.size
        loaders = context.loaders
        async with context.sessionmaker() as session:
            needs = await listing.fetch_by_ids(session, NeedRow, need_ids)
        found = [needs[i] for i in need_ids if i in needs]
        try:
            ranked = await rank_listings(context.search, found, size=size)
        except SearchUnavailableError as error:
            unavailable = SearchUnavailable(code=error.reason, message=error.message)
            return [unavailable for _ in need_ids]
        hits = dict(zip((n.id for n in found), ranked, strict=True))
        ids = {h.id for per_need in ranked for h in per_need}
        async with context.sessionmaker() as session:
            rows = await listing.fetch_by_ids(
                session, ListingRow, list(ids), scope=loaders.scope(ListingRow)
            )
        now = context.clock.now()
        answers: list[ListingMatches] = []
        for need_id in need_ids:
            edges: list[TechnologyListingMatchEdge] = []
            need = needs.get(need_id)
            for hit in hits.get(need_id, []):
                row = rows.get(hit.id)
                # a row that vanished, or changed since it was indexed, is left out
                if need is None or row is None or rules.failures(row, need):
                    continue
                edges.append(
                    TechnologyListingMatchEdge(
                        node=TechnologyListing.from_row(row),
                        score=round(hit.score, 6),
                        rank=len(edges) + 1,
                        reasons=reasons_of(rules.listing_reasons(need, row, hit.matched, now=now)),
                    )
                )
            answers.append(TechnologyListingMatchConnection(edges=edges))
        return answers


async def buyer_matches(
    info: Info, listing_id: uuid.UUID, first: int, row: ListingRow | None = None
) -> BuyerMatchConnection:
    """``row``: the listing as the caller's page or node read it in this request, if at hand
    (its batch does not read it again)."""
    size = checked_first(info, first)
    loader = info.context.loaders.get(BuyerMatchesLoader, info.context, size)
    if row is not None:
        loader.rows[listing_id] = row
    return await loader.load(listing_id)


class BuyerMatchesLoader(SizedLoader[uuid.UUID, BuyerMatchConnection]):
    """Per listing id: its ranked buyers, ``size`` at most (the same three statements per batch,
    and one more for listings whose rows the request has not read yet)."""

    def __init__(self, context: Context, size: int) -> None:
        super().__init__(context, size)
        #: listing rows this request has read already, by id
        self.rows: dict[uuid.UUID, ListingRow] = {}

    async def load_batch(self, listing_ids: Sequence[uuid.UUID]) -> list[BuyerMatchConnection]:
        context, size = self.context, self.size
        listings = {i: self.rows[i] for i in listing_ids if i in self.rows}
        async with context.sessionmaker() as session:
            missing = [i for i in listing_ids if i not in listings]
            if missing:
                listings |= await listing.fetch_by_ids(session, ListingRow, missing)
            found = await rules.buyer_matches(
                session,
                list(listings.values()),
                first=size,
                terms_of=canonical_terms,
                now=context.clock.now(),
            )
        return [_buyers(found.get(i, [])) for i in listing_ids]


def _buyers(matches: list[rules.BuyerMatch]) -> BuyerMatchConnection:
    edges = []
    for rank, match in enumerate(matches, start=1):
        node: Any = (
            TechnologyNeed.from_row(match.need)
            if match.need is not None
            else EnterpriseLead(enterprise_id=match.enterprise_id)
        )
        edges.append(
            BuyerMatchEdge(
                node=node, score=match.score, rank=rank, reasons=reasons_of(match.reasons)
            )
        )
    return BuyerMatchConnection(edges=edges)
