"""platformStatistics on a small hand-made dataset, with exact sums and zero rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from greenrong.domain.finance.models import DemandStatus
from greenrong.domain.reference.vocab import GreenCategory
from tests.factories.entities import create_demand, create_enterprise

QUERY = """{ platformStatistics {
  enterpriseCount institutionCount productCount expertCount listingCount
  demandReceivedTotal financingFacilitatedTotal
  demandReceivedByYear { year amount count }
  financingFacilitatedByYear { year amount count }
  enterprisesByGreenCategory { category count }
  expertsByTitle { title count }
} }"""


async def test_platform_statistics_sums_by_year_and_lists_every_category(gql, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        a = await create_enterprise(session, green_category=GreenCategory.CLEAN_ENERGY)
        await create_enterprise(session, green_category=GreenCategory.GREEN_SERVICES)
        await create_demand(
            session,
            enterprise_id=a.id,
            amount=Decimal("7.60"),
            submitted_at=datetime(2020, 3, 1, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=a.id,
            amount=Decimal("100.01"),
            submitted_at=datetime(2021, 3, 1, tzinfo=UTC),
            status=DemandStatus.FINANCED,
            financed_amount=Decimal("21.41"),
            financed_at=datetime(2021, 12, 31, 23, 59, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=a.id,
            amount=Decimal("0.39"),
            submitted_at=datetime(2021, 7, 1, tzinfo=UTC),
            status=DemandStatus.FINANCED,
            financed_amount=Decimal("0.39"),
            financed_at=datetime(2022, 1, 2, tzinfo=UTC),
        )

    # when
    stats = (await gql(QUERY))["data"]["platformStatistics"]

    # then
    assert stats["enterpriseCount"] == 2
    assert (
        stats["institutionCount"],
        stats["productCount"],
        stats["expertCount"],
        stats["listingCount"],
    ) == (0, 0, 0, 0)
    assert stats["demandReceivedTotal"] == "108.00"
    assert stats["financingFacilitatedTotal"] == "21.80"
    assert stats["demandReceivedByYear"] == [
        {"year": 2020, "amount": "7.60", "count": 1},
        {"year": 2021, "amount": "100.40", "count": 2},
    ]
    assert stats["financingFacilitatedByYear"] == [
        {"year": 2021, "amount": "21.41", "count": 1},
        {"year": 2022, "amount": "0.39", "count": 1},
    ]
    assert stats["enterprisesByGreenCategory"] == [
        {"category": "ENERGY_SAVING_ENVIRONMENTAL", "count": 0},
        {"category": "CLEAN_PRODUCTION", "count": 0},
        {"category": "CLEAN_ENERGY", "count": 1},
        {"category": "ECOLOGICAL_ENVIRONMENT", "count": 0},
        {"category": "GREEN_INFRASTRUCTURE", "count": 0},
        {"category": "GREEN_SERVICES", "count": 1},
    ]
    assert [t["count"] for t in stats["expertsByTitle"]] == [0, 0, 0, 0, 0]
