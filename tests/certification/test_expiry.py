"""Expiry end to end: products that require a level stop matching once the certificate expired,
and the `greenrong certification expire` command does the expiring."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from greenrong.cli import main
from greenrong.core.db import create_engine, create_sessionmaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.certification import service
from greenrong.domain.certification.models import Certification, CertificationStatus
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.clock import today
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from tests.factories.certification import issued
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_expert,
    create_institution,
    create_product,
)
from tests.matching.finance_helpers import index_products, names, near_misses, product_matches


@pytest.mark.dated
async def test_products_requiring_a_level_stop_matching_after_expiry(
    app, sessionmaker, gql
) -> None:
    issued_on = date(today().year - 1, 1, 1)
    # given: a 绿 certificate issued a year ago (valid three years), a product for 绿 and above;
    # dates follow the platform's today, so the test holds whatever year it runs in
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(
            session,
            name="成都光伏电站运营有限公司",
            region_code="510107",
            green_category=GreenCategory.CLEAN_ENERGY,
        )
        experts = [
            (await create_expert(session, name=n, affiliation=a)).id
            for n, a in (("何平", "四川大学"), ("罗敏", "电子科技大学"))
        ]
        await issued(
            session,
            enterprise_id=firm.id,
            experts=experts,
            share=Decimal("0.6"),
            on=issued_on,
        )
        bank = await create_institution(session, name="成都银行", region_code="510107")
        await create_product(
            session,
            institution_id=bank.id,
            name="绿色企业专享贷",
            min_green_level=GreenLevel.GREEN,
            min_rate=Decimal("0.0350"),
            max_rate=Decimal("0.0450"),
        )
        await create_product(
            session,
            institution_id=bank.id,
            name="普惠经营贷",
            min_rate=Decimal("0.0480"),
            max_rate=Decimal("0.0600"),
        )
        demand = await create_demand(
            session, enterprise_id=firm.id, purpose="光伏组件采购", amount=Decimal("5000000.00")
        )
    await index_products(app, sessionmaker)
    before = await product_matches(gql, demand.id, near=True)

    # when: the day after the last valid day
    async with sessionmaker.begin() as session:
        expired = await service.expire_due(session, on=issued_on.replace(year=issued_on.year + 3))
    await index_products(app, sessionmaker)
    after = await product_matches(gql, demand.id, near=True)

    # then
    assert len(expired) == 1
    assert sorted(names(before)) == ["普惠经营贷", "绿色企业专享贷"]
    assert names(after) == ["普惠经营贷"]
    assert near_misses(after)["绿色企业专享贷"][0] == "GREEN_LEVEL"


@pytest.mark.dated
def test_the_expire_command_expires_what_is_due_once(database_url: str, monkeypatch) -> None:
    # given
    async def given() -> tuple[object, object]:
        engine = create_engine(database_url)
        try:
            async with system_sessionmaker(create_sessionmaker(engine)).begin() as session:
                firm = await create_enterprise(session, name="泸州白酒循环经济有限公司")
                experts = [
                    (await create_expert(session, name=n, affiliation=a)).id
                    for n, a in (("蒋华", "四川轻化工大学"), ("田军", "西华大学"))
                ]
                cert = await issued(
                    session, enterprise_id=firm.id, experts=experts, on=date(2023, 6, 1)
                )
                return firm.id, cert.id
        finally:
            await engine.dispose()

    async def read(firm_id: object, cert_id: object) -> tuple[object, ...]:
        engine = create_engine(database_url)
        try:
            async with system_sessionmaker(create_sessionmaker(engine))() as session:
                cert = await session.get(Certification, cert_id)
                firm = await session.scalar(select(Enterprise).where(Enterprise.id == firm_id))
                assert cert is not None
                assert firm is not None
                return cert.status, firm.green_level, firm.green_level_valid_until
        finally:
            await engine.dispose()

    firm_id, cert_id = asyncio.run(given())
    monkeypatch.setenv("GREENRONG_DATABASE_URL", database_url)
    from greenrong.core.config import get_settings

    get_settings.cache_clear()
    runner = CliRunner()

    # when
    early = runner.invoke(main, ["certification", "expire", "--on", "2026-05-31"])
    # a day after today needs --yes; a dry run lists and changes nothing
    future = runner.invoke(main, ["certification", "expire", "--on", "2099-01-01"])
    dry = runner.invoke(main, ["certification", "expire", "--on", "2026-06-01", "--dry-run"])
    untouched = asyncio.run(read(firm_id, cert_id))
    due = runner.invoke(main, ["certification", "expire", "--on", "2026-06-01"])
    again = runner.invoke(main, ["certification", "expire", "--on", "2026-06-02"])
    get_settings.cache_clear()

    # then
    assert early.exit_code == 0, early.output
    assert "0 certificate(s) expired as of 2026-05-31" in early.output
    assert future.exit_code == 2
    assert "2099-01-01 is after today (" in future.output
    assert "List them with --dry-run, then confirm with --yes." in future.output
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == f"{cert_id}\tSCGE-2023-000001\t2026-05-31\n"
    assert "1 certificate(s) would expire as of 2026-06-01 (dry run: nothing changed)" in (
        dry.stderr
    )
    assert untouched[0] == CertificationStatus.ISSUED
    assert due.exit_code == 0, due.output
    assert f"{cert_id}\tSCGE-2023-000001\t2026-05-31" in due.output
    assert "1 certificate(s) expired as of 2026-06-01" in due.output
    assert "0 certificate(s) expired as of 2026-06-02" in again.output
    assert asyncio.run(read(firm_id, cert_id)) == (
        CertificationStatus.EXPIRED,
        GreenLevel.NONE,
        None,
    )
