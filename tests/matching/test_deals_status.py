"""updateMatchStatus and updateDealStatus: every legal move, every illegal one, amounts, versions.

A refused move changes nothing: the row keeps its status and version, and no ChangeEvent is
written.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.finance.models import DemandStatus, FinancingDemand
from greenrong.domain.matching.deals import DEAL_FLOW, MATCH_FLOW, StateMachine
from greenrong.domain.matching.tracked import (
    DealStatus,
    FinancingMatch,
    MatchStatus,
    TechnologyDeal,
)
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_listing,
    create_product,
)

MOVE_MATCH = """
mutation($input: UpdateMatchStatusInput!) {
  result: updateMatchStatus(input: $input) {
    __typename
    ... on FinancingMatchSuccess { financingMatch { status amount version closedAt } }
    ... on ValidationError { code field message }
    ... on ConflictError { code currentVersion }
    ... on NotFoundError { code }
  }
}"""
MOVE_DEAL = """
mutation($input: UpdateDealStatusInput!) {
  result: updateDealStatus(input: $input) {
    __typename
    ... on TechnologyDealSuccess { technologyDeal { status amount version closedAt } }
    ... on ValidationError { code field message }
    ... on ConflictError { code currentVersion }
    ... on NotFoundError { code }
  }
}"""

MATCH_MOVES = sorted((a, b) for a, nexts in MATCH_FLOW.moves.items() for b in nexts)
MATCH_REFUSED = sorted(
    (a, b) for a, b in itertools.product(MatchStatus, MatchStatus) if b not in MATCH_FLOW.moves[a]
)
DEAL_MOVES = sorted((a, b) for a, nexts in DEAL_FLOW.moves.items() for b in nexts)
DEAL_REFUSED = sorted(
    (a, b) for a, b in itertools.product(DealStatus, DealStatus) if b not in DEAL_FLOW.moves[a]
)


def test_the_flows_are_the_documented_ones() -> None:
    assert MATCH_MOVES == [
        (MatchStatus.CONTACTED, MatchStatus.DECLINED),
        (MatchStatus.CONTACTED, MatchStatus.NEGOTIATING),
        (MatchStatus.NEGOTIATING, MatchStatus.DECLINED),
        (MatchStatus.NEGOTIATING, MatchStatus.FINANCED),
    ]
    assert DEAL_MOVES == [
        (DealStatus.CONTACTED, DealStatus.DECLINED),
        (DealStatus.CONTACTED, DealStatus.NEGOTIATING),
        (DealStatus.NEGOTIATING, DealStatus.DECLINED),
        (DealStatus.NEGOTIATING, DealStatus.TRADED),
    ]
    assert len(MATCH_REFUSED) == 12
    assert len(DEAL_REFUSED) == 12


async def _match_in(sessionmaker: SessionMaker, status: MatchStatus) -> FinancingMatch:
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session, name="成都光伏新能源有限公司")
        demand = await create_demand(
            session, enterprise_id=enterprise.id, status=DemandStatus.MATCHED
        )
        bank = await create_institution(session, name="成都农商银行")
        product = await create_product(session, institution_id=bank.id, name="光伏贷")
        amount = Decimal("3000000.00") if status is MatchStatus.FINANCED else None
        match = FinancingMatch(
            demand_id=demand.id, product_id=product.id, status=status, amount=amount
        )
        session.add(match)
    return match


async def _deal_in(sessionmaker: SessionMaker, status: DealStatus) -> TechnologyDeal:
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session, name="宜宾造纸有限公司")
        listing = await create_listing(session, title="造纸废水深度处理技术")
        amount = Decimal("600000.00") if status is DealStatus.TRADED else None
        deal = TechnologyDeal(
            listing_id=listing.id, enterprise_id=buyer.id, status=status, amount=amount
        )
        session.add(deal)
    return deal


async def _state(sessionmaker: SessionMaker, model: Any, id: uuid.UUID) -> tuple[Any, ...]:
    async with sessionmaker() as session:
        row = await session.get(model, id)
        events = await session.scalar(select(func.count()).select_from(ChangeEvent))
    assert row is not None
    return row.status, row.amount, row.version, events


def _move(row: Any, status: str, amount: str | None = None, version: int | None = None) -> Any:
    return {
        "input": {
            "id": to_global_id(row.entity_type, row.id),
            "version": row.version if version is None else version,
            "status": status,
            "amount": amount,
        }
    }


def _amount(success: str, target: str) -> str | None:
    """An amount a float cannot hold to the fen, for the success state."""
    return "90071992547409.93" if target == success else None


@dataclass(frozen=True)
class Machine:
    """One tracked status machine as the API moves it: matches or deals."""

    name: str
    flow: StateMachine[Any]
    mutation: str
    success: str  # the payload's success type
    payload: str  # its field holding the row
    model: Any
    new_row: Callable[[SessionMaker, Any], Awaitable[Any]]
    final_status: str  # the one status that carries an amount
    #: change events besides the row's own when it reaches ``final_status``
    extra_events: int


MATCHES = Machine(
    "match",
    MATCH_FLOW,
    MOVE_MATCH,
    "FinancingMatchSuccess",
    "financingMatch",
    FinancingMatch,
    _match_in,
    "FINANCED",
    extra_events=1,  # the demand is financed too
)
DEALS = Machine(
    "deal",
    DEAL_FLOW,
    MOVE_DEAL,
    "TechnologyDealSuccess",
    "technologyDeal",
    TechnologyDeal,
    _deal_in,
    "TRADED",
    extra_events=0,
)


def _cases(refused: bool) -> list[Any]:
    cases = [(MATCHES, a, b) for a, b in (MATCH_REFUSED if refused else MATCH_MOVES)]
    cases += [(DEALS, a, b) for a, b in (DEAL_REFUSED if refused else DEAL_MOVES)]
    return [pytest.param(*case, id=f"{case[0].name}-{case[1]}-{case[2]}") for case in cases]


@pytest.mark.parametrize(("machine", "current", "target"), _cases(refused=False))
async def test_a_legal_move_saves_the_status_and_its_change_events(
    gql, sessionmaker, machine: Machine, current: Any, target: Any
) -> None:
    # given
    row = await machine.new_row(sessionmaker, current)
    before = await _state(sessionmaker, machine.model, row.id)
    final = target.value == machine.final_status

    # when
    body = await gql(
        machine.mutation, _move(row, target.value, _amount(machine.final_status, target.value))
    )

    # then
    result = body["data"]["result"]
    assert result["__typename"] == machine.success, result
    saved = result[machine.payload]
    assert (saved["status"], saved["version"]) == (target.value, 2)
    assert saved["amount"] == ("90071992547409.93" if final else None)
    assert (saved["closedAt"] is not None) == machine.flow.final(target)
    assert await _state(sessionmaker, machine.model, row.id) == (
        target,
        Decimal("90071992547409.93") if final else None,
        2,
        before[3] + 1 + (machine.extra_events if final else 0),
    )


@pytest.mark.parametrize(("machine", "current", "target"), _cases(refused=True))
async def test_an_illegal_move_is_refused_and_changes_nothing(
    gql, sessionmaker, machine: Machine, current: Any, target: Any
) -> None:
    # given
    row = await machine.new_row(sessionmaker, current)
    before = await _state(sessionmaker, machine.model, row.id)

    # when
    body = await gql(
        machine.mutation, _move(row, target.value, _amount(machine.final_status, target.value))
    )

    # then
    result = body["data"]["result"]
    assert result["__typename"] == "ValidationError"
    assert (result["code"], result["field"]) == ("INVALID_TRANSITION", "status")
    assert await _state(sessionmaker, machine.model, row.id) == before


@pytest.mark.parametrize(
    ("target", "amount", "code"),
    [
        ("FINANCED", None, "REQUIRED"),
        ("FINANCED", "0", "OUT_OF_RANGE"),
        ("FINANCED", "-1.00", "OUT_OF_RANGE"),
        ("FINANCED", "100.001", "INVALID_FORMAT"),
        ("DECLINED", "100.00", "INVALID"),
    ],
)
async def test_only_financed_carries_an_amount_and_it_must_be_positive(
    gql, sessionmaker, target: str, amount: str | None, code: str
) -> None:
    # given
    match = await _match_in(sessionmaker, MatchStatus.NEGOTIATING)
    before = await _state(sessionmaker, FinancingMatch, match.id)

    # when
    body = await gql(MOVE_MATCH, _move(match, target, amount))

    # then
    result = body["data"]["result"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        code,
        "amount",
    )
    assert await _state(sessionmaker, FinancingMatch, match.id) == before


async def test_the_smallest_amount_finances(gql, sessionmaker) -> None:
    # given
    match = await _match_in(sessionmaker, MatchStatus.NEGOTIATING)

    # when
    body = await gql(MOVE_MATCH, _move(match, "FINANCED", "0.01"))

    # then
    assert body["data"]["result"]["financingMatch"]["amount"] == "0.01"


async def test_a_stale_version_is_a_conflict_and_changes_nothing(gql, sessionmaker) -> None:
    # given
    deal = await _deal_in(sessionmaker, DealStatus.CONTACTED)
    before = await _state(sessionmaker, TechnologyDeal, deal.id)

    # when
    body = await gql(MOVE_DEAL, _move(deal, "NEGOTIATING", version=7))

    # then
    assert body["data"]["result"] == {
        "__typename": "ConflictError",
        "code": "STALE_VERSION",
        "currentVersion": 1,
    }
    assert await _state(sessionmaker, TechnologyDeal, deal.id) == before


async def test_an_unknown_match_is_not_found(gql) -> None:
    body = await gql(
        MOVE_MATCH,
        {
            "input": {
                "id": to_global_id("FinancingMatch", uuid.uuid4()),
                "version": 1,
                "status": "NEGOTIATING",
            }
        },
    )
    assert body["data"]["result"] == {"__typename": "NotFoundError", "code": "NOT_FOUND"}


async def test_a_financed_match_finances_its_demand(gql, sessionmaker) -> None:
    # given
    match = await _match_in(sessionmaker, MatchStatus.NEGOTIATING)

    # when
    await gql(MOVE_MATCH, _move(match, "FINANCED", "2800000.00"))

    # then
    async with sessionmaker() as session:
        demand = await session.get(FinancingDemand, match.demand_id)
        saved = await session.get(FinancingMatch, match.id)
    assert demand is not None
    assert saved is not None
    assert demand.status is DemandStatus.FINANCED
    assert demand.financed_amount == Decimal("2800000.00")
    assert demand.product_id == match.product_id
    assert demand.financed_at == saved.closed_at


@pytest.mark.parametrize(
    ("mode", "listing_after", "events_after"),
    [("TRANSFER", "TRADED", 2), ("LICENCE", "PUBLISHED", 1)],
)
async def test_a_traded_transfer_marks_its_listing_traded_in_the_same_transaction(
    gql, sessionmaker, mode: str, listing_after: str, events_after: int
) -> None:
    """A transfer (转让) sells the technology once: its TRADED deal makes the listing TRADED,
    with the listing's own change event and audit entry, and no new deal can start on it. A
    licence can be sold again: its listing stays published."""
    from greenrong.domain.access.models import AuditEntry
    from greenrong.domain.technology.models import TechnologyListing, TradeMode

    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session, name="宜宾造纸有限公司")
        other = await create_enterprise(session, name="乐山纸业有限公司")
        listing = await create_listing(
            session, title="造纸废水深度处理技术", trade_mode=TradeMode(mode)
        )
        deal = TechnologyDeal(
            listing_id=listing.id, enterprise_id=buyer.id, status=DealStatus.NEGOTIATING
        )
        session.add(deal)

    async def counts() -> tuple[int, int]:
        async with sessionmaker() as session:
            events = await session.scalar(select(func.count()).select_from(ChangeEvent))
            audits = await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity_type == "TechnologyListing")
            )
        return int(events or 0), int(audits or 0)

    before = await counts()
    body = await gql(MOVE_DEAL, _move(deal, "TRADED", "600000.00"))
    assert body["data"]["result"]["technologyDeal"]["status"] == "TRADED"
    async with sessionmaker() as session:
        row = await session.get(TechnologyListing, listing.id)
    assert row is not None
    assert (row.status.value, row.version) == (listing_after, 2 if mode == "TRANSFER" else 1)
    listing_writes = 1 if mode == "TRANSFER" else 0
    assert await counts() == (before[0] + events_after, before[1] + listing_writes)

    started = await gql(
        """mutation($input: StartTechnologyDealInput!) { startTechnologyDeal(input: $input) {
            __typename ... on ValidationError { code field message } } }""",
        {
            "input": {
                "listingId": to_global_id("TechnologyListing", listing.id),
                "enterpriseId": to_global_id("Enterprise", other.id),
            }
        },
    )
    answer = started["data"]["startTechnologyDeal"]
    if mode == "TRANSFER":
        assert answer == {
            "__typename": "ValidationError",
            "code": "INVALID",
            "field": "listingId",
            "message": "listingId: the listing is TRADED (已成交), not published",
        }
    else:
        assert answer["__typename"] == "TechnologyDealSuccess"
