"""Dates and timestamps: every DateTime input has a UTC offset, and every Date and DateTime
input lies in 1900-01-01 … 2200-12-31 (UTC), which PostgreSQL and SQLite both store exactly
(asyncpg turns 0001-01-01 into -infinity). Mutations, filters and anonymous reads alike."""

from __future__ import annotations

import pytest

from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise
from tests.graphql.test_mutations import CREATE, enterprise_input
from tests.input.conftest import ADMIN, ANONYMOUS, refused, row_counts
from tests.input.test_decimals import CREATE_DEMAND, demand

NEEDS_OFFSET = "needs a UTC offset (2026-01-01T08:00:00+08:00 or …Z)"
OUT_OF_RANGE = "must be from 1900-01-01 to 2200-12-31 (UTC)"
BAD_TIMESTAMPS = [
    ("2026-01-01T00:00:00", "INVALID_FORMAT", NEEDS_OFFSET),
    ("9999-12-31T23:59:59-14:00", "OUT_OF_RANGE", OUT_OF_RANGE),
    ("0001-01-01T00:00:00Z", "OUT_OF_RANGE", OUT_OF_RANGE),
    ("0001-01-01T00:00:00+14:00", "OUT_OF_RANGE", OUT_OF_RANGE),
    ("1899-12-31T23:59:59Z", "OUT_OF_RANGE", OUT_OF_RANGE),
    # in range where it is written, past the end in UTC
    ("2200-12-31T23:00:00-08:00", "OUT_OF_RANGE", OUT_OF_RANGE),
]


@pytest.mark.parametrize(("value", "code", "message"), BAD_TIMESTAMPS)
async def test_submitted_at_of_a_mutation(send, sessionmaker, value, code, message):
    before = await row_counts(sessionmaker)

    body = await send(CREATE_DEMAND, {"input": demand(submittedAt=value)})

    refused(body, code, "input.submittedAt", message)
    assert await row_counts(sessionmaker) == before


async def test_the_calendar_limits_are_stored_and_read_back_exactly(send, sessionmaker):
    # given an enterprise that submits demands at the first and the last instant allowed
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    owner = to_global_id("Enterprise", enterprise.id)
    created = [
        await send(
            SUBMITTED,
            {"input": demand(enterpriseId=owner, submittedAt=stamp)},
        )
        for stamp in ("1900-01-01T00:00:00Z", "2200-12-31T23:59:59.999999Z")
    ]

    # then both come back as written, and the statistics still answer
    assert [
        body["data"]["createFinancingDemand"]["financingDemand"]["submittedAt"] for body in created
    ] == [
        "1900-01-01T00:00:00+00:00",
        "2200-12-31T23:59:59.999999+00:00",
    ]
    statistics = await send(
        "{ platformStatistics { demandReceivedByYear { year amount } } }", role=ANONYMOUS
    )
    # (the yearly series covers recent years only: neither year is in it)
    assert statistics == {
        "data": {"platformStatistics": {"demandReceivedByYear": []}},
        "extensions": statistics["extensions"],
    }


SUBMITTED = """
mutation($input: CreateDemandInput!) {
  createFinancingDemand(input: $input) {
    ... on FinancingDemandSuccess { financingDemand { submittedAt } }
  }
}"""
ENTERPRISES = """
query($where: EnterpriseWhere) {
  enterprises(where: $where) { totalCount }
}"""


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize(("value", "code", "message"), BAD_TIMESTAMPS)
async def test_timestamp_filters(send, role, value, code, message):
    body = await send(ENTERPRISES, {"where": {"createdAt": {"gte": value}}}, role=role)

    refused(body, code, "where.createdAt.gte", message)


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
async def test_date_filters(send, role, value):
    body = await send(ENTERPRISES, {"where": {"greenLevelValidUntil": {"lt": value}}}, role=role)

    refused(body, "OUT_OF_RANGE", "where.greenLevelValidUntil.lt", OUT_OF_RANGE)


async def test_dates_of_a_mutation(send, sessionmaker):
    before = await row_counts(sessionmaker)

    body = await send(CREATE, {"input": enterprise_input(greenLevelValidUntil="9999-12-31")})

    refused(body, "OUT_OF_RANGE", "input.greenLevelValidUntil", OUT_OF_RANGE)
    assert await row_counts(sessionmaker) == before


async def test_the_bounds_themselves_are_answered(send):
    body = await send(
        ENTERPRISES,
        {
            "where": {
                "createdAt": {"gte": "1900-01-01T08:00:00+08:00", "lte": "2200-12-31T23:59:59Z"},
                "greenLevelValidUntil": {"gte": "1900-01-01", "lte": "2200-12-31"},
            }
        },
        role=ANONYMOUS,
    )

    assert body["data"] == {"enterprises": {"totalCount": 0}}
