"""Stored calculations and the enterprise carbon account, on both databases: append-only,
reversing corrections, one-time retirement of credit serials, and consent."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from greenrong.core.db import SessionMaker
from greenrong.core.errors import ConsentRequired, ErrorCode, Forbidden, ValidationFailed
from greenrong.domain.access.guard import bind_actor
from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.carbon import service
from greenrong.domain.carbon.engine import CalculationRequest
from greenrong.domain.carbon.errors import CreditAlreadyRetired
from greenrong.domain.carbon.models import CarbonLedgerEntry, CreditStandard, LedgerKind
from greenrong.domain.kit.types import utcnow
from tests.carbon.helpers import request
from tests.factories.entities import create_enterprise, create_institution, create_project


def as_enterprise(enterprise_id: uuid.UUID) -> Principal:
    return Principal(Role.ENTERPRISE, org_id=enterprise_id, subject=f"enterprise:{enterprise_id}")


def electricity(mwh: str) -> CalculationRequest:
    # 2022 四川 grid factor 0.1404 tCO2/MWh
    return request("industrial.flat_glass", ("electricity:purchased", mwh, "MWh"), grid="2022.四川")


async def _world(sessionmaker: SessionMaker) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    async with sessionmaker() as s, s.begin():
        owner = await create_enterprise(s, name="成都绿能玻璃有限公司")
        other = await create_enterprise(s, name="绵阳清源环保有限公司")
        project = await create_project(s, enterprise_id=owner.id)
        bank = await create_institution(s)
        return owner.id, other.id, project.id, bank.id


async def _entries(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(CarbonLedgerEntry)) or 0)


async def test_stored_calculation_reruns_to_the_same_breakdown(sessionmaker: SessionMaker) -> None:
    owner, *_ = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        await service.open_account(s, enterprise_id=owner)
        # 10 000 MWh × 0.1404 = 1404.000 tCO2
        calc = await service.store_calculation(
            s, request=electricity("10000"), year=2023, enterprise_id=owner
        )
    async with sessionmaker() as s:
        check = await service.recheck(s, id=calc.id)
    assert check.stored_total == Decimal("1404.000")
    assert check.result.total == Decimal("1404.000")
    assert (check.changed, check.breakdown_matches) == (False, True)
    assert check.calculation.breakdown["lines"][0]["factors"][0]["key"] == "grid.2022.四川"
    assert check.calculation.factor_version == "CN-2025.1"


async def test_nothing_is_recorded_without_the_enterprises_open_account(
    sessionmaker: SessionMaker,
) -> None:
    owner, *_ = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        with pytest.raises(ConsentRequired):
            await service.store_calculation(
                s, request=electricity("1"), year=2023, enterprise_id=owner
            )
        with pytest.raises(ConsentRequired):
            await service.record_verification(
                s, enterprise_id=owner, year=2023, verifier="中环联合认证中心"
            )
    assert await _entries(sessionmaker) == 0


async def test_only_the_enterprise_itself_opens_and_records(sessionmaker: SessionMaker) -> None:
    owner, other, _, bank = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        bind_actor(s, as_enterprise(other), None)
        with pytest.raises(Forbidden):
            await service.open_account(s, enterprise_id=owner)
    async with sessionmaker() as s, s.begin():
        bind_actor(s, as_enterprise(owner), None)
        await service.open_account(s, enterprise_id=owner)
    for principal in (
        as_enterprise(other),
        Principal(Role.INSTITUTION, org_id=bank, subject="bank"),
        Principal(Role.REGULATOR, subject="regulator"),
    ):
        async with sessionmaker() as s, s.begin():
            bind_actor(s, principal, None)
            with pytest.raises(Forbidden):
                await service.record_verification(
                    s, enterprise_id=owner, year=2023, verifier="核查机构"
                )
    assert await _entries(sessionmaker) == 0
    async with sessionmaker() as s, s.begin():
        bind_actor(s, as_enterprise(owner), None)
        entry = await service.record_verification(
            s, enterprise_id=owner, year=2023, verifier="核查机构"
        )
    assert (entry.recorded_by_role, entry.kind) == (Role.ENTERPRISE, LedgerKind.VERIFICATION)
    # a closed account records nothing more
    async with sessionmaker() as s, s.begin():
        bind_actor(s, as_enterprise(owner), None)
        await service.close_account(s, enterprise_id=owner)
    async with sessionmaker() as s, s.begin():
        with pytest.raises(ConsentRequired):
            await service.record_verification(
                s, enterprise_id=owner, year=2024, verifier="核查机构"
            )
    assert await _entries(sessionmaker) == 1


async def test_a_credit_serial_is_retired_once_only(sessionmaker: SessionMaker) -> None:
    owner, other, _, _ = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        await service.open_account(s, enterprise_id=owner)
        await service.open_account(s, enterprise_id=other)
        first = await service.retire_credit(
            s,
            enterprise_id=owner,
            year=2024,
            standard=CreditStandard.CCER,
            serial="CCER-510000-2024-000123",
            amount=Decimal("100"),
        )
    for enterprise in (owner, other):
        async with sessionmaker() as s, s.begin():
            with pytest.raises(CreditAlreadyRetired) as e:
                await service.retire_credit(
                    s,
                    enterprise_id=enterprise,
                    year=2024,
                    standard=CreditStandard.CCER,
                    serial=" CCER-510000-2024-000123 ",
                    amount=Decimal("1"),
                )
            assert e.value.code == ErrorCode.ALREADY_RETIRED
    # a reversed retirement keeps its serial retired
    async with sessionmaker() as s, s.begin():
        await service.reverse_entry(s, id=first.id, note="录入错误")
    async with sessionmaker() as s, s.begin():
        with pytest.raises(CreditAlreadyRetired):
            await service.retire_credit(
                s,
                enterprise_id=owner,
                year=2024,
                standard=CreditStandard.CCER,
                serial="CCER-510000-2024-000123",
                amount=Decimal("100"),
            )
    # the same serial in another standard is another credit
    async with sessionmaker() as s, s.begin():
        await service.retire_credit(
            s,
            enterprise_id=owner,
            year=2024,
            standard=CreditStandard.FORESTRY,
            serial="CCER-510000-2024-000123",
            amount=Decimal("5"),
        )
    assert await _entries(sessionmaker) == 3


async def test_the_unique_constraint_holds_even_without_the_check(
    sessionmaker: SessionMaker,
) -> None:
    owner, *_ = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        await service.open_account(s, enterprise_id=owner)
    row: dict[str, Any] = dict(
        enterprise_id=owner,
        kind=LedgerKind.OFFSET,
        year=2024,
        amount=Decimal("1"),
        credit_standard=CreditStandard.CCER,
        credit_serial="S-1",
        recorded_by_role=Role.ADMIN,
    )
    async with sessionmaker() as s, s.begin():
        s.add(CarbonLedgerEntry(**row))
    with pytest.raises(DatabaseError):
        async with sessionmaker() as s, s.begin():
            s.add(CarbonLedgerEntry(**row))


async def test_corrections_are_reversing_entries_and_rows_are_never_edited(
    sessionmaker: SessionMaker,
) -> None:
    owner, *_ = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        await service.open_account(s, enterprise_id=owner)
        mark = await service.record_verification(
            s, enterprise_id=owner, year=2023, verifier="核查机构"
        )
    async with sessionmaker() as s, s.begin():
        reversal = await service.reverse_entry(s, id=mark.id, note="核查机构名称有误")
    assert (reversal.reverses_id, reversal.kind, reversal.year) == (
        mark.id,
        LedgerKind.VERIFICATION,
        2023,
    )
    async with sessionmaker() as s, s.begin():
        with pytest.raises(ValidationFailed) as e:
            await service.reverse_entry(s, id=mark.id, note="再次冲正")
        assert e.value.issues[0].code == ErrorCode.DUPLICATE
        with pytest.raises(ValidationFailed) as e:
            await service.reverse_entry(s, id=reversal.id, note="冲正的冲正")
        assert e.value.issues[0].code == ErrorCode.INVALID
    # the database refuses edits and deletes
    for sql in ("UPDATE carbon_ledger_entry SET year = 2020", "DELETE FROM carbon_ledger_entry"):
        with pytest.raises(DatabaseError):
            async with sessionmaker() as s, s.begin():
                await s.execute(text(sql))
    assert await _entries(sessionmaker) == 2


async def test_account_per_year_view(sessionmaker: SessionMaker) -> None:
    owner, _, project, _ = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        await service.open_account(s, enterprise_id=owner)
        c23 = await service.store_calculation(
            s, request=electricity("10000"), year=2023, enterprise_id=owner
        )
        c24 = await service.store_calculation(
            s, request=electricity("8000"), year=2024, enterprise_id=owner
        )
        await service.record_emission(
            s, enterprise_id=owner, calculation_id=c23.id, revenue_10k_cny=Decimal("20000")
        )
        await service.record_emission(
            s,
            enterprise_id=owner,
            calculation_id=c24.id,
            revenue_10k_cny=Decimal("24000"),
            output=Decimal("56160"),
            output_unit="t",
        )
        await service.record_reduction(
            s, enterprise_id=owner, year=2024, amount=Decimal("50"), project_id=project
        )
        await service.retire_credit(
            s,
            enterprise_id=owner,
            year=2024,
            standard=CreditStandard.CCER,
            serial="A-1",
            amount=Decimal("100"),
        )
        wrong = await service.retire_credit(
            s,
            enterprise_id=owner,
            year=2024,
            standard=CreditStandard.FORESTRY,
            serial="F-9",
            amount=Decimal("30"),
        )
        await service.reverse_entry(s, id=wrong.id, note="林业碳汇未完成注销")
        await service.record_verification(
            s, enterprise_id=owner, year=2024, verifier="四川省核查机构"
        )
        with pytest.raises(ValidationFailed):
            await service.record_emission(s, enterprise_id=owner, calculation_id=c23.id)
    async with sessionmaker() as s:
        y23, y24 = await service.account(s, enterprise_id=owner)
    # 2023: gross 10 000 MWh × 0.1404 = 1404.000; intensity 1404 / 20000 万元 = 0.070200
    assert (y23.year, y23.gross, y23.reductions, y23.offsets, y23.net) == (
        2023,
        Decimal("1404.000"),
        Decimal("0.000"),
        Decimal("0.000"),
        Decimal("1404.000"),
    )
    assert (y23.intensity_revenue, y23.gross_change, y23.verified) == (
        Decimal("0.070200"),
        None,
        False,
    )
    # 2024: gross 8 000 × 0.1404 = 1123.200; reductions 50 (shown, not deducted);
    #   offsets 100 + 30 − 30 (reversed) = 100; net 1123.2 − 100 = 1023.200
    #   intensity 1123.2 / 24000 = 0.046800 tCO2e/万元; 1123.2 / 56160 t = 0.020000 tCO2e/t
    #   change 1123.2 − 1404 = −280.800; rate −280.8 / 1404 = −0.2000
    assert (y24.gross, y24.reductions, y24.offsets, y24.net) == (
        Decimal("1123.200"),
        Decimal("50.000"),
        Decimal("100.000"),
        Decimal("1023.200"),
    )
    assert (y24.intensity_revenue, y24.intensity_output, y24.output_unit) == (
        Decimal("0.046800"),
        Decimal("0.020000"),
        "t",
    )
    assert (y24.gross_change, y24.gross_change_rate, y24.verified) == (
        Decimal("-280.800"),
        Decimal("-0.2000"),
        True,
    )


@pytest.mark.dated
async def test_institutions_read_only_under_valid_consent_and_revocation_stops_at_once(
    sessionmaker: SessionMaker,
) -> None:
    owner, other, _, bank = await _world(sessionmaker)
    async with sessionmaker() as s, s.begin():
        await service.open_account(s, enterprise_id=owner)
        await service.record_verification(s, enterprise_id=owner, year=2024, verifier="核查机构")
    banker = Principal(Role.INSTITUTION, org_id=bank, subject="bank")

    async def read_as(p: Principal) -> int:
        async with sessionmaker() as s:
            bind_actor(s, p, None)
            return len(await service.ledger(s, enterprise_id=owner))

    with pytest.raises(ConsentRequired):
        await read_as(banker)
    with pytest.raises(Forbidden):
        await read_as(Principal(Role.REGULATOR, subject="regulator"))
    with pytest.raises(Forbidden):
        await read_as(as_enterprise(other))
    assert await read_as(as_enterprise(owner)) == 1
    # a consent for another scope opens nothing; CARBON_LEDGER does
    async with sessionmaker() as s, s.begin():
        s.add(
            DataConsent(
                enterprise_id=owner,
                institution_id=bank,
                scopes=[ConsentScope.CONTACT_DETAILS.value],
                expires_at=utcnow() + timedelta(days=30),
            )
        )
    with pytest.raises(ConsentRequired):
        await read_as(banker)
    async with sessionmaker() as s, s.begin():
        grant = DataConsent(
            enterprise_id=owner,
            institution_id=bank,
            scopes=[ConsentScope.CARBON_LEDGER.value],
            expires_at=utcnow() + timedelta(days=30),
        )
        s.add(grant)
    assert await read_as(banker) == 1
    async with sessionmaker() as s, s.begin():
        row = await s.get(DataConsent, grant.id)
        assert row is not None
        row.revoked_at = utcnow()
    with pytest.raises(ConsentRequired):
        await read_as(banker)
