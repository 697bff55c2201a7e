"""Matching as a tracked service: a financing match and a technology deal, each a state machine.

The legal moves are data (``MATCH_FLOW``, ``DEAL_FLOW``); one function (``_move``) applies
either. A move that the machine does not allow raises ``ValidationFailed`` with
``INVALID_TRANSITION`` on ``status`` and changes nothing. Reaching the success state (financed,
traded) needs an amount, and only that state carries one. Every write goes through
``kit.service``, so it is version-checked and leaves a ChangeEvent in the same transaction.

Who may: the parties (``access.policy.authorize_party``): a match's demand enterprise and
product institution, a deal's buyer and listing owner, and admins. Before anything else, the
caller must see every record it acts on (the demand and the product, the listing and the need,
the match or deal itself): a record it may not see is ``NotFound`` on the field that named it,
exactly like an id that does not exist, so neither its state nor its parties leak, and nobody
makes itself a party of a record hidden from it. What follows from an allowed move (the demand
becoming MATCHED or FINANCED) is written as part of it (``access.guard.as_party``).

A financed match also marks its demand FINANCED, with the amount, the product and the time, so
the platform's financing figures (``statistics``) have one source whichever way a financing is
recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import (
    ErrorCode,
    IssueCollector,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from greenrong.domain.access.guard import as_party, check_party, visible_or_raise
from greenrong.domain.access.principal import Role
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import DemandStatus, FinancialProduct, FinancingDemand
from greenrong.domain.kit import rules, service
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching import repository
from greenrong.domain.matching.tracked import (
    DealStatus,
    FinancingMatch,
    MatchStatus,
    TechnologyDeal,
)
from greenrong.domain.reference.labels import label
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyListing,
    TechnologyNeed,
    TradeMode,
)

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """Which status may follow which; ``success`` is the one state that carries an amount."""

    start: S
    moves: Mapping[S, frozenset[S]]
    success: S

    def final(self, status: S) -> bool:
        return not self.moves[status]

    def check(self, current: S, target: S, amount: Decimal | None) -> None:
        """Raise ``ValidationFailed`` unless ``current → target`` is legal with ``amount``."""
        if target not in self.moves[current]:
            allowed = "、".join(label(s) for s in sorted(self.moves[current])) or "无（已结束）"
            raise ValidationFailed.one(
                "status",
                ErrorCode.INVALID_TRANSITION,
                f"cannot move from {current.value} ({label(current)}) to {target.value} "
                f"({label(target)}); allowed next: {allowed}",
            )
        issues = IssueCollector()
        if target is self.success:
            rules.money(issues, {"amount": amount}, "amount")
            if amount is not None and amount <= 0 and not issues.issues:
                issues.add("amount", ErrorCode.OUT_OF_RANGE, "must be greater than 0")
        elif amount is not None:
            issues.add("amount", ErrorCode.INVALID, f"only {self.success.value} carries an amount")
        issues.raise_if_any()


_M, _D = MatchStatus, DealStatus
MATCH_FLOW = StateMachine(
    start=_M.CONTACTED,
    moves={
        _M.CONTACTED: frozenset({_M.NEGOTIATING, _M.DECLINED}),
        _M.NEGOTIATING: frozenset({_M.FINANCED, _M.DECLINED}),
        _M.FINANCED: frozenset(),
        _M.DECLINED: frozenset(),
    },
    success=_M.FINANCED,
)
DEAL_FLOW = StateMachine(
    start=_D.CONTACTED,
    moves={
        _D.CONTACTED: frozenset({_D.NEGOTIATING, _D.DECLINED}),
        _D.NEGOTIATING: frozenset({_D.TRADED, _D.DECLINED}),
        _D.TRADED: frozenset(),
        _D.DECLINED: frozenset(),
    },
    success=_D.TRADED,
)

#: demands that may still be taken up by a product
_TAKING_UP = frozenset({DemandStatus.OPEN, DemandStatus.MATCHED})


async def _no_rules(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Moves are checked by the state machine before the write."""


# --- financing matches --------------------------------------------------------------------------


async def _validate_new_match(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    demand = await session.get(FinancingDemand, values["demand_id"])
    product = await session.get(FinancialProduct, values["product_id"])
    if demand is None:
        issues.add("demand_id", ErrorCode.UNKNOWN_REFERENCE, "the demand does not exist")
    elif demand.status not in _TAKING_UP:
        issues.add(
            "demand_id",
            ErrorCode.INVALID,
            f"the demand is {demand.status.value} ({label(demand.status)}), not open",
        )
    if product is None:
        issues.add("product_id", ErrorCode.UNKNOWN_REFERENCE, "the product does not exist")
    elif not product.active:
        issues.add("product_id", ErrorCode.INVALID, "the product is not active")
    if (
        demand is not None
        and product is not None
        and await repository.match_taken(session, demand_id=demand.id, product_id=product.id)
    ):
        issues.add("product_id", ErrorCode.DUPLICATE, "this demand already has this match")
    issues.raise_if_any()


async def start_match(
    session: AsyncSession, *, demand_id: uuid.UUID, product_id: uuid.UUID
) -> FinancingMatch:
    """Record that a demand and a product were put in touch (CONTACTED); the demand becomes
    MATCHED when it was OPEN."""
    demand = await visible_or_raise(session, FinancingDemand, demand_id, field="demand_id")
    product = await visible_or_raise(session, FinancialProduct, product_id, field="product_id")
    _check_match_party(session, demand, product)
    values = {"demand_id": demand_id, "product_id": product_id, "status": MATCH_FLOW.start}
    with as_party(session):
        match = await service.create(session, FinancingMatch, values, validate=_validate_new_match)
        demand = await service.get_or_raise(session, FinancingDemand, demand_id)
        if demand.status is DemandStatus.OPEN:
            await _update(session, demand, {"status": DemandStatus.MATCHED})
    return match


def _check_match_party(
    session: AsyncSession, demand: FinancingDemand, product: FinancialProduct
) -> None:
    """The parties of a match: the demand's enterprise and the product's institution."""
    check_party(
        session,
        FinancingMatch.entity_type,
        {Role.ENTERPRISE: {demand.enterprise_id}, Role.INSTITUTION: {product.institution_id}},
    )


async def update_match_status(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    status: MatchStatus,
    amount: Decimal | None = None,
) -> FinancingMatch:
    # the match itself is seen by its parties only (``policy.visible_rows``); its demand and
    # product are looked up to name the parties, whatever has become of them since
    existing = await service.get_or_raise(session, FinancingMatch, id)
    demand = await session.get(FinancingDemand, existing.demand_id)
    product = await session.get(FinancialProduct, existing.product_id)
    if demand is None or product is None:
        raise NotFound(FinancingMatch.entity_type, id)
    _check_match_party(session, demand, product)
    with as_party(session):
        match = await _move(session, FinancingMatch, MATCH_FLOW, id, version, status, amount)
        if status is MatchStatus.FINANCED:
            demand = await service.get_or_raise(session, FinancingDemand, match.demand_id)
            await _update(
                session,
                demand,
                {
                    "status": DemandStatus.FINANCED,
                    "financed_amount": amount,
                    "financed_at": match.closed_at,
                    "product_id": match.product_id,
                },
            )
    return match


# --- technology deals ---------------------------------------------------------------------------


async def _validate_new_deal(session: AsyncSession, values: Mapping[str, Any]) -> None:
    issues = IssueCollector()
    listing = await session.get(TechnologyListing, values["listing_id"])
    if listing is None:
        issues.add("listing_id", ErrorCode.UNKNOWN_REFERENCE, "the listing does not exist")
    elif listing.status is not ListingStatus.PUBLISHED:
        issues.add(
            "listing_id",
            ErrorCode.INVALID,
            f"the listing is {listing.status.value} ({label(listing.status)}), not published",
        )
    buyer = values.get("enterprise_id")
    if listing is not None and buyer is not None and listing.owner_enterprise_id == buyer:
        issues.add("enterprise_id", ErrorCode.INVALID, "the buyer owns the listing")
    if (
        listing is not None
        and buyer is not None
        and await repository.deal_taken(session, listing_id=listing.id, enterprise_id=buyer)
    ):
        issues.add("listing_id", ErrorCode.DUPLICATE, "this buyer already has this deal")
    issues.raise_if_any()


async def start_technology_deal(
    session: AsyncSession,
    *,
    listing_id: uuid.UUID,
    need_id: uuid.UUID | None = None,
    enterprise_id: uuid.UUID | None = None,
) -> TechnologyDeal:
    """Record that a listing's owner and a buyer are in touch: a buyer with a posted need
    (``need_id``, which must be open) or an enterprise lead (``enterprise_id``)."""
    issues = IssueCollector()
    rules.exactly_one(
        issues, {"need_id": need_id, "enterprise_id": enterprise_id}, "need_id", "enterprise_id"
    )
    issues.raise_if_any()
    listing = await visible_or_raise(session, TechnologyListing, listing_id, field="listing_id")
    if need_id is not None:
        need = await visible_or_raise(session, TechnologyNeed, need_id, field="need_id")
        if need.status is not NeedStatus.OPEN:  # the caller sees it: its own need
            raise ValidationFailed.one("need_id", ErrorCode.INVALID, "the need is closed")
        enterprise_id = need.enterprise_id
    elif enterprise_id is not None:  # exactly one of the two (checked above)
        await visible_or_raise(session, Enterprise, enterprise_id, field="enterprise_id")
    _check_deal_party(session, listing, enterprise_id)
    values = {
        "listing_id": listing_id,
        "need_id": need_id,
        "enterprise_id": enterprise_id,
        "status": DEAL_FLOW.start,
    }
    with as_party(session):
        return await service.create(session, TechnologyDeal, values, validate=_validate_new_deal)


def _check_deal_party(
    session: AsyncSession, listing: TechnologyListing, buyer_id: uuid.UUID | None
) -> None:
    """The parties of a deal: the buyer, and the listing's owner (an enterprise or an
    institution)."""
    check_party(
        session,
        TechnologyDeal.entity_type,
        {
            Role.ENTERPRISE: {buyer_id, listing.owner_enterprise_id} - {None},
            Role.INSTITUTION: {listing.owner_institution_id} - {None},
        },
    )


async def update_deal_status(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    version: int,
    status: DealStatus,
    amount: Decimal | None = None,
) -> TechnologyDeal:
    existing = await service.get_or_raise(session, TechnologyDeal, id)  # its parties' rows only
    listing = await session.get(TechnologyListing, existing.listing_id)
    if listing is None:
        raise NotFound(TechnologyDeal.entity_type, id)
    _check_deal_party(session, listing, existing.enterprise_id)
    with as_party(session):
        deal = await _move(session, TechnologyDeal, DEAL_FLOW, id, version, status, amount)
        if status is DealStatus.TRADED and sold_outright(listing):
            # the technology is sold: the listing is TRADED in the same transaction (its own
            # change event and audit entry), and takes no new deals
            row = await service.get_or_raise(session, TechnologyListing, listing.id)
            await _update(session, row, {"status": ListingStatus.TRADED})
    return deal


def sold_outright(listing: TechnologyListing) -> bool:
    """Whether a traded deal ends the listing: a transfer (转让) sells the technology once; a
    licence, a cooperation or a service can be traded again, so the listing stays published."""
    return listing.trade_mode is TradeMode.TRANSFER and listing.status is ListingStatus.PUBLISHED


# --- the one move -------------------------------------------------------------------------------

R = TypeVar("R", FinancingMatch, TechnologyDeal)


async def _move(
    session: AsyncSession,
    model: type[R],
    machine: StateMachine[Any],
    id: uuid.UUID,
    version: int,
    status: StrEnum,
    amount: Decimal | None,
) -> R:
    row = await service.get_or_raise(session, model, id)
    if row.version != version:
        raise StaleVersion(model.entity_type, id, version, row.version)
    machine.check(row.status, status, amount)
    changes = {
        "status": status,
        "amount": amount,
        "closed_at": utcnow() if machine.final(status) else None,
    }
    return await service.update(
        session, model, id, expected_version=version, changes=changes, validate=_no_rules
    )


async def _update(session: AsyncSession, row: Any, changes: Mapping[str, Any]) -> None:
    await service.update(
        session,
        type(row),
        row.id,
        expected_version=row.version,
        changes=changes,
        validate=_no_rules,
    )
