"""The certification workflow through its services: every step, its history, illegal moves,
the consequences of issuance, revocation, expiry and renewal."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.certification import service
from greenrong.domain.certification.models import (
    Certification,
    CertificationEvent,
    CertificationReview,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.scoring import Answer, Attainment, ConsolidationRule
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.libraries.models import Library, LibraryMembership
from greenrong.domain.matching.tracked import ReviewAssignment
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenLevel
from tests.factories.certification import (
    comments_for,
    issued,
    reviewed,
    self_assessment,
    sha256,
    spread_scores,
    submitted,
)
from tests.factories.entities import create_enterprise, create_expert, create_project

S = CertificationStatus
D = Decimal


async def _experts(session: Any, n: int = 2) -> list[uuid.UUID]:
    names = ["王建华", "李晓梅", "陈志强", "刘芳"]
    return [
        (await create_expert(session, name=names[i], affiliation=f"西南交通大学{i}号实验室")).id
        for i in range(n)
    ]


async def _history(sessionmaker: Any, cert_id: uuid.UUID) -> list[tuple[str, str | None, str]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(CertificationEvent)
            .where(CertificationEvent.certification_id == cert_id)
            .order_by(CertificationEvent.at, CertificationEvent.id)
        )
        return [
            (e.action.value, e.from_status.value if e.from_status else None, e.to_status.value)
            for e in rows
        ]


async def test_the_whole_path_issues_a_certificate_and_sets_the_enterprise_level(
    sessionmaker,
) -> None:
    # given
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="四川川能清洁能源有限公司")
        experts = await _experts(session)
    async with sessionmaker.begin() as session:
        cert = await submitted(session, enterprise_id=firm.id)
        scoring = service.rubric_of(cert)
        cert = await reviewed(
            session,
            cert,
            experts,
            {
                experts[0]: spread_scores(scoring, D("0.8")),
                experts[1]: spread_scores(scoring, D("0.7")),
            },
        )
        cert = await service.consolidate_certification(
            session,
            id=cert.id,
            version=cert.version,
            rule=ConsolidationRule.MEAN,
            spread_threshold=D(15),
        )

        # when
        cert = await service.decide_certification(
            session,
            id=cert.id,
            version=cert.version,
            approve=True,
            reasons=[],
            on=date(2026, 12, 3),
            validity_years=3,
        )

    # then
    assert cert.rubric_version == "2023.1"
    assert (cert.pre_score, cert.score, cert.spread) == (D("100.00"), D("75.00"), D("10.00"))
    assert cert.scores == {
        "E1": "13.50",
        "E2": "15.00",
        "E3": "15.00",
        "E4": "11.25",
        "E5": "11.25",
        "E6": "9.00",
    }
    assert (cert.status, cert.level) == (S.ISSUED, GreenLevel.DEEP_GREEN)
    assert cert.certificate_number == "SCGE-2026-000001"
    assert (cert.valid_from, cert.valid_until) == (date(2026, 12, 3), date(2029, 12, 2))
    async with sessionmaker() as session:
        enterprise = await session.get(Enterprise, firm.id)
        assert enterprise is not None
        assert (enterprise.green_level, enterprise.green_level_valid_until) == (
            GreenLevel.DEEP_GREEN,
            date(2029, 12, 2),
        )
        assert enterprise.version == firm.version + 1
        updates = await session.scalar(
            select(func.count())
            .select_from(ChangeEvent)
            .where(ChangeEvent.entity_type == "Enterprise", ChangeEvent.entity_id == firm.id)
        )
        assert updates == 1  # the level change (the factory wrote no event)
        membership = (await session.scalars(select(LibraryMembership))).one()
        assert (membership.library, membership.enterprise_id, membership.certification_id) == (
            Library.GREEN_ENTERPRISE,
            firm.id,
            cert.id,
        )
        assert (membership.since, membership.until) == (date(2026, 12, 3), date(2029, 12, 2))
    assert await _history(sessionmaker, cert.id) == [
        ("START", None, "DRAFT"),
        ("UPDATE_SELF_ASSESSMENT", "DRAFT", "PRE_SCORED"),
        ("SUBMIT", "PRE_SCORED", "SUBMITTED"),
        ("ASSIGN_REVIEWERS", "SUBMITTED", "UNDER_REVIEW"),
        ("SCORE", "UNDER_REVIEW", "UNDER_REVIEW"),
        ("SCORE", "UNDER_REVIEW", "REVIEWED"),
        ("CONSOLIDATE", "REVIEWED", "CONSOLIDATED"),
        ("DECIDE", "CONSOLIDATED", "ISSUED"),
    ]


async def _snapshot(sessionmaker: Any, cert_id: uuid.UUID) -> tuple[Any, ...]:
    async with sessionmaker() as session:
        cert = await session.get(Certification, cert_id)
        assert cert is not None
        events = await session.scalar(select(func.count()).select_from(CertificationEvent))
        changes = await session.scalar(select(func.count()).select_from(ChangeEvent))
        return cert.status, cert.version, events, changes


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("submit", S.DRAFT),
        ("assign", S.PRE_SCORED),
        ("consolidate", S.SUBMITTED),
        ("decide", S.SUBMITTED),
        ("revoke", S.SUBMITTED),
        ("renew", S.SUBMITTED),
    ],
)
async def test_an_illegal_move_is_invalid_transition_and_changes_nothing(
    sessionmaker, step: str, status: CertificationStatus
) -> None:
    # given
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="攀枝花钒钛新材料有限公司")
        experts = await _experts(session)
        cert = await service.start_certification(
            session, subject_type=CertificationSubject.ENTERPRISE, enterprise_id=firm.id
        )
        if status is not S.DRAFT:
            answers, evidence = self_assessment(service.rubric_of(cert))
            cert = await service.update_self_assessment(
                session, id=cert.id, version=cert.version, answers=answers, evidence=evidence
            )
        if status is S.SUBMITTED:
            cert = await service.submit_certification(session, id=cert.id, version=cert.version)
    before = await _snapshot(sessionmaker, cert.id)
    steps = {
        "submit": lambda s: service.submit_certification(s, id=cert.id, version=cert.version),
        "assign": lambda s: service.assign_reviewers(
            s, id=cert.id, version=cert.version, expert_ids=experts, open_limit=3, min_reviewers=2
        ),
        "consolidate": lambda s: service.consolidate_certification(
            s, id=cert.id, version=cert.version, rule=ConsolidationRule.MEAN, spread_threshold=D(15)
        ),
        "decide": lambda s: service.decide_certification(
            s,
            id=cert.id,
            version=cert.version,
            approve=True,
            reasons=[],
            on=date(2026, 12, 3),
            validity_years=3,
        ),
        "revoke": lambda s: service.revoke_certification(
            s, id=cert.id, version=cert.version, reason="材料造假", on=date(2026, 12, 3)
        ),
        "renew": lambda s: service.renew_certification(s, id=cert.id, on=date(2026, 12, 3)),
    }

    # when
    with pytest.raises(ValidationFailed) as refused:
        async with sessionmaker.begin() as session:
            await steps[step](session)

    # then
    issue = refused.value.issues[0]
    assert (issue.field, issue.code) == ("status", ErrorCode.INVALID_TRANSITION)
    assert f"while the certification is {status.value}" in issue.message
    assert await _snapshot(sessionmaker, cert.id) == before


async def test_bad_self_assessment_input_is_refused_with_every_problem(sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="德阳东方电气配套有限公司")
        cert = await service.start_certification(
            session, subject_type=CertificationSubject.ENTERPRISE, enterprise_id=firm.id
        )
    before = await _snapshot(sessionmaker, cert.id)
    answers = [
        Answer("E1.1", Attainment.FULL),
        Answer("E1.1", Attainment.PARTIAL),
        Answer("E9.9", Attainment.FULL),
    ]
    evidence = [
        service.Evidence("营业执照.pdf", "pdf", "abc123", ("E1.1",)),
        service.Evidence("环评批复.exe", "exe", sha256("x"), ("E2.1",)),
        service.Evidence("监测报告.pdf", "pdf", sha256("x"), ("E7.1",)),
    ]

    # when
    with pytest.raises(ValidationFailed) as refused:
        async with sessionmaker.begin() as session:
            await service.update_self_assessment(
                session, id=cert.id, version=cert.version, answers=answers, evidence=evidence
            )

    # then
    assert [(i.field, i.code) for i in refused.value.issues] == [
        ("answers[1].indicator", ErrorCode.DUPLICATE),
        ("answers[2].indicator", ErrorCode.UNKNOWN_REFERENCE),
        ("evidence[0].sha256", ErrorCode.INVALID_FORMAT),
        ("evidence[1].type", ErrorCode.INVALID),
        ("evidence[2].sha256", ErrorCode.DUPLICATE),
        ("evidence[2].indicators", ErrorCode.UNKNOWN_REFERENCE),
    ]
    assert await _snapshot(sessionmaker, cert.id) == before


async def test_submitting_needs_an_answer_to_every_indicator(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="宜宾锂电材料有限公司")
        cert = await service.start_certification(
            session, subject_type=CertificationSubject.ENTERPRISE, enterprise_id=firm.id
        )
        answers, evidence = self_assessment(service.rubric_of(cert))
        cert = await service.update_self_assessment(
            session, id=cert.id, version=cert.version, answers=answers[2:], evidence=evidence
        )
    assert cert.pre_score == D("88.00")  # 2023.1: E1.1 (6) and E1.2 (6) unanswered

    with pytest.raises(ValidationFailed) as refused:
        async with sessionmaker.begin() as session:
            await service.submit_certification(session, id=cert.id, version=cert.version)

    issue = refused.value.issues[0]
    assert (issue.field, issue.code) == ("answers", ErrorCode.REQUIRED)
    assert issue.message == "answer every indicator first; missing: E1.1, E1.2"


async def test_conflicted_and_busy_experts_cannot_be_assigned(sessionmaker) -> None:
    # given: one expert works for the applicant, one holds 3 open reviews already
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="四川绿源环保有限公司")
        insider = await create_expert(session, name="赵明", affiliation="四川 （绿源）环保有限公司")
        busy = await create_expert(session, name="孙丽", affiliation="四川大学")
        free = await create_expert(session, name="周涛", affiliation="电子科技大学")
        owner = await create_enterprise(session, name="成都水务有限公司")
        for n in range(3):
            project = await create_project(session, enterprise_id=owner.id, title=f"污水厂提标{n}")
            session.add(ReviewAssignment(project_id=project.id, expert_id=busy.id))
        cert = await submitted(session, enterprise_id=firm.id)
    before = await _snapshot(sessionmaker, cert.id)

    # when
    with pytest.raises(ValidationFailed) as refused:
        async with sessionmaker.begin() as session:
            await service.assign_reviewers(
                session,
                id=cert.id,
                version=cert.version,
                expert_ids=[insider.id, busy.id, free.id],
                open_limit=3,
                min_reviewers=2,
            )

    # then
    assert [(i.field, i.code, i.message) for i in refused.value.issues] == [
        (
            "expert_ids",
            ErrorCode.INVALID,
            "conflict of interest: 赵明 works for 四川 （绿源）环保有限公司",
        ),
        (
            "expert_ids",
            ErrorCode.OUT_OF_RANGE,
            "孙丽 already holds 3 open reviews (the limit is 3)",
        ),
    ]
    assert await _snapshot(sessionmaker, cert.id) == before

    with pytest.raises(ValidationFailed) as too_few:
        async with sessionmaker.begin() as session:
            await service.assign_reviewers(
                session,
                id=cert.id,
                version=cert.version,
                expert_ids=[free.id],
                open_limit=3,
                min_reviewers=2,
            )
    assert too_few.value.issues[0].message == "assign at least 2 different experts"


async def test_a_wide_spread_opens_a_second_round_whose_scores_decide(sessionmaker) -> None:
    # given: 90 against 60 in round 1 (spread 30 > 15)
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="乐山多晶硅有限公司")
        experts = await _experts(session)
        cert = await submitted(session, enterprise_id=firm.id)
        scoring = service.rubric_of(cert)
        cert = await reviewed(
            session,
            cert,
            experts,
            {
                experts[0]: spread_scores(scoring, D("0.9")),
                experts[1]: spread_scores(scoring, D("0.6")),
            },
        )

        # when
        cert = await service.consolidate_certification(
            session,
            id=cert.id,
            version=cert.version,
            rule=ConsolidationRule.MEAN,
            spread_threshold=D(15),
        )

        # then
        assert (cert.status, cert.review_round, cert.second_round_flagged) == (
            S.SECOND_ROUND,
            2,
            True,
        )
        assert (cert.spread, cert.score) == (D("30.00"), None)
        reviews = await session.scalars(
            select(CertificationReview).order_by(
                CertificationReview.round, CertificationReview.assigned_at
            )
        )
        assert [(r.round, r.status) for r in reviews] == [
            (1, CertificationReviewStatus.SUPERSEDED),
            (1, CertificationReviewStatus.SUPERSEDED),
            (2, CertificationReviewStatus.OPEN),
            (2, CertificationReviewStatus.OPEN),
        ]
        for expert, share in zip(experts, (D("0.8"), D("0.7")), strict=True):
            cert = await service.score_certification(
                session,
                id=cert.id,
                expert_id=expert,
                scores=spread_scores(scoring, share),
                comments=comments_for(scoring),
            )
        assert cert.status is S.REVIEWED
        cert = await service.consolidate_certification(
            session,
            id=cert.id,
            version=cert.version,
            rule=ConsolidationRule.MEDIAN,
            spread_threshold=D(5),
        )
    # round 2 is final even though its spread (10) is above 5
    assert (cert.status, cert.score, cert.spread, cert.consolidation_rule) == (
        S.CONSOLIDATED,
        D("75.00"),
        D("10.00"),
        ConsolidationRule.MEDIAN,
    )
    history = await _history(sessionmaker, cert.id)
    assert history[-4:] == [
        ("CONSOLIDATE", "REVIEWED", "SECOND_ROUND"),
        ("SCORE", "SECOND_ROUND", "SECOND_ROUND"),
        ("SCORE", "SECOND_ROUND", "REVIEWED"),
        ("CONSOLIDATE", "REVIEWED", "CONSOLIDATED"),
    ]


async def test_a_rejection_needs_reasons_and_a_score_below_50_cannot_be_approved(
    sessionmaker,
) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="达州天然气化工有限公司")
        experts = await _experts(session)
        cert = await submitted(session, enterprise_id=firm.id)
        scoring = service.rubric_of(cert)
        # 49.99 in total: every dimension at half its points, less 0.01 on E1
        low = spread_scores(scoring, D("0.5")) | {"E1": D("8.99")}
        cert = await reviewed(session, cert, experts, {e: low for e in experts})
        cert = await service.consolidate_certification(
            session,
            id=cert.id,
            version=cert.version,
            rule=ConsolidationRule.MEAN,
            spread_threshold=D(15),
        )
    assert (cert.score, cert.level) == (D("49.99"), GreenLevel.NONE)

    for approve, reasons, field, message in [
        (True, [], "approve", "the score 49.99 is below the entry threshold 50"),
        (False, ["  "], "reasons", "give the reasons for the rejection"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            async with sessionmaker.begin() as session:
                await service.decide_certification(
                    session,
                    id=cert.id,
                    version=cert.version,
                    approve=approve,
                    reasons=reasons,
                    on=date(2026, 12, 3),
                    validity_years=3,
                )
        assert (refused.value.issues[0].field, refused.value.issues[0].message) == (field, message)

    async with sessionmaker.begin() as session:
        cert = await service.decide_certification(
            session,
            id=cert.id,
            version=cert.version,
            approve=False,
            reasons=["低碳转型无量化减排目标", "评分未达50分"],
            on=date(2026, 12, 3),
            validity_years=3,
        )
    assert (cert.status, cert.certificate_number, cert.rejection_reasons) == (
        S.REJECTED,
        None,
        ["低碳转型无量化减排目标", "评分未达50分"],
    )
    async with sessionmaker() as session:
        enterprise = await session.get(Enterprise, firm.id)
        assert enterprise is not None
        assert enterprise.green_level is GreenLevel.NONE
        assert await session.scalar(select(func.count()).select_from(LibraryMembership)) == 0


async def test_revocation_resets_the_level_and_ends_the_membership(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="绵阳再生资源有限公司")
        experts = await _experts(session)
        cert = await issued(session, enterprise_id=firm.id, experts=experts, on=date(2026, 3, 1))

    async with sessionmaker.begin() as session:
        cert = await service.revoke_certification(
            session,
            id=cert.id,
            version=cert.version,
            reason="发生较大环境污染事件",
            on=date(2026, 12, 3),
        )

    assert (cert.status, cert.ended_on, cert.revocation_reason) == (
        S.REVOKED,
        date(2026, 12, 3),
        "发生较大环境污染事件",
    )
    async with sessionmaker() as session:
        enterprise = await session.get(Enterprise, firm.id)
        assert enterprise is not None
        assert (enterprise.green_level, enterprise.green_level_valid_until) == (
            GreenLevel.NONE,
            None,
        )
        membership = (await session.scalars(select(LibraryMembership))).one()
        assert (membership.until, membership.ended_reason) == (
            date(2026, 12, 3),
            "发生较大环境污染事件",
        )
    assert (await _history(sessionmaker, cert.id))[-1] == ("REVOKE", "ISSUED", "REVOKED")


async def test_expiry_runs_after_the_last_valid_day_and_only_once(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="雅安茶业生态有限公司")
        experts = await _experts(session)
        cert = await issued(session, enterprise_id=firm.id, experts=experts, on=date(2026, 1, 1))
    assert cert.valid_until == date(2028, 12, 31)

    async with sessionmaker.begin() as session:
        assert await service.expire_due(session, on=date(2028, 12, 31)) == []
    async with sessionmaker.begin() as session:
        expired = await service.expire_due(session, on=date(2029, 1, 1))
    async with sessionmaker.begin() as session:
        again = await service.expire_due(session, on=date(2029, 1, 2))

    assert [(c.id, c.status, c.ended_on) for c in expired] == [
        (cert.id, S.EXPIRED, date(2028, 12, 31))
    ]
    assert again == []
    async with sessionmaker() as session:
        enterprise = await session.get(Enterprise, firm.id)
        assert enterprise is not None
        assert (enterprise.green_level, enterprise.green_level_valid_until) == (
            GreenLevel.NONE,
            None,
        )
        membership = (await session.scalars(select(LibraryMembership))).one()
        assert (membership.until, membership.ended_reason) == (
            date(2028, 12, 31),
            "认定有效期至2028-12-31届满",
        )
    assert (await _history(sessionmaker, cert.id))[-1] == ("EXPIRE", "ISSUED", "EXPIRED")


async def test_renewal_before_expiry_extends_the_validity_without_a_gap(sessionmaker) -> None:
    # given: a certificate valid 2024-01-01 .. 2026-12-31
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="自贡节能装备有限公司")
        experts = await _experts(session)
        old = await issued(session, enterprise_id=firm.id, experts=experts, on=date(2024, 1, 1))
    assert old.valid_until == date(2026, 12, 31)

    # when: renewed in December 2026
    async with sessionmaker.begin() as session:
        renewal = await service.renew_certification(session, id=old.id, on=date(2026, 12, 3))
        assert (renewal.status, renewal.renews_id) == (S.DRAFT, old.id)
        answers, evidence = self_assessment(service.rubric_of(renewal))
        renewal = await service.update_self_assessment(
            session, id=renewal.id, version=renewal.version, answers=answers, evidence=evidence
        )
        renewal = await service.submit_certification(
            session, id=renewal.id, version=renewal.version
        )
        scoring = service.rubric_of(renewal)
        renewal = await reviewed(
            session, renewal, experts, {e: spread_scores(scoring, D("0.9")) for e in experts}
        )
        renewal = await service.consolidate_certification(
            session,
            id=renewal.id,
            version=renewal.version,
            rule=ConsolidationRule.MEAN,
            spread_threshold=D(15),
        )
        renewal = await service.decide_certification(
            session,
            id=renewal.id,
            version=renewal.version,
            approve=True,
            reasons=[],
            on=date(2026, 12, 10),
            validity_years=3,
        )

    # then
    assert (renewal.valid_from, renewal.valid_until) == (date(2027, 1, 1), date(2029, 12, 31))
    assert (renewal.level, renewal.certificate_number) == (
        GreenLevel.EXCELLENT_GREEN,
        "SCGE-2027-000001",
    )
    async with sessionmaker() as session:
        previous = await session.get(Certification, old.id)
        assert previous is not None
        assert (previous.status, previous.ended_on) == (S.RENEWED, date(2026, 12, 31))
        enterprise = await session.get(Enterprise, firm.id)
        assert enterprise is not None
        assert (enterprise.green_level, enterprise.green_level_valid_until) == (
            GreenLevel.EXCELLENT_GREEN,
            date(2029, 12, 31),
        )
        periods = await session.execute(
            select(
                LibraryMembership.since, LibraryMembership.until, LibraryMembership.certification_id
            ).order_by(LibraryMembership.since)
        )
        assert list(periods) == [
            (date(2024, 1, 1), date(2026, 12, 31), old.id),
            (date(2027, 1, 1), date(2029, 12, 31), renewal.id),
        ]
    # the renewed certificate no longer expires on its own
    async with sessionmaker.begin() as session:
        assert await service.expire_due(session, on=date(2027, 1, 2)) == []


async def test_renewal_after_the_last_day_and_a_second_open_cycle_are_refused(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="南充丝纺有限公司")
        experts = await _experts(session)
        cert = await issued(session, enterprise_id=firm.id, experts=experts, on=date(2023, 1, 1))
        await service.renew_certification(session, id=cert.id, on=date(2025, 12, 31))

    with pytest.raises(ValidationFailed) as late:
        async with sessionmaker.begin() as session:
            await service.renew_certification(session, id=cert.id, on=date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as twice:
        async with sessionmaker.begin() as session:
            await service.renew_certification(session, id=cert.id, on=date(2025, 12, 31))

    assert (
        late.value.issues[0].message
        == "the certificate ended on 2025-12-31: start a new certification"
    )
    assert twice.value.issues[0].code is ErrorCode.DUPLICATE


async def test_a_project_certification_sets_the_project_level_and_its_library(sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session, name="广元水电开发有限公司")
        project = await create_project(
            session, enterprise_id=owner.id, title="白龙江流域小水电增效扩容改造"
        )
        experts = await _experts(session)
        cert = await issued(
            session, project_id=project.id, experts=experts, share=D("0.6"), on=date(2026, 12, 3)
        )

    assert (cert.subject_type, cert.enterprise_id, cert.rubric_version) == (
        CertificationSubject.PROJECT,
        owner.id,
        "2022.1",
    )
    assert (cert.level, cert.certificate_number) == (GreenLevel.GREEN, "SCGP-2026-000001")
    async with sessionmaker() as session:
        row = await session.get(Project, project.id)
        assert row is not None
        assert (row.green_level, row.green_level_valid_until, row.libraries) == (
            GreenLevel.GREEN,
            date(2029, 12, 2),
            ["GREEN_PROJECT"],
        )
        enterprise = await session.get(Enterprise, owner.id)
        assert enterprise is not None
        assert enterprise.green_level is GreenLevel.NONE


async def test_an_old_certification_keeps_its_rubric_after_a_new_version(sessionmaker) -> None:
    # given: the same 72 points under the 2022.1 rubric (深绿 from 70) and the 2023.1 (from 75)
    async with sessionmaker.begin() as session:
        old_firm = await create_enterprise(session, name="遂宁电子电路有限公司")
        new_firm = await create_enterprise(session, name="内江铸造节能有限公司")
        experts = await _experts(session, 4)
        old = await issued(
            session,
            enterprise_id=old_firm.id,
            experts=experts[:2],
            share=D("0.72"),
            rubric_version="2022.1",
        )
        new = await issued(session, enterprise_id=new_firm.id, experts=experts[2:], share=D("0.72"))

    assert (old.rubric_version, old.score, old.level) == (
        "2022.1",
        D("72.00"),
        GreenLevel.DEEP_GREEN,
    )
    assert (new.rubric_version, new.score, new.level) == ("2023.1", D("72.00"), GreenLevel.GREEN)
    assert service.rubric_of(old).dimension("E1") is not None
    assert [d.points for d in service.rubric_of(old).dimensions] == [20, 20, 15, 15, 15, 15]
