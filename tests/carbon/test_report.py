"""The carbon report: one model behind ``carbonReport``, the HTML page and the PDF; exact
figures, the access rules on each, and the PDF's Chinese text extracted back."""

from __future__ import annotations

import asyncio
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from greenrong.cli import main
from greenrong.core.config import Settings, get_settings
from greenrong.core.db import SessionMaker, create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.principal import Role
from greenrong.domain.carbon import service
from greenrong.domain.carbon.models import CreditStandard
from greenrong.domain.carbon.report_pdf import FONT_CANDIDATES
from greenrong.domain.kit.types import utcnow
from greenrong.schema.kit.ids import to_global_id
from tests.carbon.helpers import office_request, plant_request
from tests.factories.access import auth_headers
from tests.factories.entities import create_enterprise, create_institution
from tests.factories.statements import count_statements

NAME = "成都蓉绿玻璃有限公司"

REPORT = """query($id: ID!, $year: Int!) { carbonReport(enterpriseId: $id, year: $year) {
  enterpriseName year linesTotal pageUrl factorVersions
  summary { gross offsets net intensityRevenue grossChange verified }
  lines { section label activity factors value unit }
  bySource { section value } byYear { year gross net }
  entries { kind kindZh amount detail reversal } } }"""


@dataclass
class World:
    owner: uuid.UUID
    other: uuid.UUID
    bank: uuid.UUID


async def _fill(sessionmaker: SessionMaker) -> World:
    """2023: the office only (208.700 t). 2024: the office (208.700 t) and the plant
    (1404.000 t) = 1612.700 t gross, 100.000 t CCER retired, so net 1512.700 t; revenue
    20 000 万元 → 1612.700 / 20000 = 0.080635 t/万元."""
    async with sessionmaker() as s, s.begin():
        owner = await create_enterprise(s, name=NAME)
        other = await create_enterprise(s, name="绵阳清源水务有限公司")
        bank = await create_institution(s)
        await service.open_account(s, enterprise_id=owner.id)
        # 208.700 t (13.000 + 140.400 + 55.000 + 0.300) and 1404.000 t (helpers.py)
        office, plant = office_request(), plant_request()
        for year, req, revenue in (
            (2023, office, None),
            (2024, office, Decimal("8000")),
            (2024, plant, Decimal("12000")),
        ):
            calc = await service.store_calculation(
                s, request=req, year=year, enterprise_id=owner.id
            )
            await service.record_emission(
                s, enterprise_id=owner.id, calculation_id=calc.id, revenue_10k_cny=revenue
            )
        await service.retire_credit(
            s,
            enterprise_id=owner.id,
            year=2024,
            standard=CreditStandard.CCER,
            serial="CCER-510000-2024-000123",
            amount=Decimal("100"),
        )
        await service.record_verification(
            s, enterprise_id=owner.id, year=2024, verifier="四川省环科院核查中心"
        )
        return World(owner.id, other.id, bank.id)


async def test_carbon_report_has_the_exact_figures(gql_as: Any, sessionmaker: SessionMaker) -> None:
    w = await _fill(sessionmaker)
    gid = to_global_id("Enterprise", w.owner)

    body = await gql_as(Role.ENTERPRISE, org_id=w.owner)(REPORT, {"id": gid, "year": 2024})

    assert body.get("errors") is None, body
    r = body["data"]["carbonReport"]
    assert (r["enterpriseName"], r["year"], r["linesTotal"], r["factorVersions"]) == (
        NAME,
        2024,
        "1612.700",
        ["CN-2025.1"],
    )
    assert r["pageUrl"] == f"/reports/carbon/{w.owner}/2024"
    assert r["summary"] == {
        "gross": "1612.700",
        "offsets": "100.000",
        "net": "1512.700",
        "intensityRevenue": "0.080635",
        "grossChange": "1404.000",
        "verified": True,
    }
    assert r["bySource"] == [
        {"section": "净购入电力", "value": "1404.000"},
        {"section": "范围二 外购电力", "value": "140.400"},
        {"section": "范围二 外购热力", "value": "55.000"},
        {"section": "范围一 制冷剂逸散", "value": "13.000"},
        {"section": "范围三 员工通勤", "value": "0.300"},
    ]
    assert r["byYear"] == [
        {"year": 2023, "gross": "208.700", "net": "208.700"},
        {"year": 2024, "gross": "1612.700", "net": "1512.700"},
    ]
    assert r["lines"][-1] == {
        "section": "净购入电力",
        "label": "购入电力",
        "activity": "10000 MWh",
        "factors": ["grid.2022.四川 = 0.1404 kgCO2/kWh (CN-2025.1)"],
        "value": "1404.000",
        "unit": "tCO2e",
    }
    assert [(e["kindZh"], e["amount"], e["reversal"]) for e in r["entries"]] == [
        ("排放报告", "208.700", False),
        ("排放报告", "1404.000", False),
        ("碳信用注销（中和）", "100.000", False),
        ("第三方核查", "0.000", False),
    ]
    assert r["entries"][2]["detail"] == "CCER CCER-510000-2024-000123"


async def test_carbon_report_reading_matrix(gql_as: Any, sessionmaker: SessionMaker) -> None:
    w = await _fill(sessionmaker)
    gid = to_global_id("Enterprise", w.owner)

    async def code(role: Role | None, org: uuid.UUID | None = None) -> str | None:
        body = await gql_as(role, org_id=org)(REPORT, {"id": gid, "year": 2024})
        return None if body.get("errors") is None else body["errors"][0]["extensions"]["code"]

    assert await code(None) == "FORBIDDEN"
    assert await code(Role.ENTERPRISE, w.other) == "FORBIDDEN"
    assert await code(Role.REGULATOR) == "FORBIDDEN"
    assert await code(Role.INSTITUTION, w.bank) == "FORBIDDEN_NO_CONSENT"
    assert await code(Role.ENTERPRISE, w.owner) is None
    assert await code(Role.ADMIN) is None
    await _grant(sessionmaker, w)
    assert await code(Role.INSTITUTION, w.bank) is None


async def _grant(sessionmaker: SessionMaker, w: World) -> None:
    async with sessionmaker() as s, s.begin():
        s.add(
            DataConsent(
                enterprise_id=w.owner,
                institution_id=w.bank,
                scopes=[ConsentScope.CARBON_LEDGER.value],
                expires_at=utcnow() + timedelta(days=1),
            )
        )


async def test_the_page_is_self_contained_html_under_the_same_rules(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    w = await _fill(sessionmaker)
    path = f"/reports/carbon/{w.owner}/2024"

    async def get(role: Role | None, org: uuid.UUID | None = None, **headers: str) -> Any:
        sent = {} if role is None else auth_headers(settings, role, org_id=org)
        request = client.build_request("GET", path)
        request.headers.pop("authorization", None)
        request.headers.update({**sent, **headers})
        return await client.send(request)

    page = await get(Role.ENTERPRISE, w.owner)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert f"<h1>{NAME} 2024 年度碳排放报告</h1>" in html
    for text in (
        "排放明细",
        "按排放源",
        "按年度",
        "碳账户台账",
        "1612.700 tCO2e",
        "1512.700 tCO2e",
        # (1612.700 − 208.700) / 208.700 = 6.7274 (4 decimals, half-up) = 672.74 %
        '<td>较上年变化率</td><td class="num">672.74 %</td>',
    ):
        assert text in html, text
    assert html.count("<svg") == 2
    # nothing from elsewhere: no script, no external link, style or image
    for external in ("<script", "src=", "<link", "url("):
        assert external not in html, external
    assert "default-src 'none'" in page.headers["content-security-policy"]

    assert (await get(None)).status_code == 403
    assert (await get(Role.ENTERPRISE, w.other)).status_code == 403
    assert (await get(Role.INSTITUTION, w.bank)).status_code == 403
    assert (await get(None, authorization="Bearer not-a-credential")).status_code == 401
    await _grant(sessionmaker, w)
    assert (await get(Role.INSTITUTION, w.bank)).status_code == 200
    missing = client.build_request("GET", f"/reports/carbon/{uuid.uuid4()}/2024")
    assert (await client.send(missing)).status_code == 404


def _cli(database_url: str, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Any:
    monkeypatch.setenv("GREENRONG_DATABASE_URL", database_url)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        get_settings.cache_clear()


def test_the_pdf_renders_the_chinese_text(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert any(p.is_file() for p in FONT_CANDIDATES), "run tests/carbon/setup (the font)"
    w = asyncio.run(_in_engine(database_url))
    out = tmp_path / "碳排放报告.pdf"

    result = _cli(
        database_url,
        monkeypatch,
        *("report", "carbon", "--enterprise", str(w.owner), "--year", "2024", "--pdf", str(out)),
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"greenrong: wrote {out} ({NAME} 2024: 5 line(s), 4 ledger entr(ies))\n"
    )
    assert "fontTools" not in result.stderr  # font subsetting logs about 60 INFO lines
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        f"{NAME} 2024 年度碳排放报告",
        "年度汇总",
        "排放明细",
        "按排放源",
        "按年度",
        "碳账户台账",
        "排放总量",
        "1612.700 tCO2e",
        "净排放",
        "1512.700 tCO2e",
        "范围二 外购电力",
        "140.400 tCO2e",
        "明细合计 1612.700 tCO2e",
        "CCER-510000-2024-000123",
    ):
        assert expected in text, expected
    # the font is embedded as a subset (its name carries the six-letter subset tag)
    fonts = {
        str(f["/BaseFont"])
        for page in reader.pages
        for f in page["/Resources"]["/Font"].get_object().values()
    }
    assert any("+" in name for name in fonts), fonts


def test_the_pdf_command_says_which_font_is_missing(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "r.pdf"
    result = _cli(
        database_url,
        monkeypatch,
        *("report", "carbon", "--enterprise", str(uuid.uuid4()), "--year", "2024"),
        *("--pdf", str(out)),
        GREENRONG_REPORT_FONT=str(tmp_path / "none.ttf"),
    )
    assert result.exit_code == 1
    assert "install the Debian package fonts-wqy-microhei" in result.output
    assert not out.exists()


async def _in_engine(url: str) -> World:
    engine = create_engine(url)
    try:
        return await _fill(system_sessionmaker(create_sessionmaker(engine)))
    finally:
        await engine.dispose()


async def test_carbon_report_statement_count_does_not_grow_with_the_ledger(
    app: Any, gql_as: Any, sessionmaker: SessionMaker
) -> None:
    w = await _fill(sessionmaker)
    await _grant(sessionmaker, w)
    gid = to_global_id("Enterprise", w.owner)

    async def count(caller: Any) -> int:
        with count_statements(app.state.resources.engine) as statements:
            body = await caller(REPORT, {"id": gid, "year": 2024})
        assert body.get("errors") is None, body
        return len(statements)

    owner = gql_as(Role.ENTERPRISE, org_id=w.owner)
    bank = gql_as(Role.INSTITUTION, org_id=w.bank)
    # the enterprise, the entries, the calculations; an institution: its consent too
    assert (await count(owner), await count(bank)) == (3, 4)
    async with sessionmaker() as s, s.begin():
        for i in range(5):
            await service.retire_credit(
                s,
                enterprise_id=w.owner,
                year=2024,
                standard=CreditStandard.FORESTRY,
                serial=f"SC-LY-2024-{i:04d}",
                amount=Decimal("1"),
            )
    assert (await count(owner), await count(bank)) == (3, 4)
