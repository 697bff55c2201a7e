"""Mutations: typed errors, optimistic locking, outbox rows, and "a failed mutation changes nothing"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.enterprises.credit_code import complete
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise

CREATE = """
mutation($input: CreateEnterpriseInput!) {
  createEnterprise(input: $input) {
    __typename
    ... on EnterpriseSuccess { enterprise { id name creditCode version region { name } } }
    ... on ValidationError { code field message errors { field code message } }
  }
}"""
UPDATE = """
mutation($input: UpdateEnterpriseInput!) {
  updateEnterprise(input: $input) {
    __typename
    ... on EnterpriseSuccess { enterprise { name version } }
    ... on ConflictError { code field currentVersion }
    ... on NotFoundError { code field message }
    ... on ValidationError { code field }
  }
}"""
CODE = complete("91510100MA6123456")


def enterprise_input(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "成都绿能科技有限公司",
        "creditCode": CODE,
        "regionCode": "510104",
        "industrySection": "D",
        "industryDivision": "44",
        "size": "SMALL",
        "greenCategory": "CLEAN_ENERGY",
        **overrides,
    }


async def counts(sessionmaker: SessionMaker) -> tuple[int, int]:
    async with sessionmaker() as session:
        enterprises = await session.scalar(select(func.count()).select_from(Enterprise))
        events = await session.scalar(select(func.count()).select_from(ChangeEvent))
    return int(enterprises or 0), int(events or 0)


async def test_create_enterprise_commits_the_row_and_its_change_event(gql, sessionmaker) -> None:
    # when
    body = await gql(CREATE, {"input": enterprise_input()})

    # then
    created = body["data"]["createEnterprise"]
    assert created["__typename"] == "EnterpriseSuccess"
    assert created["enterprise"]["name"] == "成都绿能科技有限公司"
    assert created["enterprise"]["creditCode"] == CODE
    assert created["enterprise"]["version"] == 1
    assert created["enterprise"]["region"] == {"name": "锦江区"}
    async with sessionmaker() as session:
        event = (await session.scalars(select(ChangeEvent))).one()
    assert (event.entity_type, event.operation.value, event.entity_version) == (
        "Enterprise",
        "CREATE",
        1,
    )
    assert to_global_id("Enterprise", event.entity_id) == created["enterprise"]["id"]
    assert event.payload["credit_code"] == CODE
    assert event.payload["name"] == "成都绿能科技有限公司"


async def test_invalid_input_returns_every_problem_and_changes_nothing(gql, sessionmaker) -> None:
    # given a wrong check character, an unknown region and a division outside its section
    bad_code = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")

    # when
    body = await gql(
        CREATE,
        {
            "input": enterprise_input(
                creditCode=bad_code, regionCode="110000", industryDivision="13", name=" "
            )
        },
    )

    # then
    error = body["data"]["createEnterprise"]
    assert error["__typename"] == "ValidationError"
    assert {(e["field"], e["code"]) for e in error["errors"]} == {
        ("name", "REQUIRED"),
        ("regionCode", "UNKNOWN_REFERENCE"),
        ("creditCode", "INVALID_CHECKSUM"),
        ("industryDivision", "UNKNOWN_REFERENCE"),
    }
    assert (error["code"], error["field"]) == ("REQUIRED", "name")
    assert await counts(sessionmaker) == (0, 0)


async def test_duplicate_credit_code_is_refused(gql, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        await create_enterprise(session, credit_code=CODE)

    # when
    body = await gql(CREATE, {"input": enterprise_input(name="另一家公司")})

    # then
    error = body["data"]["createEnterprise"]
    assert (error["__typename"], error["code"], error["field"]) == (
        "ValidationError",
        "DUPLICATE",
        "creditCode",
    )
    assert await counts(sessionmaker) == (1, 0)


async def test_update_with_current_version_bumps_version_and_records_update(
    gql, sessionmaker
) -> None:
    # given
    async with sessionmaker.begin() as session:
        row = await create_enterprise(session)
    gid = to_global_id("Enterprise", row.id)

    # when
    body = await gql(UPDATE, {"input": {"id": gid, "version": 1, "name": "绵阳绿源环保有限公司"}})

    # then
    assert body["data"]["updateEnterprise"] == {
        "__typename": "EnterpriseSuccess",
        "enterprise": {"name": "绵阳绿源环保有限公司", "version": 2},
    }
    async with sessionmaker() as session:
        event = (await session.scalars(select(ChangeEvent))).one()
    assert (event.operation.value, event.entity_version, event.payload["name"]) == (
        "UPDATE",
        2,
        "绵阳绿源环保有限公司",
    )


async def test_update_with_stale_version_is_a_conflict_and_changes_nothing(
    gql, sessionmaker
) -> None:
    # given a row already at version 2
    async with sessionmaker.begin() as session:
        row = await create_enterprise(session, name="原名称")
    gid = to_global_id("Enterprise", row.id)
    await gql(UPDATE, {"input": {"id": gid, "version": 1, "name": "第一次修改"}})

    # when someone edits from version 1 again
    body = await gql(UPDATE, {"input": {"id": gid, "version": 1, "name": "过期的修改"}})

    # then
    assert body["data"]["updateEnterprise"] == {
        "__typename": "ConflictError",
        "code": "STALE_VERSION",
        "field": "version",
        "currentVersion": 2,
    }
    async with sessionmaker() as session:
        stored = await session.get(Enterprise, row.id)
        assert stored is not None
        assert (stored.name, stored.version) == ("第一次修改", 2)
    assert await counts(sessionmaker) == (1, 1)


async def test_update_of_missing_enterprise_is_not_found(gql, sessionmaker) -> None:
    gid = to_global_id("Enterprise", __import__("uuid").UUID(int=7))
    body = await gql(UPDATE, {"input": {"id": gid, "version": 1, "name": "不存在"}})
    result = body["data"]["updateEnterprise"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "NotFoundError",
        "NOT_FOUND",
        "id",
    )
    assert await counts(sessionmaker) == (0, 0)


async def test_an_anonymous_write_says_how_to_sign_in_and_changes_nothing(
    gql_as, sessionmaker
) -> None:
    async with sessionmaker.begin() as session:
        row = await create_enterprise(session, name="成都绿能科技有限公司")
    before = await counts(sessionmaker)
    document = UPDATE.replace(
        "... on ValidationError",
        "... on ForbiddenError { code message }\n    ... on ValidationError",
    )
    body = await gql_as(None)(
        document,
        {"input": {"id": to_global_id("Enterprise", row.id), "version": 1, "name": "篡改"}},
    )
    assert body["data"]["updateEnterprise"] == {
        "__typename": "ForbiddenError",
        "code": "FORBIDDEN",
        "message": "PUBLIC may not update this Enterprise. Writing needs a signed-in caller: "
        "send an API key (`greenrong keys create`) or a token as the header "
        "`Authorization: Bearer <key or token>`",
    }
    assert await counts(sessionmaker) == before


async def test_update_with_an_id_of_another_type_is_a_validation_error(gql, sessionmaker) -> None:
    gid = to_global_id("Project", __import__("uuid").UUID(int=7))
    body = await gql(UPDATE, {"input": {"id": gid, "version": 1, "name": "错误类型"}})
    result = body["data"]["updateEnterprise"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "INVALID",
        "id",
    )


async def test_project_demand_and_product_mutations_link_the_graph(gql, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
    eid = to_global_id("Enterprise", enterprise.id)
    institution = await gql(
        'mutation { createFinancialInstitution(input: {name: "中国银行四川省分行", kind: BANK, regionCode: "510100"}) '
        "{ ... on FinancialInstitutionSuccess { financialInstitution { id } } } }"
    )
    fid = institution["data"]["createFinancialInstitution"]["financialInstitution"]["id"]

    # when
    product = await gql(
        "mutation($i: CreateProductInput!) { createFinancialProduct(input: $i) { __typename "
        "... on FinancialProductSuccess { financialProduct { id name minRate institution { name } } } "
        "... on ValidationError { errors { field code } } } }",
        {
            "i": {
                "institutionId": fid,
                "name": "减碳贷",
                "kind": "LOAN",
                "minAmount": "100000.00",
                "maxAmount": "30000000.00",
                "minTermMonths": 12,
                "maxTermMonths": 60,
                "minRate": "0.0385",
                "maxRate": "0.0350",
            }
        },
    )
    project = await gql(
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { ... on ProjectSuccess { project { id } } } }",
        {
            "i": {
                "enterpriseId": eid,
                "title": "污水处理厂提标改造",
                "greenCategory": "ENERGY_SAVING_ENVIRONMENTAL",
                "totalInvestment": "80000000.00",
                "regionCode": "510104",
            }
        },
    )
    pid = project["data"]["createProject"]["project"]["id"]
    demand = await gql(
        "mutation($i: CreateDemandInput!) { createFinancingDemand(input: $i) { __typename "
        "... on FinancingDemandSuccess { financingDemand { amount status project { title } enterprise { id } } } } }",
        {
            "i": {
                "enterpriseId": eid,
                "projectId": pid,
                "amount": "20000000.00",
                "termMonths": 36,
                "purpose": "提标改造工程",
            }
        },
    )

    # then: the product's rate range was inverted, the demand links both ways
    assert product["data"]["createFinancialProduct"] == {
        "__typename": "ValidationError",
        "errors": [{"field": "maxRate", "code": "OUT_OF_RANGE"}],
    }
    assert demand["data"]["createFinancingDemand"] == {
        "__typename": "FinancingDemandSuccess",
        "financingDemand": {
            "amount": "20000000.00",
            "status": "OPEN",
            "project": {"title": "污水处理厂提标改造"},
            "enterprise": {"id": eid},
        },
    }


async def test_financed_amount_above_the_demand_is_refused_and_changes_nothing(
    gql, sessionmaker
) -> None:
    # given an open demand of ¥5,000,000
    from greenrong.domain.finance.models import FinancingDemand
    from tests.factories.entities import create_demand

    async with sessionmaker.begin() as session:
        enterprise = await create_enterprise(session)
        demand = await create_demand(session, enterprise_id=enterprise.id)
    gid = to_global_id("FinancingDemand", demand.id)

    # when it is marked financed with more than was asked, and without a date
    body = await gql(
        "mutation($i: UpdateDemandInput!) { updateFinancingDemand(input: $i) { __typename "
        "... on ValidationError { errors { field code } } } }",
        {"i": {"id": gid, "version": 1, "status": "FINANCED", "financedAmount": "5000000.01"}},
    )

    # then both problems are named and the row is unchanged
    assert body["data"]["updateFinancingDemand"] == {
        "__typename": "ValidationError",
        "errors": [
            {"field": "financedAmount", "code": "OUT_OF_RANGE"},
            {"field": "financedAmount", "code": "REQUIRED"},
        ],
    }
    async with sessionmaker() as session:
        stored = await session.get(FinancingDemand, demand.id)
        assert stored is not None
        assert (stored.status.value, stored.financed_amount, stored.version) == ("OPEN", None, 1)
