"""Statistics count only the rows the caller may see (issue 17, class 8).

A private demand or a draft listing moves no figure of a caller who may not see it; a row the
caller sees moves its figures (the positive control); ADMIN and REGULATOR get the platform's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from greenrong.core.db import SessionMaker
from greenrong.domain.finance.models import DemandStatus
from greenrong.domain.technology.models import ListingStatus
from tests.access.conftest import PARTIES, World
from tests.factories.entities import create_demand, create_listing

STATISTICS = """{ platformStatistics {
  listingCount productCount demandReceivedTotal financingFacilitatedTotal
  demandReceivedByYear { year amount count }
} }"""

#: (listingCount, productCount, demandReceivedTotal) of the world, per party
BEFORE = {
    "anonymous": (1, 1, "0.00"),
    "other_enterprise": (1, 1, "0.00"),
    "owner": (2, 1, "5000000.00"),
    "institution_with_consent": (1, 2, "5000000.00"),
    "institution_without_consent": (1, 1, "5000000.00"),
    "expert": (1, 1, "0.00"),
    "regulator": (2, 2, "5000000.00"),
    "admin": (2, 2, "5000000.00"),
}
#: after another enterprise's withdrawn demand of 1234.56 (private to it), its open demand of
#: 100.00 (seen by institutions), its draft listing and a published listing
AFTER = {
    "anonymous": (2, 1, "0.00"),
    "other_enterprise": (3, 1, "1334.56"),
    "owner": (3, 1, "5000000.00"),
    "institution_with_consent": (2, 2, "5000100.00"),
    "institution_without_consent": (2, 1, "5000100.00"),
    "expert": (2, 1, "0.00"),
    "regulator": (4, 2, "5001334.56"),
    "admin": (4, 2, "5001334.56"),
}


def _figures(body: dict[str, Any]) -> tuple[int, int, str]:
    stats = body["data"]["platformStatistics"]
    return stats["listingCount"], stats["productCount"], stats["demandReceivedTotal"]


@pytest.mark.parametrize("party", PARTIES)
async def test_figures_move_only_with_rows_the_caller_sees(
    as_party: Any, sessionmaker: SessionMaker, world: World, party: str
) -> None:
    # given
    call = as_party(party)
    before = await call(STATISTICS, None)
    async with sessionmaker.begin() as session:
        await create_demand(
            session,
            enterprise_id=world.other,
            purpose="污水处理厂提标改造",
            amount=Decimal("1234.56"),
            status=DemandStatus.WITHDRAWN,
        )
        await create_demand(
            session,
            enterprise_id=world.other,
            purpose="分布式储能",
            amount=Decimal("100.00"),
            status=DemandStatus.OPEN,
        )
        await create_listing(
            session,
            owner_enterprise_id=world.other,
            title="未发布的生物质制氢技术",
            status=ListingStatus.DRAFT,
        )
        await create_listing(session, owner_enterprise_id=world.other, title="餐厨垃圾资源化技术")

    # when
    after = await call(STATISTICS, None)

    # then
    assert _figures(before) == BEFORE[party]
    assert _figures(after) == AFTER[party]


async def test_anonymous_figures_ignore_a_private_demand_and_a_draft_exactly(
    as_party: Any, sessionmaker: SessionMaker, world: World
) -> None:
    # given: the probe: anonymous totals read before and after a private demand
    anonymous = as_party("anonymous")
    before = (await anonymous(STATISTICS, None))["data"]["platformStatistics"]
    async with sessionmaker.begin() as session:
        await create_demand(session, enterprise_id=world.owner, amount=Decimal("8888.88"))
        await create_listing(
            session,
            owner_enterprise_id=world.owner,
            title="草稿：光伏板回收",
            status=ListingStatus.DRAFT,
        )

    # when
    after = (await anonymous(STATISTICS, None))["data"]["platformStatistics"]

    # then: nothing moved, not even the series by year
    assert (
        after
        == before
        == {
            "listingCount": 1,
            "productCount": 1,
            "demandReceivedTotal": "0.00",
            "financingFacilitatedTotal": "0.00",
            "demandReceivedByYear": [],
        }
    )
