"""The demo seed at scale 1 reproduces the 2022 绿蓉融 report, and only loads an empty database."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from greenrong.core.db import SessionMaker
from greenrong.domain.access.guard import system_sessionmaker
from greenrong.domain.access.models import DataConsent
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.carbon import service as carbon
from greenrong.domain.disclosure.models import Disclosure, DisclosureKind
from greenrong.domain.enterprises.credit_code import credit_code_problem
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.finance.models import FinancialInstitution, FinancingDemand
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.seed.dataset import Batch, DemoDataset
from greenrong.domain.seed.demo import DatabaseNotEmpty, SeedReport, seed_demo
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.statistics.service import platform_statistics
from greenrong.domain.statistics.types import PlatformStatistics, YearAmount
from tests.factories.demo import demo_at_scale_1
from tests.factories.prebuilt import prebuilt_world

ADMIN = Principal(Role.ADMIN)  # the platform's own figures: every row

REPORT = PlatformStatistics(
    enterprise_count=2918,
    institution_count=71,
    product_count=130,
    expert_count=154,
    listing_count=1000,
    demand_received_total=Decimal("23920000000.00"),
    financing_facilitated_total=Decimal("6719000000.00"),
    demand_received_by_year=[],  # not a report figure; checked separately below
    financing_facilitated_by_year=[
        YearAmount(2020, Decimal("760000000.00"), 140),
        YearAmount(2021, Decimal("2141000000.00"), 390),
        YearAmount(2022, Decimal("3818000000.00"), 520),
    ],
    enterprises_by_green_category=[
        (GreenCategory.ENERGY_SAVING_ENVIRONMENTAL, 1138),
        (GreenCategory.CLEAN_PRODUCTION, 321),
        (GreenCategory.CLEAN_ENERGY, 379),
        (GreenCategory.ECOLOGICAL_ENVIRONMENT, 292),
        (GreenCategory.GREEN_INFRASTRUCTURE, 613),
        (GreenCategory.GREEN_SERVICES, 175),
    ],
    experts_by_title=[
        (ExpertTitle.PROFESSOR, 63),
        (ExpertTitle.SENIOR_ENGINEER, 37),
        (ExpertTitle.PROFESSORIAL_SENIOR_ENGINEER, 25),
        (ExpertTitle.RESEARCHER, 15),
        (ExpertTitle.OTHER, 14),
    ],
    disclosures_by_kind=[
        (DisclosureKind.FI_ENVIRONMENTAL, 63),
        (DisclosureKind.ENTERPRISE_ENVIRONMENTAL, 859),
        (DisclosureKind.CSR_ESG_REPORT, 546),
        (DisclosureKind.ENVIRONMENTAL_EVALUATION, 4532),
    ],
    # 对接服务 1,910, and its financed matches reproduce 促成融资 exactly
    matching_service_count=1910,
    match_financed_total=Decimal("6719000000.00"),
    match_financed_by_year=[
        YearAmount(2020, Decimal("760000000.00"), 140),
        YearAmount(2021, Decimal("2141000000.00"), 390),
        YearAmount(2022, Decimal("3818000000.00"), 520),
    ],
)

#: the demo at scale 1, seeded once a run (``tests/factories/prebuilt.py``)
demo = prebuilt_world(demo_at_scale_1, __file__, name="demo", settle=False)


async def test_seeding_at_scale_1_reproduces_the_reports_figures(
    sessionmaker: SessionMaker, demo: SeedReport
) -> None:
    # when
    report = demo
    async with sessionmaker() as session:
        stats = await platform_statistics(session, principal=ADMIN)
        fi_subjects = await session.scalar(
            select(func.count(func.distinct(Disclosure.subject_institution_id))).where(
                Disclosure.kind == DisclosureKind.FI_ENVIRONMENTAL
            )
        )

    # then: every figure of the report, exactly
    received_by_year = stats.demand_received_by_year
    assert stats == replace(REPORT, demand_received_by_year=received_by_year)
    assert [y.year for y in received_by_year] == [2020, 2021, 2022]
    assert sum(y.amount for y in received_by_year) == Decimal("23920000000.00")
    assert sum(y.count for y in received_by_year) == report.count("FinancingDemand")
    assert fi_subjects == 63  # one FI report per institution
    assert report.summary().startswith(
        "2,918 enterprises, 71 institutions, 130 products, 154 experts, "
        "1,000 technology listings, 300 technology needs, "
    )
    assert report.summary().endswith(
        " financing demands, 1,910 matching services, 6,000 disclosures, 352 certifications, "
        "704 certification reviews, 2,837 certification history steps, 24 carbon accounts, "
        "42 carbon calculations, 74 carbon ledger entries, 18 data consents, "
        "9,765 technology leads"
    )
    await _the_readme_s_carbon_example_is_there(sessionmaker)


async def _the_readme_s_carbon_example_is_there(sessionmaker: SessionMaker) -> None:
    """README names 四川亨碧氢能装备有限公司, 2021: an account whose ledger has every
    kind of entry, consented to a bank; every emission is its stored calculation,
    which the engine reproduces."""
    async with system_sessionmaker(sessionmaker)() as session:
        firm = await session.scalar(
            select(Enterprise).where(Enterprise.name == "四川亨碧氢能装备有限公司")
        )
        assert firm is not None
        entries = await carbon.ledger(session, enterprise_id=firm.id)
        assert sorted((e.kind.value, e.year) for e in entries) == [
            ("EMISSION", 2021),
            ("OFFSET", 2021),
            ("REDUCTION", 2021),
            ("VERIFICATION", 2021),
        ]
        (year,) = await carbon.account(session, enterprise_id=firm.id)
        assert (year.year, year.gross, year.offsets, year.net, year.verified) == (
            2021,
            Decimal("2071.737"),
            Decimal("81.000"),
            Decimal("1990.737"),
            True,
        )
        banks = (
            await session.execute(
                select(FinancialInstitution.name, DataConsent.scopes)
                .join(DataConsent, DataConsent.institution_id == FinancialInstitution.id)
                .where(DataConsent.enterprise_id == firm.id)
            )
        ).all()
        assert [tuple(b) for b in banks] == [
            ("平安银行成都分行", ["CARBON_LEDGER", "FINANCING_DEMANDS", "CONTACT_DETAILS"])
        ]
        for entry in (e for e in entries if e.calculation_id is not None):
            again = await carbon.recheck(session, id=entry.calculation_id)
            assert again.result.total == again.stored_total == abs(entry.amount)


async def test_seeded_credit_codes_are_valid_unique_and_carry_the_region(
    sessionmaker: SessionMaker, demo: SeedReport
) -> None:
    # when
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(Enterprise.credit_code, Enterprise.region_code, Enterprise.name)
            )
        ).all()

    # then
    assert len(rows) == 2918
    assert [code for code, _, _ in rows if credit_code_problem(code) is not None] == []
    assert all(code[2:8] == region for code, region, _ in rows)
    assert len({code for code, _, _ in rows}) == 2918
    assert len({name for _, _, name in rows}) == 2918


async def test_at_least_100_enterprises_each_in_chengdu_and_mianyang_have_5_projects_of_3_demands(
    sessionmaker: SessionMaker, demo: SeedReport
) -> None:
    # when: per enterprise, the projects that have >= 3 demands
    busy_projects = (
        select(Project.id, Project.enterprise_id)
        .join(FinancingDemand, FinancingDemand.project_id == Project.id)
        .group_by(Project.id, Project.enterprise_id)
        .having(func.count() >= 3)
        .subquery()
    )
    busy_enterprises = (
        select(Enterprise.region_code)
        .join(busy_projects, busy_projects.c.enterprise_id == Enterprise.id)
        .group_by(Enterprise.id, Enterprise.region_code)
        .having(func.count() >= 5)
    )
    async with sessionmaker() as session:
        regions = (await session.scalars(busy_enterprises)).all()

    # then
    per_prefecture = Counter(code[:4] for code in regions)
    assert per_prefecture["5101"] >= 100  # 成都市 (510100 or its counties)
    assert per_prefecture["5107"] >= 100  # 绵阳市 (510700 or its counties)


async def test_seeding_a_database_that_has_enterprises_raises_and_changes_nothing(
    sessionmaker: SessionMaker,
) -> None:
    # given
    await seed_demo(sessionmaker, scale=0.1, progress=False)
    async with sessionmaker() as session:
        before = await platform_statistics(session, principal=ADMIN)

    # when
    with pytest.raises(DatabaseNotEmpty, match="already has 292 enterprises"):
        await seed_demo(sessionmaker, scale=0.1, progress=False)

    # then
    async with sessionmaker() as session:
        assert await platform_statistics(session, principal=ADMIN) == before


async def test_a_failing_seed_leaves_the_database_empty(sessionmaker: SessionMaker) -> None:
    # given: an institution already holds the id the seed will give its first institution,
    # so the seed fails after it inserted every enterprise
    dataset = DemoDataset(SeedPlan.at_scale(0.1), seed=2022)
    institution = next(b for b in dataset.batches() if _is(b, FinancialInstitution)).rows[0]
    async with sessionmaker() as session, session.begin():
        session.add(
            FinancialInstitution(
                id=institution["id"],
                name="占位机构",
                kind=institution["kind"],
                region_code="510104",
            )
        )

    # when
    with pytest.raises(IntegrityError):
        await seed_demo(sessionmaker, scale=0.1, seed=2022, progress=False)

    # then: no enterprise survived, so `seed --if-empty` will seed again
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Enterprise)) == 0


def _is(batch: Batch, model: type[object]) -> bool:
    return batch.model is model
