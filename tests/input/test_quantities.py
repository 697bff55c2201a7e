"""Carbon quantities within what their NUMERIC(20, 3) columns hold on both databases: an
activity of 9 × 10^15 MWh (below the edge's 10^16) would overflow SQLite's scaled integer."""

from __future__ import annotations

from greenrong.domain.carbon.models import CarbonCalculation
from tests.carbon.test_graphql import RUN, electricity
from tests.factories.entities import create_enterprise
from tests.input.conftest import row_counts


async def test_an_activity_above_a_trillion_is_out_of_range(send, sessionmaker):
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
    before = await row_counts(sessionmaker)
    calculation = electricity(owner.id, "9000000000000000")
    del calculation["enterpriseId"]  # a calculation that records nothing needs no account

    body = await send(RUN, {"input": calculation})

    assert body["data"]["runCarbonCalculation"] == {
        "__typename": "ValidationError",
        "code": "OUT_OF_RANGE",
        "message": "activities.0.value: must not exceed 10^12",
    }
    assert await row_counts(sessionmaker) == before
    assert CarbonCalculation.__tablename__ in before
