"""TechnologyNeed.minMaturity: 1–9 or none, through create and update."""

from __future__ import annotations

from typing import Any

import pytest

from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise, create_need

CREATE = """
mutation($input: CreateNeedInput!) {
  result: createTechnologyNeed(input: $input) {
    __typename
    ... on TechnologyNeedSuccess { technologyNeed { minMaturity } }
    ... on ValidationError { code field }
  }
}"""
UPDATE = """
mutation($input: UpdateNeedInput!) {
  result: updateTechnologyNeed(input: $input) {
    __typename
    ... on TechnologyNeedSuccess { technologyNeed { minMaturity version } }
    ... on ValidationError { code field }
  }
}"""


async def _buyer(sessionmaker: Any) -> Any:
    async with sessionmaker.begin() as session:
        return await create_enterprise(session, name="眉山污水处理有限公司")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, {"__typename": "TechnologyNeedSuccess", "technologyNeed": {"minMaturity": None}}),
        (1, {"__typename": "TechnologyNeedSuccess", "technologyNeed": {"minMaturity": 1}}),
        (9, {"__typename": "TechnologyNeedSuccess", "technologyNeed": {"minMaturity": 9}}),
        (0, {"__typename": "ValidationError", "code": "OUT_OF_RANGE", "field": "minMaturity"}),
        (10, {"__typename": "ValidationError", "code": "OUT_OF_RANGE", "field": "minMaturity"}),
    ],
)
async def test_a_need_s_minimum_maturity_is_1_to_9_or_none(
    gql, sessionmaker, given: int | None, expected: dict[str, Any]
) -> None:
    # given
    buyer = await _buyer(sessionmaker)

    # when
    body = await gql(
        CREATE,
        {
            "input": {
                "enterpriseId": to_global_id("Enterprise", buyer.id),
                "title": "污泥干化技术需求",
                "domain": "SOLID_WASTE",
                "regionCode": "511402",
                "minMaturity": given,
            }
        },
    )

    # then
    assert body["data"]["result"] == expected


async def test_updating_the_minimum_maturity_checks_it_too(gql, sessionmaker) -> None:
    # given
    buyer = await _buyer(sessionmaker)
    async with sessionmaker.begin() as session:
        need = await create_need(session, enterprise_id=buyer.id, min_maturity=5)
    gid = to_global_id("TechnologyNeed", need.id)

    # when
    refused = await gql(UPDATE, {"input": {"id": gid, "version": 1, "minMaturity": 10}})
    raised = await gql(UPDATE, {"input": {"id": gid, "version": 1, "minMaturity": 6}})

    # then
    assert refused["data"]["result"] == {
        "__typename": "ValidationError",
        "code": "OUT_OF_RANGE",
        "field": "minMaturity",
    }
    assert raised["data"]["result"] == {
        "__typename": "TechnologyNeedSuccess",
        "technologyNeed": {"minMaturity": 6, "version": 2},
    }
