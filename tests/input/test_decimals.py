"""Decimal inputs outside what the databases and the domain hold are refused with a typed error
naming the field, on every path that takes one, and change nothing (issue 18: the fuzzer's six
INTERNAL errors were all NaN, Infinity, sNaN or 1E+9999999 in a Decimal)."""

from __future__ import annotations

import pytest

from greenrong.domain.access.principal import Role
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise
from tests.input.conftest import ADMIN, ANONYMOUS, refused, row_counts

NOT_FINITE = "must be a finite number"
TOO_LARGE = "must be below 10^16 in magnitude"
BAD_DECIMALS = [
    ("NaN", "INVALID_FORMAT", NOT_FINITE),
    ("Infinity", "INVALID_FORMAT", NOT_FINITE),
    ("-Infinity", "INVALID_FORMAT", NOT_FINITE),
    ("sNaN", "INVALID_FORMAT", NOT_FINITE),
    ("1E+9999999", "OUT_OF_RANGE", TOO_LARGE),
    ("1E-9999999", "INVALID_FORMAT", "has more than 10 decimal places"),
    ("10000000000000000", "OUT_OF_RANGE", TOO_LARGE),
]
ENTERPRISE_ID = to_global_id("Enterprise", "00000000-0000-0000-0000-000000000001")
CREATE_DEMAND = """
mutation($input: CreateDemandInput!) {
  createFinancingDemand(input: $input) { __typename }
}"""


def demand(**overrides: object) -> dict[str, object]:
    return {
        "enterpriseId": ENTERPRISE_ID,
        "amount": "5000000.00",
        "termMonths": 36,
        "purpose": "屋顶光伏电站建设",
        **overrides,
    }


@pytest.mark.parametrize(("value", "code", "message"), BAD_DECIMALS)
async def test_money_and_rates_of_a_create_mutation(send, sessionmaker, value, code, message):
    before = await row_counts(sessionmaker)

    amount = await send(CREATE_DEMAND, {"input": demand(amount=value)})
    rate = await send(CREATE_DEMAND, {"input": demand(maxRate=value)})

    refused(amount, code, "input.amount", message)
    refused(rate, code, "input.maxRate", message)
    assert await row_counts(sessionmaker) == before


IDENTIFY = """
query($input: IdentifyGreenInput!) {
  identifyGreen(input: $input) { __typename }
}"""


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize(("value", "code", "message"), BAD_DECIMALS[:5])
async def test_identify_green_amount(send, role, value, code, message):
    body = await send(
        IDENTIFY, {"input": {"text": "分布式光伏发电项目", "amount": value}}, role=role
    )

    refused(body, code, "input.amount", message)


async def test_a_literal_in_the_document_is_refused_like_a_variable(send):
    body = await send(
        '{ identifyGreen(input: {text: "光伏", amount: "NaN"}) { __typename } }', role=ANONYMOUS
    )

    refused(body, "INVALID_FORMAT", "input.amount", NOT_FINITE)


SEARCH_PRODUCTS = """
query($filter: FinancialProductSearchFilter) {
  searchFinancialProducts(filter: $filter) {
    ... on FinancialProductSearchConnection { totalCount }
  }
}"""
SEARCH_LISTINGS = """
query($filter: TechnologyListingSearchFilter) {
  searchTechnologyListings(filter: $filter) {
    ... on TechnologyListingSearchConnection { totalCount }
  }
}"""


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
@pytest.mark.parametrize(("value", "code", "message"), BAD_DECIMALS[:5])
async def test_search_filters(send, role, value, code, message):
    amount = await send(SEARCH_PRODUCTS, {"filter": {"amount": value}}, role=role)
    price = await send(SEARCH_LISTINGS, {"filter": {"askingPrice": {"min": value}}}, role=role)

    refused(amount, code, "filter.amount", message)
    refused(price, code, "filter.askingPrice.min", message)


async def test_the_largest_amount_a_search_takes_is_answered(send):
    body = await send(SEARCH_PRODUCTS, {"filter": {"amount": "9999999999999999.99"}})

    assert body == {
        "data": {"searchFinancialProducts": {"totalCount": 0}},
        "extensions": body["extensions"],
    }


SAVE = """
mutation($input: SaveSearchInput!) {
  saveSearch(input: $input) { __typename }
}"""


@pytest.mark.parametrize(("value", "code", "message"), BAD_DECIMALS[:5])
async def test_save_search_filter(send, sessionmaker, value, code, message):
    before = await row_counts(sessionmaker)

    body = await send(
        SAVE,
        {"input": {"entity": "TECHNOLOGY_LISTING", "filter": {"askingPrice": {"max": value}}}},
        role=Role.PARTNER,
    )

    refused(body, code, "input.filter.askingPrice.max", message)
    assert await row_counts(sessionmaker) == before


PRODUCTS = """
query($where: ProductWhere) {
  financialProducts(where: $where) { totalCount }
}"""


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN])
async def test_where_filters_refuse_what_no_column_holds(send, role):
    nan = await send(PRODUCTS, {"where": {"minAmount": {"gte": "NaN"}}}, role=role)
    huge = await send(PRODUCTS, {"where": {"or": [{"minAmount": {"lt": "-1E+400"}}]}}, role=role)

    refused(nan, "INVALID_FORMAT", "where.minAmount.gte", NOT_FINITE)
    refused(huge, "OUT_OF_RANGE", "where.or.0.minAmount.lt", TOO_LARGE)


async def test_a_rate_filter_beyond_its_column_is_out_of_range(send):
    # a rate is NUMERIC(6, 4): PostgreSQL refuses to bind 100, SQLite's scaled integer would
    # overflow near 10^15; the filter compiler names the operand
    body = await send(PRODUCTS, {"where": {"minRate": {"gt": "100"}}}, role=ANONYMOUS)

    assert body["data"] is None
    assert [(e["extensions"], e["message"]) for e in body["errors"]] == [
        (
            {"code": "OUT_OF_RANGE", "field": "where.minRate.gt"},
            "where.min_rate.gt: must be below 100 in magnitude",
        )
    ]


async def test_the_largest_money_and_rate_operands_are_answered(send):
    body = await send(
        PRODUCTS,
        {
            "where": {
                "minAmount": {"lt": "9999999999999999.99", "gt": "-9999999999999999.99"},
                "minRate": {"lt": "99.9999"},
            }
        },
        role=ANONYMOUS,
    )

    assert body["data"] == {"financialProducts": {"totalCount": 0}}


CREATE_DISCLOSURE = """
mutation($input: CreateDisclosureInput!) {
  createDisclosure(input: $input) {
    __typename
    ... on ValidationError { code field message }
  }
}"""


async def test_disclosure_metrics_are_finite_bounded_and_exact_to_four_places(send, sessionmaker):
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    subject = to_global_id("Enterprise", enterprise.id)
    before = await row_counts(sessionmaker)

    def disclosure(key: str, value: str) -> dict[str, object]:
        return {
            "input": {
                "subjectEnterpriseId": subject,
                "kind": "ENTERPRISE_ENVIRONMENTAL",
                "year": 2025,
                "title": "2025年度环境信息披露报告",
                "metrics": [{"key": key, "value": value}],
            }
        }

    nan = await send(CREATE_DISCLOSURE, disclosure("SCOPE1_TCO2E", "NaN"))
    infinite = await send(CREATE_DISCLOSURE, disclosure("SCOPE1_TCO2E", "Infinity"))
    huge = await send(CREATE_DISCLOSURE, disclosure("SCOPE1_TCO2E", "1E+30"))
    negative = await send(CREATE_DISCLOSURE, disclosure("SCOPE1_TCO2E", "-5"))
    places = await send(CREATE_DISCLOSURE, disclosure("SCOPE1_TCO2E", "1.0123456789"))
    share = await send(CREATE_DISCLOSURE, disclosure("GREEN_LOAN_SHARE", "1.5"))
    employees = await send(CREATE_DISCLOSURE, disclosure("EMPLOYEES", "12.5"))

    refused(nan, "INVALID_FORMAT", "input.metrics.0.value", NOT_FINITE)
    refused(infinite, "INVALID_FORMAT", "input.metrics.0.value", NOT_FINITE)
    refused(huge, "OUT_OF_RANGE", "input.metrics.0.value", TOO_LARGE)
    assert [body["data"]["createDisclosure"] for body in (negative, places, share, employees)] == [
        {
            "__typename": "ValidationError",
            "code": "OUT_OF_RANGE",
            "field": "metrics",
            "message": "metrics: metric scope1_tco2e must be from 0 to 1000000000000000",
        },
        {
            "__typename": "ValidationError",
            "code": "INVALID_FORMAT",
            "field": "metrics",
            "message": "metrics: metric scope1_tco2e has more than 4 decimal places",
        },
        {
            "__typename": "ValidationError",
            "code": "OUT_OF_RANGE",
            "field": "metrics",
            "message": "metrics: metric green_loan_share must be from 0 to 1",
        },
        {
            "__typename": "ValidationError",
            "code": "INVALID_FORMAT",
            "field": "metrics",
            "message": "metrics: metric employees has more than 0 decimal places",
        },
    ]
    assert await row_counts(sessionmaker) == before
