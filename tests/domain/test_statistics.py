"""platform_statistics on small hand-made datasets: exact sums, UTC years, every category."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.disclosure.models import Disclosure, DisclosureKind
from greenrong.domain.experts.models import Expert, ExpertTitle
from greenrong.domain.finance.models import DemandStatus
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.statistics.service import platform_statistics
from greenrong.domain.statistics.types import PlatformStatistics, YearAmount
from greenrong.domain.technology.models import TechnologyDomain, TechnologyListing, TradeMode
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
)

ADMIN = Principal(Role.ADMIN)  # the platform's own figures: every row


def _expert(title: ExpertTitle) -> Expert:
    return Expert(
        name="李明",
        field="环境科学与工程",
        title=title,
        affiliation="四川大学",
        region_code="510107",
    )


async def test_statistics_of_an_empty_database_list_every_category_with_zero(
    sessionmaker: SessionMaker,
) -> None:
    # when
    async with sessionmaker() as session:
        stats = await platform_statistics(session, principal=ADMIN)

    # then
    assert stats == PlatformStatistics(
        enterprise_count=0,
        institution_count=0,
        product_count=0,
        expert_count=0,
        listing_count=0,
        demand_received_total=Decimal("0.00"),
        financing_facilitated_total=Decimal("0.00"),
        demand_received_by_year=[],
        financing_facilitated_by_year=[],
        enterprises_by_green_category=[(c, 0) for c in GreenCategory],
        experts_by_title=[(t, 0) for t in ExpertTitle],
        disclosures_by_kind=[(k, 0) for k in DisclosureKind],
    )


async def test_statistics_of_a_hand_made_dataset_are_exact(sessionmaker: SessionMaker) -> None:
    # given: three enterprises, an institution and its product, three experts, a listing,
    # two disclosures and six demands, one of them larger than a float can hold to the fen
    async with sessionmaker() as session, session.begin():
        a = await create_enterprise(session, green_category=GreenCategory.CLEAN_ENERGY)
        b = await create_enterprise(session, green_category=GreenCategory.CLEAN_ENERGY)
        c = await create_enterprise(session, green_category=GreenCategory.GREEN_SERVICES)
        bank = await create_institution(session)
        await create_product(session, institution_id=bank.id)
        session.add_all([_expert(ExpertTitle.PROFESSOR), _expert(ExpertTitle.PROFESSOR)])
        session.add(_expert(ExpertTitle.RESEARCHER))
        session.add(
            TechnologyListing(
                owner_enterprise_id=a.id,
                title="MBR膜生物反应器污水处理技术",
                domain=TechnologyDomain.WATER,
                maturity=7,
                trade_mode=TradeMode.LICENCE,
                region_code="510104",
            )
        )
        session.add_all(
            [
                Disclosure(
                    subject_institution_id=bank.id,
                    kind=DisclosureKind.FI_ENVIRONMENTAL,
                    year=2021,
                    title="2021年度环境信息披露报告",
                ),
                Disclosure(
                    subject_enterprise_id=c.id,
                    kind=DisclosureKind.ENTERPRISE_ENVIRONMENTAL,
                    year=2021,
                    title="2021年度环境信息披露报告",
                ),
            ]
        )
        await create_demand(
            session,
            enterprise_id=a.id,
            amount=Decimal("1234567.89"),
            submitted_at=datetime(2020, 3, 1, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=a.id,
            amount=Decimal("0.01"),
            status=DemandStatus.CLOSED,
            submitted_at=datetime(2021, 12, 31, 23, 59, 59, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=b.id,
            amount=Decimal("10000000.00"),
            status=DemandStatus.FINANCED,
            financed_amount=Decimal("9999999.99"),
            submitted_at=datetime(2021, 11, 1, tzinfo=UTC),
            financed_at=datetime(2022, 1, 15, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=c.id,
            amount=Decimal("250000.50"),
            status=DemandStatus.FINANCED,
            financed_amount=Decimal("250000.50"),
            submitted_at=datetime(2020, 12, 31, 20, 0, tzinfo=UTC),
            financed_at=datetime(2020, 12, 31, 23, 0, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=c.id,
            amount=Decimal("9999999999999.99"),
            status=DemandStatus.MATCHED,
            financed_amount=Decimal("7.77"),  # not FINANCED: never counted as facilitated
            submitted_at=datetime(2022, 2, 1, tzinfo=UTC),
        )
        await create_demand(
            session,
            enterprise_id=c.id,
            amount=Decimal("3.33"),
            status=DemandStatus.WITHDRAWN,
            submitted_at=datetime(2022, 5, 31, 23, 59, 59, tzinfo=UTC),
        )

    # when: (on PostgreSQL) the session's time zone is not UTC; years must still be UTC years
    async with sessionmaker() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SET TIME ZONE 'Asia/Shanghai'"))
        stats = await platform_statistics(session, principal=ADMIN)

    # then
    assert stats == PlatformStatistics(
        enterprise_count=3,
        institution_count=1,
        product_count=1,
        expert_count=3,
        listing_count=1,
        demand_received_total=Decimal("10000011484571.72"),
        financing_facilitated_total=Decimal("10250000.49"),
        demand_received_by_year=[
            YearAmount(2020, Decimal("1484568.39"), 2),
            YearAmount(2021, Decimal("10000000.01"), 2),
            YearAmount(2022, Decimal("10000000000003.32"), 2),
        ],
        financing_facilitated_by_year=[
            YearAmount(2020, Decimal("250000.50"), 1),
            YearAmount(2022, Decimal("9999999.99"), 1),
        ],
        enterprises_by_green_category=[
            (GreenCategory.ENERGY_SAVING_ENVIRONMENTAL, 0),
            (GreenCategory.CLEAN_PRODUCTION, 0),
            (GreenCategory.CLEAN_ENERGY, 2),
            (GreenCategory.ECOLOGICAL_ENVIRONMENT, 0),
            (GreenCategory.GREEN_INFRASTRUCTURE, 0),
            (GreenCategory.GREEN_SERVICES, 1),
        ],
        experts_by_title=[
            (ExpertTitle.PROFESSOR, 2),
            (ExpertTitle.SENIOR_ENGINEER, 0),
            (ExpertTitle.PROFESSORIAL_SENIOR_ENGINEER, 0),
            (ExpertTitle.RESEARCHER, 1),
            (ExpertTitle.OTHER, 0),
        ],
        disclosures_by_kind=[
            (DisclosureKind.FI_ENVIRONMENTAL, 1),
            (DisclosureKind.ENTERPRISE_ENVIRONMENTAL, 1),
            (DisclosureKind.CSR_ESG_REPORT, 0),
            (DisclosureKind.ENVIRONMENTAL_EVALUATION, 0),
        ],
    )
    assert all(type(y.amount) is Decimal for y in stats.demand_received_by_year)


async def test_statistics_of_the_platform_take_one_sql_statement(
    engine: AsyncEngine, sessionmaker: SessionMaker
) -> None:
    # given
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)

    # when
    async with sessionmaker() as session:
        await platform_statistics(session, principal=ADMIN)

    # then
    event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 1  # the kept figures of ADMIN's scope, whatever the data


async def test_dates_at_the_ends_of_the_calendar_count_in_their_years(
    sessionmaker: SessionMaker,
) -> None:
    """A row at the calendar's ends (the input bounds refuse them now, but a stored one must
    not fail every caller's statistics): on PostgreSQL ±infinity, which asyncpg reads as
    ``datetime.min``/``max``, counts in year 1 and 9999, as the API shows the row; on both
    databases the first and last representable instants count in their years."""
    # given
    async with sessionmaker() as session, session.begin():
        enterprise = await create_enterprise(session)
        earliest = await create_demand(
            session,
            enterprise_id=enterprise.id,
            amount=Decimal("1.00"),
            submitted_at=datetime(1, 1, 1, tzinfo=UTC),
        )
        latest = await create_demand(
            session,
            enterprise_id=enterprise.id,
            amount=Decimal("2.00"),
            status=DemandStatus.FINANCED,
            financed_amount=Decimal("2.00"),
            submitted_at=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            financed_at=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        )
        await create_demand(  # financed without a date: in the totals, in no year (not year 1)
            session,
            enterprise_id=enterprise.id,
            amount=Decimal("4.00"),
            status=DemandStatus.FINANCED,
            financed_amount=Decimal("4.00"),
            submitted_at=datetime(2021, 1, 1, tzinfo=UTC),
            financed_at=None,
        )
        await session.flush()
        if session.bind.dialect.name == "postgresql":
            await session.execute(
                text("UPDATE financing_demand SET submitted_at = '-infinity' WHERE id = :id"),
                {"id": earliest.id},
            )
            await session.execute(
                text(
                    "UPDATE financing_demand SET submitted_at = 'infinity', "
                    "financed_at = 'infinity' WHERE id = :id"
                ),
                {"id": latest.id},
            )

    # when
    async with sessionmaker() as session:
        stats = await platform_statistics(session, principal=ADMIN)

    # then
    assert stats.demand_received_by_year == [
        YearAmount(1, Decimal("1.00"), 1),
        YearAmount(2021, Decimal("4.00"), 1),
        YearAmount(9999, Decimal("2.00"), 1),
    ]
    assert stats.financing_facilitated_by_year == [YearAmount(9999, Decimal("2.00"), 1)]
