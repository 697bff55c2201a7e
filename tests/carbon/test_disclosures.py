"""Disclosure metrics filled from stored calculations: exact values, the links per line, typed
refusals that change nothing, the authorization matrix and the SQL count of ``metricSources``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from starlette.applications import Starlette

from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.carbon import service
from greenrong.domain.carbon.models import DisclosureMetricSource
from greenrong.domain.disclosure.models import Disclosure, DisclosureStatus
from greenrong.schema.kit.ids import to_global_id
from tests.carbon.helpers import office_request as office_request_
from tests.carbon.helpers import plant_request, request
from tests.factories.entities import (
    create_disclosure,
    create_enterprise,
    create_institution,
    create_project,
)
from tests.factories.statements import count_statements

FILL = """mutation($input: FillDisclosureFromCalculationsInput!) {
  fillDisclosureFromCalculations(input: $input) {
    __typename
    ... on DisclosureSuccess { disclosure { version metrics { key value }
        metricSources { metric calculationId lineIndex section label value unit
                        factorVersion factorKeys } } }
    ... on ValidationError { code field errors { field code message } }
    ... on ForbiddenError { code }
    ... on ConflictError { code currentVersion }
    ... on NotFoundError { code } } }"""


@dataclass
class World:
    owner: uuid.UUID
    other: uuid.UUID
    bank: uuid.UUID
    disclosure: uuid.UUID
    office: uuid.UUID  # non-industrial, 2024
    plant: uuid.UUID  # flat glass, 2024
    last_year: uuid.UUID  # non-industrial, 2023
    others: uuid.UUID  # the other enterprise's, 2024


async def _world(sessionmaker: SessionMaker) -> World:
    async with sessionmaker() as s, s.begin():
        owner = await create_enterprise(s, name="成都蓉绿玻璃有限公司")
        other = await create_enterprise(s, name="绵阳清源水务有限公司")
        bank = await create_institution(s)
        disclosure = await create_disclosure(
            s,
            subject_enterprise_id=owner.id,
            year=2024,
            title="2024年度环境信息披露报告",
            metrics={"employees": "120"},
        )
        for e in (owner, other):
            await service.open_account(s, enterprise_id=e.id)
        # scope 1 13.000 t, scope 2 195.400 t, scope 3 0.300 t (no disclosure metric)
        office_request = office_request_()
        office = await service.store_calculation(
            s, request=office_request, year=2024, enterprise_id=owner.id
        )
        # 净购入电力 1404.000 t
        plant = await service.store_calculation(
            s, request=plant_request(), year=2024, enterprise_id=owner.id
        )
        last_year = await service.store_calculation(
            s, request=office_request, year=2023, enterprise_id=owner.id
        )
        others = await service.store_calculation(
            s, request=office_request, year=2024, enterprise_id=other.id
        )
        return World(
            owner.id, other.id, bank.id, disclosure.id, office.id, plant.id, last_year.id, others.id
        )


def _gid(calc: uuid.UUID) -> str:
    return to_global_id("CarbonCalculation", calc)


def _input(w: World, *calcs: uuid.UUID, version: int = 1, **more: Any) -> dict[str, Any]:
    return {
        "input": {
            "disclosureId": to_global_id("Disclosure", w.disclosure),
            "version": version,
            "calculationIds": [_gid(c) for c in calcs],
            **more,
        }
    }


async def _state(sessionmaker: SessionMaker, w: World) -> tuple[int, dict[str, Any], int]:
    async with sessionmaker() as s:
        d = await s.get(Disclosure, w.disclosure)
        assert d is not None
        links = await s.scalar(select(func.count()).select_from(DisclosureMetricSource))
        return d.version, dict(d.metrics), int(links or 0)


async def test_owner_fills_scope_1_and_2_from_two_calculations(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    w = await _world(sessionmaker)
    me = gql_as(Role.ENTERPRISE, org_id=w.owner)

    body = await me(FILL, _input(w, w.office, w.plant))

    result = body["data"]["fillDisclosureFromCalculations"]
    assert result["__typename"] == "DisclosureSuccess"
    disclosure = result["disclosure"]
    assert disclosure["version"] == 2
    # scope 1 = 13.000; scope 2 = 140.400 + 55.000 + 1404.000 = 1599.400; employees kept
    assert disclosure["metrics"] == [
        {"key": "EMPLOYEES", "value": "120"},
        {"key": "SCOPE1_TCO2E", "value": "13.000"},
        {"key": "SCOPE2_TCO2E", "value": "1599.400"},
    ]
    sources = sorted(disclosure["metricSources"], key=lambda r: (r["metric"], Decimal(r["value"])))
    assert sources == [
        {
            "metric": "SCOPE1_TCO2E",
            "calculationId": _gid(w.office),
            "lineIndex": 0,
            "section": "范围一 制冷剂逸散",
            "label": "HFC-134a",
            "value": "13.000",
            "unit": "tCO2e",
            "factorVersion": "CN-2025.1",
            "factorKeys": ["gwp.AR5.HFC-134a"],
        },
        {
            "metric": "SCOPE2_TCO2E",
            "calculationId": _gid(w.office),
            "lineIndex": 2,
            "section": "范围二 外购热力",
            "label": "外购热力",
            "value": "55.000",
            "unit": "tCO2e",
            "factorVersion": "CN-2025.1",
            "factorKeys": ["heat.default"],
        },
        {
            "metric": "SCOPE2_TCO2E",
            "calculationId": _gid(w.office),
            "lineIndex": 1,
            "section": "范围二 外购电力",
            "label": "外购电力",
            "value": "140.400",
            "unit": "tCO2e",
            "factorVersion": "CN-2025.1",
            "factorKeys": ["grid.2022.四川"],
        },
        {
            "metric": "SCOPE2_TCO2E",
            "calculationId": _gid(w.plant),
            "lineIndex": 0,
            "section": "净购入电力",
            "label": "购入电力",
            "value": "1404.000",
            "unit": "tCO2e",
            "factorVersion": "CN-2025.1",
            "factorKeys": ["grid.2022.四川"],
        },
    ]
    assert await _state(sessionmaker, w) == (
        2,
        {"employees": "120", "scope1_tco2e": "13.000", "scope2_tco2e": "1599.400"},
        4,
    )

    # filling scope 2 again from the office alone replaces its links and keeps scope 1's
    again = await me(FILL, _input(w, w.office, version=2, metrics=["SCOPE2_TCO2E"]))
    metrics = again["data"]["fillDisclosureFromCalculations"]["disclosure"]["metrics"]
    assert {m["key"]: m["value"] for m in metrics}["SCOPE2_TCO2E"] == "195.400"
    assert await _state(sessionmaker, w) == (
        3,
        {"employees": "120", "scope1_tco2e": "13.000", "scope2_tco2e": "195.400"},
        3,
    )


async def test_mismatches_are_typed_errors_and_change_nothing(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    w = await _world(sessionmaker)
    me = gql_as(Role.ENTERPRISE, org_id=w.owner)
    before = await _state(sessionmaker, w)

    async def errors(variables: dict[str, Any]) -> list[tuple[str, str]]:
        result = (await me(FILL, variables))["data"]["fillDisclosureFromCalculations"]
        assert result["__typename"] == "ValidationError", result
        return [(e["field"], e["code"]) for e in result["errors"]]

    assert await errors(_input(w, w.others)) == [("calculationIds", "UNKNOWN_REFERENCE")]
    assert await errors(_input(w, w.office, w.last_year)) == [("calculationIds", "OUT_OF_RANGE")]
    assert await errors(_input(w, w.office, metrics=["GREEN_LOAN_BALANCE_CNY"])) == [
        ("metrics", "NOT_SUPPORTED")
    ]
    assert await errors(_input(w, w.office, w.office)) == [("calculationIds", "DUPLICATE")]
    assert await errors(_input(w)) == [("calculationIds", "REQUIRED")]
    stale = (await me(FILL, _input(w, w.office, version=7)))["data"]
    assert stale["fillDisclosureFromCalculations"] == {
        "__typename": "ConflictError",
        "code": "STALE_VERSION",
        "currentVersion": 1,
    }
    assert await _state(sessionmaker, w) == before == (1, {"employees": "120"}, 0)


async def test_authorization_matrix(gql_as: Any, sessionmaker: SessionMaker) -> None:
    w = await _world(sessionmaker)
    denied = {
        "anonymous": gql_as(None),
        "other enterprise": gql_as(Role.ENTERPRISE, org_id=w.other),
        "institution": gql_as(Role.INSTITUTION, org_id=w.bank),
        "regulator": gql_as(Role.REGULATOR),
    }
    for who, caller in denied.items():
        body = await caller(FILL, _input(w, w.office))
        assert body["data"]["fillDisclosureFromCalculations"] == {
            "__typename": "ForbiddenError",
            "code": "FORBIDDEN",
        }, who
        assert await _state(sessionmaker, w) == (1, {"employees": "120"}, 0), who
    admin = await gql_as(Role.ADMIN)(FILL, _input(w, w.office))
    assert admin["data"]["fillDisclosureFromCalculations"]["disclosure"]["metrics"] == [
        {"key": "EMPLOYEES", "value": "120"},
        {"key": "SCOPE1_TCO2E", "value": "13.000"},
        {"key": "SCOPE2_TCO2E", "value": "195.400"},
    ]
    owner = await gql_as(Role.ENTERPRISE, org_id=w.owner)(FILL, _input(w, w.plant, version=2))
    assert owner["data"]["fillDisclosureFromCalculations"]["disclosure"]["version"] == 3


async def test_an_institutions_disclosure_is_not_filled(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    w = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        d = await create_disclosure(
            s, subject_enterprise_id=None, subject_institution_id=w.bank, year=2024
        )
    variables = _input(w, w.office)
    variables["input"]["disclosureId"] = to_global_id("Disclosure", d.id)
    body = await gql_as(Role.ADMIN)(FILL, variables)
    result = body["data"]["fillDisclosureFromCalculations"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "NOT_SUPPORTED",
        "disclosureId",
    )


async def test_metric_sources_of_many_disclosures_take_one_statement(
    gql_as: Any, sessionmaker: SessionMaker, app: Starlette
) -> None:
    w = await _world(sessionmaker)
    admin = gql_as(Role.ADMIN)
    async with sessionmaker() as s, s.begin():
        for year in (2024, 2024):
            await create_disclosure(s, subject_enterprise_id=w.owner, year=year)
    ids = await _disclosure_ids(sessionmaker, w.owner)
    for d in ids:
        variables = _input(w, w.office, w.plant)
        variables["input"]["disclosureId"] = to_global_id("Disclosure", d)
        assert (await admin(FILL, variables))["data"]["fillDisclosureFromCalculations"][
            "__typename"
        ] == "DisclosureSuccess"
    query = """{ disclosures(first: 10) { edges { node { metricSources { metric value } } } } }"""
    with count_statements(app.state.resources.engine) as statements:
        body = await admin(query)
    assert body.get("errors") is None
    nodes = [e["node"] for e in body["data"]["disclosures"]["edges"]]
    assert len(nodes) == 3
    assert all(
        sum(Decimal(r["value"]) for r in n["metricSources"]) == Decimal("1612.400") for n in nodes
    )
    # the page, then every disclosure's links at once
    assert len(statements) == 2


async def _disclosure_ids(sessionmaker: SessionMaker, enterprise: uuid.UUID) -> list[uuid.UUID]:
    async with sessionmaker() as s:
        rows = await s.scalars(
            select(Disclosure.id).where(Disclosure.subject_enterprise_id == enterprise)
        )
        return list(rows)


async def test_a_project_benefit_fills_the_carbon_reduction(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    w = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        project = await create_project(s, enterprise_id=w.owner, title="屋顶分布式光伏电站")
        # 1000 MWh 上网电量 × 0.1404 tCO2/MWh (2022 四川) = 140.400 tCO2e 减排
        pv = await service.store_calculation(
            s,
            request=request(
                "benefit.photovoltaic",
                ("generation", "1000", "MWh"),
                accept=("*",),
                grid="2022.四川",
            ),
            year=2024,
            project_id=project.id,
        )
    me = gql_as(Role.ENTERPRISE, org_id=w.owner)

    scope1 = await me(FILL, _input(w, pv.id, metrics=["SCOPE1_TCO2E"]))
    body = await me(FILL, _input(w, pv.id))

    assert scope1["data"]["fillDisclosureFromCalculations"]["errors"] == [
        {
            "field": "metrics",
            "code": "NOT_SUPPORTED",
            "message": "the calculations supply none of: scope1_tco2e",
        }
    ]
    disclosure = body["data"]["fillDisclosureFromCalculations"]["disclosure"]
    assert disclosure["metrics"] == [
        {"key": "CARBON_REDUCTION_TCO2E", "value": "140.400"},
        {"key": "EMPLOYEES", "value": "120"},
    ]
    assert [(r["section"], r["label"], r["value"]) for r in disclosure["metricSources"]] == [
        ("二氧化碳当量减排量", "替代电网电量", "140.400")
    ]


async def test_metric_sources_are_seen_with_their_disclosure_only(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    # given the published disclosure and a draft, both filled by the owner
    w = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        draft = await create_disclosure(
            s, subject_enterprise_id=w.owner, year=2024, status=DisclosureStatus.DRAFT
        )
    owner = gql_as(Role.ENTERPRISE, org_id=w.owner)
    for d in (w.disclosure, draft.id):
        variables = _input(w, w.office)
        variables["input"]["disclosureId"] = to_global_id("Disclosure", d)
        result = (await owner(FILL, variables))["data"]["fillDisclosureFromCalculations"]
        assert result["__typename"] == "DisclosureSuccess"
    query = """{ disclosures(first: 10) { edges { node { status
        metricSources { metric value } } } } }"""

    async def seen(caller: Any) -> list[tuple[str, list[tuple[str, str]]]]:
        body = await caller(query)
        assert body.get("errors") is None, body
        return sorted(
            (
                n["node"]["status"],
                sorted((r["metric"], r["value"]) for r in n["node"]["metricSources"]),
            )
            for n in body["data"]["disclosures"]["edges"]
        )

    links = [
        ("SCOPE1_TCO2E", "13.000"),
        ("SCOPE2_TCO2E", "140.400"),
        ("SCOPE2_TCO2E", "55.000"),
    ]
    # then the public sees the published disclosure's links, and the draft's only its owner
    # and those who read every disclosure
    published_only = [("PUBLISHED", links)]
    both = [("DRAFT", links), ("PUBLISHED", links)]
    assert await seen(gql_as(None)) == published_only
    assert await seen(gql_as(Role.ENTERPRISE, org_id=w.other)) == published_only
    assert await seen(gql_as(Role.INSTITUTION, org_id=w.bank)) == published_only
    assert await seen(owner) == both
    assert await seen(gql_as(Role.REGULATOR)) == both
    assert await seen(gql_as(Role.ADMIN)) == both
