"""The carbon API through HTTP: reference queries, the calculate-record-read flow, typed
errors, and the authorization matrix (anonymous, other party, owner, institution, regulator)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.principal import Role
from greenrong.domain.carbon import benefits, industrial
from greenrong.domain.carbon.models import CarbonCalculation, CarbonLedgerEntry
from greenrong.domain.kit.types import utcnow
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import create_enterprise, create_institution
from tests.factories.statements import count_statements

REFERENCE = """{
  carbonIndustries { no nameZh supported guideline }
  carbonProjectTypes { key nameZh indicators { key } }
  environmentalIndicators { key confirmed }
  carbonFactorVersions
  carbonFactorSet(keyPrefix: "grid.2022.四川") { version factors { key value unit confidence source } }
}"""

OPEN = """mutation($id: ID!) { openCarbonAccount(input: {enterpriseId: $id}) {
  __typename ... on CarbonAccountSuccess { open } ... on ForbiddenError { code } } }"""

RUN = """mutation($input: RunCarbonCalculationInput!) { runCarbonCalculation(input: $input) {
  __typename
  ... on CarbonCalculationSuccess { calculation { id total unit factorVersion rounding
      lines { section label activity { value unit } result { value unit }
              factors { key value unit source version confidence measured } } } }
  ... on ValidationError { code message }
  ... on ForbiddenError { code message } } }"""

EMIT = """mutation($input: RecordCarbonEmissionInput!) { recordCarbonEmission(input: $input) {
  __typename ... on CarbonLedgerEntrySuccess { entry { id kind year amount } } } }"""

RETIRE = """mutation($input: RetireCarbonCreditInput!) { retireCarbonCredit(input: $input) {
  __typename ... on CarbonLedgerEntrySuccess { entry { kind amount creditSerial } }
  ... on ValidationError { code message } ... on ForbiddenError { code } } }"""

ACCOUNT = """query($id: ID!) { carbonAccount(enterpriseId: $id) {
  years { year gross offsets net intensityRevenue verified } entries { kind amount } } }"""


def electricity(enterprise: uuid.UUID, mwh: str, unit: str = "MWh") -> dict[str, Any]:
    return {
        "model": "industrial.flat_glass",
        "year": 2024,
        "enterpriseId": to_global_id("Enterprise", enterprise),
        "activities": [{"source": "electricity:purchased", "value": mwh, "unit": unit}],
        "parameters": [{"name": "grid", "value": "2022.四川"}],
    }


async def _world(sessionmaker: SessionMaker) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    async with sessionmaker() as s, s.begin():
        owner = await create_enterprise(s)
        other = await create_enterprise(s)
        bank = await create_institution(s)
        return owner.id, other.id, bank.id


async def test_reference_queries(gql: Any) -> None:
    body = await gql(REFERENCE)
    data = body["data"]
    assert len(data["carbonIndustries"]) == 24
    assert {i["nameZh"] for i in data["carbonIndustries"] if i["supported"]} == {
        "发电",
        "水泥",
        "钢铁",
        "电解铝",
        "平板玻璃",
    }
    assert len(data["carbonProjectTypes"]) == 8
    assert [i["confirmed"] for i in data["environmentalIndicators"]].count(False) == 4
    assert data["carbonFactorVersions"] == ["CN-2025.1"]
    assert data["carbonFactorSet"]["factors"] == [
        {
            "key": "grid.2022.四川",
            "value": "0.1404",
            "unit": "kgCO2/kWh",
            "confidence": "high",
            "source": "生态环境部 国家统计局 公告 2024-12-20 (number reported as 2024年第33号 by a "
            "third-party repo, unverified)（2022 年电力二氧化碳排放因子）",
        }
    ]


async def test_owner_calculates_records_retires_and_reads(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    owner, _, _ = await _world(sessionmaker)
    me = gql_as(Role.ENTERPRISE, org_id=owner)
    gid = to_global_id("Enterprise", owner)
    assert (await me(OPEN, {"id": gid}))["data"]["openCarbonAccount"] == {
        "__typename": "CarbonAccountSuccess",
        "open": True,
    }
    # 10 000 MWh × 0.1404 tCO2/MWh (2022 四川) = 1404.000 tCO2
    run = (await me(RUN, {"input": electricity(owner, "10000")}))["data"]["runCarbonCalculation"]
    calc = run["calculation"]
    assert (calc["total"], calc["unit"], calc["factorVersion"]) == (
        "1404.000",
        "tCO2e",
        "CN-2025.1",
    )
    assert calc["lines"][0]["factors"][0]["key"] == "grid.2022.四川"
    assert calc["lines"][0]["result"] == {"value": "1404.000", "unit": "tCO2e"}
    emit = await me(
        EMIT,
        {"input": {"enterpriseId": gid, "calculationId": calc["id"], "revenue10kCny": "20000"}},
    )
    assert emit["data"]["recordCarbonEmission"]["entry"]["amount"] == "1404.000"
    credit = {
        "enterpriseId": gid,
        "year": 2024,
        "standard": "CCER",
        "serial": "CCER-2024-0001",
        "amount": "100",
    }
    first = (await me(RETIRE, {"input": credit}))["data"]["retireCarbonCredit"]
    assert first["__typename"] == "CarbonLedgerEntrySuccess"
    again = (await me(RETIRE, {"input": credit}))["data"]["retireCarbonCredit"]
    assert (again["__typename"], again["code"]) == ("ValidationError", "ALREADY_RETIRED")
    account = (await me(ACCOUNT, {"id": gid}))["data"]["carbonAccount"]
    # net 1404 − 100 = 1304; intensity 1404 / 20000 万元 = 0.070200
    assert account["years"] == [
        {
            "year": 2024,
            "gross": "1404.000",
            "offsets": "100.000",
            "net": "1304.000",
            "intensityRevenue": "0.070200",
            "verified": False,
        }
    ]


async def test_unit_mistakes_are_typed_errors(gql_as: Any, sessionmaker: SessionMaker) -> None:
    owner, _, _ = await _world(sessionmaker)
    me = gql_as(Role.ENTERPRISE, org_id=owner)
    await me(OPEN, {"id": to_global_id("Enterprise", owner)})
    run = (await me(RUN, {"input": electricity(owner, "10", "t")}))["data"]["runCarbonCalculation"]
    assert (run["__typename"], run["code"]) == ("ValidationError", "UNIT_MISMATCH")


async def test_an_unknown_model_names_the_field_and_the_valid_values(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    owner, _, _ = await _world(sessionmaker)
    me = gql_as(Role.ENTERPRISE, org_id=owner)
    await me(OPEN, {"id": to_global_id("Enterprise", owner)})
    document = RUN.replace(
        "... on ValidationError { code message }", "... on ValidationError { code field message }"
    )
    before = await _calculations(sessionmaker)
    for model, message in (
        (
            "industrial.chemical",
            f"model: unknown industry 'chemical': industrial.<key> takes one of {', '.join(sorted(industrial.BY_KEY))}",
        ),
        (
            "benefit.nuclear",
            f"model: unknown project type 'nuclear': benefit.<key> takes one of {', '.join(sorted(benefits.TYPES))}",
        ),
        (
            "residential",
            "model: unknown model 'residential': give industrial.<industry>, non_industrial, financial_institution or benefit.<project type>",
        ),
    ):
        body = await me(document, {"input": {**electricity(owner, "1"), "model": model}})
        assert body["data"]["runCarbonCalculation"] == {
            "__typename": "ValidationError",
            "code": "NOT_SUPPORTED",
            "field": "model",
            "message": message,
        }
    assert await _calculations(sessionmaker) == before


async def _calculations(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(CarbonCalculation)) or 0)


async def test_recording_matrix_only_the_owner_records(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    owner, other, bank = await _world(sessionmaker)
    gid = to_global_id("Enterprise", owner)
    await gql_as(Role.ENTERPRISE, org_id=owner)(OPEN, {"id": gid})
    credit = {
        "enterpriseId": gid,
        "year": 2024,
        "standard": "FORESTRY",
        "serial": "F-1",
        "amount": "1",
    }
    for caller in (
        gql_as(None),
        gql_as(Role.ENTERPRISE, org_id=other),
        gql_as(Role.INSTITUTION, org_id=bank),
        gql_as(Role.REGULATOR),
    ):
        body = await caller(RETIRE, {"input": credit})
        assert body["data"]["retireCarbonCredit"]["__typename"] == "ForbiddenError"
        run = (await caller(RUN, {"input": electricity(owner, "1")}))["data"][
            "runCarbonCalculation"
        ]
        assert run["__typename"] == "ForbiddenError"
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(CarbonLedgerEntry)) == 0


async def test_reading_matrix_owner_and_consented_institution_only(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    owner, other, bank = await _world(sessionmaker)
    gid = to_global_id("Enterprise", owner)
    await gql_as(Role.ENTERPRISE, org_id=owner)(OPEN, {"id": gid})

    async def code(role: Role | None, org: uuid.UUID | None = None) -> str | None:
        body = await gql_as(role, org_id=org)(ACCOUNT, {"id": gid})
        return None if body.get("errors") is None else body["errors"][0]["extensions"]["code"]

    assert await code(None) == "FORBIDDEN"
    assert await code(Role.ENTERPRISE, other) == "FORBIDDEN"
    assert await code(Role.REGULATOR) == "FORBIDDEN"
    assert await code(Role.INSTITUTION, bank) == "FORBIDDEN_NO_CONSENT"
    assert await code(Role.ENTERPRISE, owner) is None
    async with sessionmaker() as s, s.begin():
        grant = DataConsent(
            enterprise_id=owner,
            institution_id=bank,
            scopes=[ConsentScope.CARBON_LEDGER.value],
            expires_at=utcnow() + timedelta(days=1),
        )
        s.add(grant)
    assert await code(Role.INSTITUTION, bank) is None
    async with sessionmaker() as s, s.begin():
        row = await s.get(DataConsent, grant.id)
        assert row is not None
        row.revoked_at = utcnow()
    assert await code(Role.INSTITUTION, bank) == "FORBIDDEN_NO_CONSENT"


async def test_account_statement_count_does_not_grow_with_the_ledger(
    app: Any, gql_as: Any, sessionmaker: SessionMaker
) -> None:
    owner, _, bank = await _world(sessionmaker)
    gid = to_global_id("Enterprise", owner)
    me = gql_as(Role.ENTERPRISE, org_id=owner)
    await me(OPEN, {"id": gid})
    async with sessionmaker() as s, s.begin():
        s.add(
            DataConsent(
                enterprise_id=owner,
                institution_id=bank,
                scopes=[ConsentScope.CARBON_LEDGER.value],
                expires_at=utcnow() + timedelta(days=1),
            )
        )

    async def count(caller: Any, entries: int) -> int:
        for i in range(entries):
            await me(
                RETIRE,
                {
                    "input": {
                        "enterpriseId": gid,
                        "year": 2024,
                        "standard": "CCER",
                        "serial": f"S-{entries}-{i}",
                        "amount": "1",
                    }
                },
            )
        with count_statements(app.state.resources.engine) as statements:
            body = await caller(ACCOUNT, {"id": gid})
        assert body.get("errors") is None
        return len(statements)

    # the owner: the entries (1); an institution: its consent, then the entries (2)
    assert await count(me, 2) == 1
    assert await count(me, 10) == 1
    assert await count(gql_as(Role.INSTITUTION, org_id=bank), 3) == 2


def _documented(marker: str, count: int) -> list[str]:
    """The ``count`` graphql blocks of docs/CARBON.md after ``<!-- example: marker -->``."""
    text = (Path(__file__).parents[2] / "docs" / "CARBON.md").read_text(encoding="utf-8")
    after = text[text.index(f"<!-- example: {marker} -->") :]
    return re.findall(r"```graphql\n(.*?)```", after, flags=re.S)[:count]


async def test_the_documented_example_runs_as_written(
    gql_as: Any, sessionmaker: SessionMaker
) -> None:
    owner, _, _ = await _world(sessionmaker)
    enterprise = to_global_id("Enterprise", owner)
    me = gql_as(Role.ENTERPRISE, org_id=owner)
    (calculate,) = _documented("carbon-calculate", 1)
    record, report = _documented("carbon-record-and-report", 2)

    first = await me(calculate, {"enterprise": enterprise})
    assert "errors" not in first, first
    assert first["data"]["openCarbonAccount"] == {
        "__typename": "CarbonAccountSuccess",
        "open": True,
    }
    run = first["data"]["runCarbonCalculation"]
    assert run["__typename"] == "CarbonCalculationSuccess", run
    assert {k: run["calculation"][k] for k in ("total", "unit", "factorVersion")} == {
        "total": "112.320",
        "unit": "tCO2e",
        "factorVersion": "CN-2025.1",
    }
    second = await me(record, {"enterprise": enterprise, "calculation": run["calculation"]["id"]})
    assert second["data"]["recordCarbonEmission"] == {
        "__typename": "CarbonLedgerEntrySuccess",
        "entry": {"kind": "EMISSION", "year": 2022, "amount": "112.320"},
    }
    third = await me(report, {"enterprise": enterprise})
    assert "errors" not in third, third
    shown = third["data"]["carbonReport"]
    assert (shown["year"], shown["linesTotal"], shown["summary"]["gross"]) == (
        2022,
        "112.320",
        "112.320",
    )
    assert shown["pageUrl"] == f"/reports/carbon/{owner}/2022"
    assert [line["value"] for line in shown["lines"]] == ["112.320"]
