"""The kept platform figures always equal a recomputation from the rows, for every caller.

``platform_statistics`` reads ``platform_figure`` (kept by ``statistics/upkeep.py`` in the
transactions that change the rows) plus a bound caller's own rows; ``recomputed_statistics``
counts the rows themselves under the caller's row rules. After any sequence of committed,
rolled-back and partly rolled-back transactions of creates, updates, deletes, status and
visibility changes, consent grants and revocations, and bulk statements the listener cannot
follow row by row, both must give every caller the same answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Uuid, bindparam, delete, event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from greenrong.core.db import SessionMaker
from greenrong.domain.access import policy
from greenrong.domain.access.models import ConsentScope, DataConsent
from greenrong.domain.access.predicates import to_sql
from greenrong.domain.access.principal import ANONYMOUS, Principal, Role
from greenrong.domain.disclosure.models import Disclosure, DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert, ExpertTitle
from greenrong.domain.finance.models import (
    DemandStatus,
    FinancialProduct,
    FinancingDemand,
)
from greenrong.domain.identification import repository as identification_repository
from greenrong.domain.identification.models import GreenIdentification as Suggestion
from greenrong.domain.identification.models import GreenIdentificationCorrection as Correction
from greenrong.domain.identification.models import IdentificationStatus
from greenrong.domain.identification.repository import Counts
from greenrong.domain.identification.service import identification_counts
from greenrong.domain.libraries import figures as library_figures
from greenrong.domain.libraries.models import (
    LIBRARY_SUBJECTS,
    Library,
    LibraryMembership,
    MembershipSource,
    SubjectType,
)
from greenrong.domain.libraries.statistics import (
    library_statistics,
    recomputed_library_statistics,
)
from greenrong.domain.matching.tracked import (
    DealStatus,
    FinancingMatch,
    MatchStatus,
    TechnologyDeal,
)
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.statistics.models import PlatformFigure
from greenrong.domain.statistics.repository import BUILT
from greenrong.domain.statistics.service import (
    built,
    platform_statistics,
    rebuild,
    rebuild_sync,
    recomputed_statistics,
)
from greenrong.domain.statistics.types import YearAmount
from greenrong.domain.technology.models import ListingStatus, TechnologyListing
from tests.factories.entities import (
    create_demand,
    create_disclosure,
    create_enterprise,
    create_expert,
    create_institution,
    create_listing,
    create_product,
    create_project,
)

CHINA = timezone(timedelta(hours=8))
#: moments whose UTC year differs from their local one, and the calendar's ends
MOMENTS = (
    datetime(2020, 12, 31, 20, 0, tzinfo=UTC),
    datetime(2021, 1, 1, 3, 0, tzinfo=CHINA),  # 2020 in UTC
    datetime(2021, 6, 1, tzinfo=UTC),
    datetime(2022, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
)
NAMES = ("成都绿能科技有限公司", "绵阳清源环保有限公司", "德阳光伏材料有限公司", "乐山水务集团")


@dataclass
class World:
    enterprises: tuple[uuid.UUID, uuid.UUID]
    institutions: tuple[uuid.UUID, uuid.UUID]
    expert: uuid.UUID

    def callers(self) -> list[Principal]:
        return [
            ANONYMOUS,
            Principal(Role.PARTNER, key_id=uuid.uuid4()),
            Principal(Role.EXPERT, org_id=self.expert),
            *(Principal(Role.ENTERPRISE, org_id=e) for e in self.enterprises),
            *(Principal(Role.INSTITUTION, org_id=i) for i in self.institutions),
            Principal(Role.REGULATOR),
            Principal(Role.ADMIN),
        ]


@pytest.fixture
async def world(sessionmaker: SessionMaker) -> World:
    async with sessionmaker.begin() as session:
        a = await create_enterprise(session, name="成都绿能科技有限公司")
        b = await create_enterprise(session, name="绵阳清源环保有限公司")
        bank = await create_institution(session, name="四川银行成都分行")
        other_bank = await create_institution(session, name="成都农村商业银行")
        expert = await create_expert(session, name="张建国")
    return World((a.id, b.id), (bank.id, other_bank.id), expert.id)


async def recomputed_identification(session: AsyncSession, caller: Principal) -> Counts:
    """identificationStatistics counted from the rows the caller sees (the statements the
    kept figures replaced)."""
    visible = policy.visible_rows(caller, Project.entity_type)
    projects = to_sql(Project, visible, now=datetime.now(UTC))
    return await identification_repository.counts(session, top=5, projects=projects)


async def assert_kept_equal_recomputed(sessionmaker: SessionMaker, world: World) -> None:
    async with sessionmaker() as session:
        assert await built(session)  # the kept figures are read, not the recomputation
        for caller in world.callers():
            kept = await platform_statistics(session, principal=caller)
            assert kept == await recomputed_statistics(session, principal=caller), caller
            identification = await identification_counts(session, principal=caller)
            assert identification == await recomputed_identification(session, caller), caller
            for days in DAYS:
                on = datetime.now(UTC).date() + timedelta(days=days)
                libraries = await library_statistics(session, on=on, principal=caller)
                recomputed = await recomputed_library_statistics(session, on=on, principal=caller)
                assert libraries == recomputed, (caller, on)


# ---- the random changes ---------------------------------------------------------------------

KINDS = (
    "enterprise", "enterprise_category", "institution", "product", "product_active",
    "expert", "expert_title", "expert_delete", "listing", "listing_status", "listing_delete",
    "demand", "demand_change", "demand_delete", "match", "match_change", "match_delete",
    "deal", "deal_delete", "disclosure", "disclosure_status", "disclosure_delete",
    "consent", "consent_revoke", "bulk_demand_status", "text_listing_status",
    *(FOLLOWED := (
        "project", "project_category", "project_demand", "demand_change",
        "suggestion", "suggestion_review", "suggestion_delete", "correction_delete",
        "membership", "membership_end", "membership_change", "membership_delete",
        "enterprise_category", "bulk_demand_status",
    )),
)  # fmt: skip
#: days relative to today (the kept library figures' horizon after a rebuild): before it, on
#: it, and after it, near and far
DAYS = (-800, -31, -1, 0, 1, 2, 31, 400)
#: catalogue codes (level 4) a suggestion or a correction names
CODES = ("1.1.1.1", "1.2.1.1", "3.2.2.1", "5.1.1.1")


def transactions(kinds: tuple[str, ...]) -> Any:
    operation = st.tuples(
        st.sampled_from(kinds), st.lists(st.integers(0, 10**6), min_size=6, max_size=6)
    )
    #: how a transaction ends: commit, roll back, or commit after rolling back a savepoint
    transaction = st.tuples(
        st.lists(operation, min_size=1, max_size=5),
        st.sampled_from(("commit", "rollback", "savepoint")),
    )
    return st.lists(transaction, min_size=1, max_size=3)


def pick(seq: Any, n: int) -> Any:
    items = list(seq)
    return items[n % len(items)] if items else None


def money(n: int) -> Decimal:
    return Decimal(n % 10**9) / 100 * (10 ** (n % 5))


async def _ids(session: AsyncSession, model: Any) -> list[uuid.UUID]:
    return list(await session.scalars(select(model.id).order_by(model.id)))


async def apply(session: AsyncSession, world: World, kind: str, r: list[int]) -> None:
    enterprise = pick(await _ids(session, Enterprise), r[0])
    institution = pick(world.institutions, r[1])
    if kind == "enterprise":
        await create_enterprise(session, name=pick(NAMES, r[0]) + str(r[1]),
                                green_category=pick(GreenCategory, r[2]))  # fmt: skip
    elif kind == "enterprise_category":
        row = await session.get(Enterprise, enterprise)
        assert row is not None
        row.green_category = pick(GreenCategory, r[2])
    elif kind == "institution":
        await create_institution(session, name=f"四川农村信用社{r[0]}")
    elif kind == "product":
        await create_product(session, institution_id=institution, active=r[2] % 2 == 0)
    elif kind == "product_active" and (ids := await _ids(session, FinancialProduct)):
        product = await session.get(FinancialProduct, pick(ids, r[2]))
        assert product is not None
        product.active = not product.active
    elif kind == "expert":
        await create_expert(session, name=f"李明{r[0]}", title=pick(ExpertTitle, r[2]))
    elif kind == "expert_title" and (ids := await _ids(session, Expert)):
        expert = await session.get(Expert, pick(ids, r[2]))
        assert expert is not None
        expert.title = pick(ExpertTitle, r[3])
    elif kind == "expert_delete":
        ids = [i for i in await _ids(session, Expert) if i != world.expert]
        if ids:
            await session.delete(await session.get(Expert, pick(ids, r[2])))
    elif kind == "listing":
        owner = ({"owner_enterprise_id": enterprise} if r[3] % 2 else
                 {"owner_institution_id": institution})  # fmt: skip
        await create_listing(session, title=f"餐厨垃圾资源化技术{r[0]}",
                             status=pick(ListingStatus, r[2]), **owner)  # fmt: skip
    elif kind == "listing_status" and (ids := await _ids(session, TechnologyListing)):
        listing = await session.get(TechnologyListing, pick(ids, r[2]))
        assert listing is not None
        listing.status = pick(ListingStatus, r[3])
    elif kind == "listing_delete":
        dealt = select(TechnologyDeal.listing_id)
        ids = list(
            await session.scalars(
                select(TechnologyListing.id).where(TechnologyListing.id.not_in(dealt))
                .order_by(TechnologyListing.id)
            )
        )  # fmt: skip
        if ids:
            await session.delete(await session.get(TechnologyListing, pick(ids, r[2])))
    elif kind == "demand":
        status = pick(DemandStatus, r[2])
        financed = status == DemandStatus.FINANCED or r[5] % 3 == 0
        products = await _ids(session, FinancialProduct)
        await create_demand(
            session,
            enterprise_id=enterprise,
            purpose="分布式光伏电站建设",
            amount=money(r[3]),
            status=status,
            product_id=pick(products, r[4]) if products and r[4] % 2 else None,
            submitted_at=pick(MOMENTS, r[4]),
            financed_amount=money(r[5]) if financed and r[5] % 4 else None,
            financed_at=pick(MOMENTS, r[5] // 7) if financed and r[5] % 5 else None,
        )
    elif kind == "demand_change" and (ids := await _ids(session, FinancingDemand)):
        demand = await session.get(FinancingDemand, pick(ids, r[2]))
        assert demand is not None
        demand.status = pick(DemandStatus, r[3])
        if r[4] % 2:
            demand.amount = money(r[4])
        if r[5] % 2:
            demand.financed_amount = money(r[5])
            demand.financed_at = pick(MOMENTS, r[5] // 3)
        if r[5] % 3 == 0:
            demand.submitted_at = pick(MOMENTS, r[5] // 5)
    elif kind == "demand_delete":
        matched = select(FinancingMatch.demand_id)
        ids = list(
            await session.scalars(
                select(FinancingDemand.id).where(FinancingDemand.id.not_in(matched))
                .order_by(FinancingDemand.id)
            )
        )  # fmt: skip
        if ids:
            await session.delete(await session.get(FinancingDemand, pick(ids, r[2])))
    elif kind == "match":
        demands = await _ids(session, FinancingDemand)
        products = await _ids(session, FinancialProduct)
        if demands and products:
            demand_id, product_id = pick(demands, r[2]), pick(products, r[4])
            pair = (FinancingMatch.demand_id == demand_id, FinancingMatch.product_id == product_id)
            if await session.scalar(select(FinancingMatch.id).where(*pair)) is None:
                status = pick(MatchStatus, r[3])
                financed = status == MatchStatus.FINANCED
                session.add(
                    FinancingMatch(
                        demand_id=demand_id,
                        product_id=product_id,
                        status=status,
                        amount=money(r[5]) if financed else None,
                        closed_at=pick(MOMENTS, r[5]) if r[5] % 4 else None,
                    )
                )
    elif kind == "match_change" and (ids := await _ids(session, FinancingMatch)):
        match = await session.get(FinancingMatch, pick(ids, r[2]))
        assert match is not None
        match.status = pick(MatchStatus, r[3])
        match.amount = money(r[4]) if match.status == MatchStatus.FINANCED else None
        match.closed_at = pick(MOMENTS, r[5]) if r[5] % 3 else None
    elif kind == "match_delete" and (ids := await _ids(session, FinancingMatch)):
        await session.delete(await session.get(FinancingMatch, pick(ids, r[2])))
    elif kind == "deal" and (ids := await _ids(session, TechnologyListing)):
        listing_id = pick(ids, r[2])
        pair = (TechnologyDeal.listing_id == listing_id, TechnologyDeal.enterprise_id == enterprise)
        if await session.scalar(select(TechnologyDeal.id).where(*pair)) is None:
            status = pick(DealStatus, r[3])
            session.add(
                TechnologyDeal(
                    listing_id=listing_id,
                    enterprise_id=enterprise,
                    status=status,
                    amount=money(r[4]) if status == DealStatus.TRADED else None,
                )
            )
    elif kind == "deal_delete" and (ids := await _ids(session, TechnologyDeal)):
        await session.delete(await session.get(TechnologyDeal, pick(ids, r[2])))
    elif kind == "disclosure":
        subject: dict[str, Any] = {"subject_enterprise_id": enterprise}
        if r[3] % 2:
            subject = {"subject_enterprise_id": None, "subject_institution_id": institution}
        await create_disclosure(
            session,
            **subject,
            kind=pick(DisclosureKind, r[2]),
            status=pick(DisclosureStatus, r[4]),
            title=f"2021年度环境信息披露报告{r[0]}",
        )
    elif kind == "disclosure_status" and (ids := await _ids(session, Disclosure)):
        disclosure = await session.get(Disclosure, pick(ids, r[2]))
        assert disclosure is not None
        disclosure.status = pick(DisclosureStatus, r[3])
    elif kind == "disclosure_delete" and (ids := await _ids(session, Disclosure)):
        await session.delete(await session.get(Disclosure, pick(ids, r[2])))
    elif kind == "consent":
        session.add(
            DataConsent(
                enterprise_id=enterprise,
                institution_id=institution,
                scopes=[ConsentScope.DISCLOSURE_DRAFTS.value],
                expires_at=datetime.now(UTC) + timedelta(days=30),
            )
        )
    elif kind == "consent_revoke" and (ids := await _ids(session, DataConsent)):
        consent = await session.get(DataConsent, pick(ids, r[2]))
        assert consent is not None
        consent.revoked_at = datetime.now(UTC)
    elif kind == "bulk_demand_status":
        await session.execute(
            update(FinancingDemand)
            .where(FinancingDemand.enterprise_id == enterprise)
            .values(status=pick(DemandStatus, r[2]))
        )
    elif kind == "text_listing_status":
        await session.execute(
            text(
                "UPDATE technology_listing SET status = :status WHERE owner_enterprise_id = :e"
            ).bindparams(bindparam("e", type_=Uuid())),
            {"status": pick(ListingStatus, r[2]).value, "e": enterprise},
        )
    elif kind == "project":
        await create_project(session, enterprise_id=enterprise, title=f"屋顶光伏项目{r[0]}",
                             green_category=pick(GreenCategory, r[2]))  # fmt: skip
    elif kind == "project_demand" and (ids := await _ids(session, Project)):
        # an open demand on a project shows the project (and its suggestions) to institutions
        project = await session.get(Project, pick(ids, r[2]))
        assert project is not None
        await create_demand(session, enterprise_id=project.enterprise_id, project_id=project.id,
                            purpose="光伏项目融资", status=pick(DemandStatus, r[3]))  # fmt: skip
    elif kind == "suggestion" and (ids := await _ids(session, Project)):
        project_id = pick(ids, r[2])
        version = await session.scalar(
            select(func.coalesce(func.max(Suggestion.project_version), 0) + 1)
            .where(Suggestion.project_id == project_id)
        )  # fmt: skip
        session.add(
            Suggestion(
                project_id=project_id,
                project_version=version,
                description_hash=f"{r[0]:064x}"[-64:],
                code=pick((*CODES, None), r[3]),
                confidence=Decimal("0.8100"),
                engine_version="catalogue 2021; ranking 1",
                status=pick(IdentificationStatus, r[4]),
            )
        )
    elif kind == "suggestion_review" and (ids := await _ids(session, Suggestion)):
        suggestion = await session.get(Suggestion, pick(ids, r[2]))
        assert suggestion is not None
        suggestion.status = pick(IdentificationStatus, r[3])
        if suggestion.status == IdentificationStatus.CORRECTED:
            session.add(
                Correction(
                    identification_id=suggestion.id,
                    project_id=suggestion.project_id,
                    from_code=suggestion.code,
                    to_code=pick(CODES, r[4]),
                    reason="应归入清洁能源产业",
                    actor_role=Role.ADMIN,
                )
            )
    elif kind == "suggestion_delete" and (ids := await _ids(session, Suggestion)):
        suggestion_id = pick(ids, r[2])
        for correction in await session.scalars(
            select(Correction).where(Correction.identification_id == suggestion_id)
        ):
            await session.delete(correction)
        await session.flush()
        await session.delete(await session.get(Suggestion, suggestion_id))
    elif kind == "correction_delete" and (ids := await _ids(session, Correction)):
        await session.delete(await session.get(Correction, pick(ids, r[2])))
    elif kind == "project_category" and (ids := await _ids(session, Project)):
        project = await session.get(Project, pick(ids, r[2]))
        assert project is not None
        project.green_category = pick(GreenCategory, r[3])
    elif kind == "membership":
        projects = await _ids(session, Project)
        library = pick(Library, r[2])
        subject: dict[str, Any] = {"subject_type": "Enterprise", "enterprise_id": enterprise}
        if LIBRARY_SUBJECTS[library] is SubjectType.PROJECT:
            if not projects:
                return
            subject = {"subject_type": "Project", "project_id": pick(projects, r[3])}
        since = datetime.now(UTC).date() + timedelta(days=pick(DAYS, r[4]) + r[5] % 3 - 1)
        session.add(
            LibraryMembership(
                library=library,
                **subject,
                source=pick(MembershipSource, r[0]),
                reason="获评省级绿色工厂",
                since=since,
                until=None
                if r[5] % 3 == 0
                else since + timedelta(days=pick((0, 1, 30, 500), r[1])),
            )
        )
    elif kind == "membership_end" and (ids := await _ids(session, LibraryMembership)):
        membership = await session.get(LibraryMembership, pick(ids, r[2]))
        assert membership is not None
        membership.until = membership.since + timedelta(days=pick((0, 1, 31, 400), r[3]))
        membership.ended_reason = "绿色工厂称号被撤销"
    elif kind == "membership_change" and (ids := await _ids(session, LibraryMembership)):
        membership = await session.get(LibraryMembership, pick(ids, r[2]))
        assert membership is not None
        membership.since = datetime.now(UTC).date() + timedelta(days=pick(DAYS, r[3]))
        membership.until = None if r[4] % 2 else membership.since + timedelta(days=r[4] % 40)
        if membership.subject_type == "Enterprise":
            membership.enterprise_id = enterprise
    elif kind == "membership_delete" and (ids := await _ids(session, LibraryMembership)):
        await session.delete(await session.get(LibraryMembership, pick(ids, r[2])))
    await session.flush()


@settings(
    max_examples=15,
    deadline=None,
    # one database for every example: each starts from what the previous ones committed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(transactions=transactions(KINDS))
async def test_kept_figures_equal_a_recomputation_after_random_changes(
    sessionmaker: SessionMaker, world: World, transactions: list[tuple[list[Any], str]]
) -> None:
    await _run(sessionmaker, world, transactions)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(transactions=transactions(FOLLOWED))
async def test_library_and_identification_figures_equal_a_recomputation_after_random_changes(
    sessionmaker: SessionMaker, world: World, transactions: list[tuple[list[Any], str]]
) -> None:
    """The same, with the changes that move the libraries' and identification figures only:
    memberships, their subjects' categories, projects' visibility, suggestions, reviews."""
    await _run(sessionmaker, world, transactions)


async def _run(
    sessionmaker: SessionMaker, world: World, transactions: list[tuple[list[Any], str]]
) -> None:
    for operations, ending in transactions:
        # when
        async with sessionmaker() as session:
            await session.begin()
            for kind, r in operations[:-1]:
                await apply(session, world, kind, r)
            last_kind, last_r = operations[-1]
            if ending == "savepoint":
                savepoint = await session.begin_nested()
                await apply(session, world, last_kind, last_r)
                await savepoint.rollback()
            else:
                await apply(session, world, last_kind, last_r)
            if ending == "rollback":
                await session.rollback()
            else:
                await session.commit()

        # then
        await assert_kept_equal_recomputed(sessionmaker, world)


# ---- particular cases -----------------------------------------------------------------------


async def test_a_demand_moves_the_platform_figures_in_its_own_transaction(
    sessionmaker: SessionMaker, world: World
) -> None:
    # given
    admin = Principal(Role.ADMIN)
    async with sessionmaker.begin() as session:
        await create_demand(
            session,
            enterprise_id=world.enterprises[0],
            purpose="屋顶分布式光伏",
            amount=Decimal("1234567.89"),
            submitted_at=datetime(2021, 1, 1, 3, 0, tzinfo=CHINA),
        )

    # when: another is added and then rolled back
    async with sessionmaker() as session:
        await session.begin()
        demand = await create_demand(
            session, enterprise_id=world.enterprises[1], amount=Decimal("100.00")
        )
        await session.rollback()
    async with sessionmaker() as session:
        stats = await platform_statistics(session, principal=admin)
        gone = await session.get(FinancingDemand, demand.id)

    # then: the committed one counts in its UTC year, the rolled-back one nowhere
    assert gone is None
    assert stats.demand_received_total == Decimal("1234567.89")
    assert stats.demand_received_by_year == [YearAmount(2020, Decimal("1234567.89"), 1)]


async def test_a_bulk_update_rebuilds_the_figures_at_its_commit(
    sessionmaker: SessionMaker, world: World
) -> None:
    # given: two open demands, seen by every institution
    bank = Principal(Role.INSTITUTION, org_id=world.institutions[0])
    async with sessionmaker.begin() as session:
        for amount in ("100.00", "250.50"):
            await create_demand(session, enterprise_id=world.enterprises[0], amount=Decimal(amount))
    async with sessionmaker() as session:
        before = await platform_statistics(session, principal=bank)

    # when: one Core UPDATE closes both, which no flush reports
    async with sessionmaker.begin() as session:
        await session.execute(update(FinancingDemand).values(status=DemandStatus.CLOSED))

    # then
    async with sessionmaker() as session:
        after = await platform_statistics(session, principal=bank)
        assert after == await recomputed_statistics(session, principal=bank)
    assert before.demand_received_total == Decimal("350.50")
    assert after.demand_received_total == Decimal("0.00")


async def test_a_scope_not_built_for_these_rules_is_recomputed_until_rebuilt(
    engine: AsyncEngine, sessionmaker: SessionMaker, world: World
) -> None:
    # given: the markers are gone (as after rules changed) and a listing is added meanwhile
    async with sessionmaker.begin() as session:
        await session.execute(delete(PlatformFigure).where(PlatformFigure.figure == BUILT))
        await create_listing(
            session, owner_enterprise_id=world.enterprises[0], title="光伏板回收技术"
        )
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    # when
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    async with sessionmaker() as session:
        stale = await platform_statistics(session, principal=ANONYMOUS)
    event.remove(engine.sync_engine, "before_cursor_execute", record)
    async with sessionmaker.begin() as session:
        was_built = await built(session)
        await rebuild(session)
    async with sessionmaker() as session:
        rebuilt = await platform_statistics(session, principal=ANONYMOUS)
        markers = await session.scalar(
            select(func.count()).select_from(PlatformFigure).where(PlatformFigure.figure == BUILT)
        )

    # then: the stale answer was recomputed (kept read, then one recomputation), and is right
    assert was_built is False
    assert len(statements) == 2
    assert stale == rebuilt
    assert (stale.enterprise_count, stale.institution_count, stale.listing_count) == (2, 2, 1)
    assert markers == 3  # ADMIN+REGULATOR, the public's group, institutions


async def test_a_subject_changing_category_moves_its_library_shares_in_its_transaction(
    engine: AsyncEngine, sessionmaker: SessionMaker, world: World
) -> None:
    # given: an enterprise in the green enterprise library, and a private project of another
    # in the green project library, both open today
    today = datetime.now(UTC).date()
    async with sessionmaker.begin() as session:
        project = await create_project(
            session, enterprise_id=world.enterprises[1], green_category=GreenCategory.CLEAN_ENERGY
        )
        for library, subject in (
            (Library.GREEN_ENTERPRISE, {"subject_type": "Enterprise",
                                        "enterprise_id": world.enterprises[0]}),
            (Library.GREEN_PROJECT, {"subject_type": "Project", "project_id": project.id}),
        ):  # fmt: skip
            session.add(
                LibraryMembership(
                    library=library,
                    **subject,
                    reason="获评省级绿色工厂",
                    source=MembershipSource.CERTIFICATION,
                    since=today - timedelta(days=10),
                )
            )

    # when: both subjects change category
    async with sessionmaker.begin() as session:
        enterprise = await session.get(Enterprise, world.enterprises[0])
        assert enterprise is not None
        enterprise.green_category = GreenCategory.ECOLOGICAL_ENVIRONMENT
        (
            await session.get(Project, project.id)
        ).green_category = GreenCategory.ENERGY_SAVING_ENVIRONMENTAL  # type: ignore[union-attr]
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    async with sessionmaker() as session:
        public = await library_statistics(session, on=today, principal=ANONYMOUS)
    event.remove(engine.sync_engine, "before_cursor_execute", record)
    async with sessionmaker() as session:
        owner = Principal(Role.ENTERPRISE, org_id=world.enterprises[1])
        mine = await library_statistics(session, on=today, principal=owner)
        admin = await library_statistics(session, on=today, principal=Principal(Role.ADMIN))

    # then: the public reads the kept figures in one statement and sees the enterprise only;
    # the project's owner and the admin see the project in its new category
    def counts(figures: list[Any]) -> dict[str, dict[str, int]]:
        return {f.library: {s.category: s.count for s in f.by_green_category if s.count}
                for f in figures if f.count}  # fmt: skip

    assert len(statements) == 1
    assert counts(public) == {Library.GREEN_ENTERPRISE: {GreenCategory.ECOLOGICAL_ENVIRONMENT: 1}}
    assert (
        counts(mine)
        == counts(admin)
        == {
            Library.GREEN_ENTERPRISE: {GreenCategory.ECOLOGICAL_ENVIRONMENT: 1},
            Library.GREEN_PROJECT: {GreenCategory.ENERGY_SAVING_ENVIRONMENTAL: 1},
        }
    )


async def test_library_figures_kept_from_an_older_horizon_equal_a_recomputation(
    sessionmaker: SessionMaker, world: World
) -> None:
    # given: figures rebuilt 40 days ago (as if no release has rebuilt them since), and
    # memberships starting and ending around then and today
    today = datetime.now(UTC).date()

    def rebuild_40_days_ago(session: Any) -> None:
        rebuild_sync(session)
        session.execute(delete(PlatformFigure).where(PlatformFigure.figure.like("library_%")))
        library_figures.rebuild_sync(session, today - timedelta(days=40))

    async with sessionmaker.begin() as session:
        for n, (since, until) in enumerate(
            ((-60, None), (-60, -41), (-60, -40), (-40, -1), (-39, 0), (-1, 30), (5, None))
        ):
            session.add(
                LibraryMembership(
                    library=Library.GREEN_ENTERPRISE, subject_type="Enterprise",
                    enterprise_id=world.enterprises[n % 2], reason="获评省级绿色工厂",
                    source=MembershipSource.CERTIFICATION,
                    since=today + timedelta(days=since),
                    until=None if until is None else today + timedelta(days=until),
                )
            )  # fmt: skip
    async with sessionmaker.begin() as session:
        await session.run_sync(rebuild_40_days_ago)

    # when: one ends today, one starts tomorrow
    async with sessionmaker.begin() as session:
        ended = today - timedelta(days=41)
        first = await session.scalar(
            select(LibraryMembership).where(LibraryMembership.until == ended)
        )
        assert first is not None
        first.until = today  # (-60, -41) becomes (-60, today)
        session.add(
            LibraryMembership(
                library=Library.GREEN_ENTERPRISE, subject_type="Enterprise",
                enterprise_id=world.enterprises[0], reason="获评省级绿色工厂",
                source=MembershipSource.SCREENING, since=today + timedelta(days=1),
            )
        )  # fmt: skip

    # then: on every day from the horizon on, the kept figures are the recomputation's
    async with sessionmaker() as session:
        opened = []
        for days in range(-45, 45):
            on = today + timedelta(days=days)
            kept = await library_statistics(session, on=on, principal=ANONYMOUS)
            assert kept == await recomputed_library_statistics(
                session, on=on, principal=ANONYMOUS
            ), on
            opened.append(kept[0].count)
    assert opened[45 - 40] == 4  # the horizon: (-60, None), (-60, -40), (-40, -1), (-60, today)
    assert opened[45] == 4  # today: (-60, None), (-39, 0), (-1, 30), (-60, today)
    assert opened[46] == 3  # tomorrow: (-60, None), (-1, 30), the new one
