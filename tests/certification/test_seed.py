"""The demo seed's certifications: exactly the rated enterprises and the GREEN_PROJECT projects
hold an issued certificate that matches their rows, with full histories; some enterprises were
first rejected, some had a certificate revoked; the library memberships name their certificates."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from greenrong.domain.certification.models import (
    Certification,
    CertificationEvent,
    CertificationReview,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import CertificationSubject, rubric
from greenrong.domain.certification.service import expire_due
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.libraries.models import Library, LibraryMembership
from greenrong.domain.matching.reviewers import conflicted
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenLevel
from greenrong.domain.seed.dataset import DemoDataset
from greenrong.domain.seed.demo import SeedReport, seed_demo
from greenrong.domain.seed.plan import SeedPlan
from tests.factories.demo import demo_at_scale_1
from tests.factories.prebuilt import prebuilt_world

S = CertificationStatus
demo = prebuilt_world(demo_at_scale_1, __file__, name="demo", settle=False)


async def test_seeded_certifications_match_the_certified_subjects(
    sessionmaker, demo: SeedReport
) -> None:
    # given: the demo at scale 1, seeded once a run (``tests/factories/prebuilt.py``)
    async with sessionmaker() as session:
        certs = list(await session.scalars(select(Certification)))
        enterprises = {e.id: e for e in await session.scalars(select(Enterprise))}
        projects = {p.id: p for p in await session.scalars(select(Project))}
        memberships = list(
            await session.scalars(
                select(LibraryMembership).where(
                    LibraryMembership.library.in_([Library.GREEN_ENTERPRISE, Library.GREEN_PROJECT])
                )
            )
        )
        experts = {e.id: e for e in await session.scalars(select(Expert))}
        reviews = list(await session.scalars(select(CertificationReview)))
        steps = Counter(
            dict(
                (
                    await session.execute(
                        select(CertificationEvent.certification_id, func.count()).group_by(
                            CertificationEvent.certification_id
                        )
                    )
                ).all()
            )
        )

    # then: counts by subject and status
    assert Counter((c.subject_type, c.status) for c in certs) == {
        (CertificationSubject.ENTERPRISE, S.ISSUED): 225,
        (CertificationSubject.ENTERPRISE, S.REJECTED): 22,
        (CertificationSubject.ENTERPRISE, S.REVOKED): 21,
        (CertificationSubject.PROJECT, S.ISSUED): 84,
    }
    issued = {c.project_id or c.enterprise_id: c for c in certs if c.status is S.ISSUED}
    rated = {i: e for i, e in enterprises.items() if e.green_level is not GreenLevel.NONE}
    green_projects = {i: p for i, p in projects.items() if "GREEN_PROJECT" in p.libraries}
    assert set(issued) == set(rated) | set(green_projects)
    for enterprise_id, enterprise in rated.items():
        cert = issued[enterprise_id]
        assert (cert.level, cert.valid_until) == (
            enterprise.green_level,
            enterprise.green_level_valid_until,
        )
        assert rubric(cert.subject_type, cert.rubric_version).level(cert.score) is cert.level
    for project_id, project in green_projects.items():
        cert = issued[project_id]
        assert (cert.level, cert.valid_until) == (
            project.green_level,
            project.green_level_valid_until,
        )
        assert cert.enterprise_id == project.enterprise_id
    assert {p.green_level for i, p in projects.items() if i not in green_projects} == {
        GreenLevel.NONE
    }
    # revoked certificates belong to enterprises without a level, rejected ones scored below 50
    for cert in certs:
        if cert.status is S.REVOKED:
            assert enterprises[cert.enterprise_id].green_level is GreenLevel.NONE
            assert cert.revocation_reason
            assert cert.ended_on is not None
            assert cert.ended_on <= date(2022, 5, 31)
            assert steps[cert.id] == 9
        else:
            assert steps[cert.id] == 8
        if cert.status is S.REJECTED:
            assert cert.score is not None
            assert cert.score < Decimal(50)
            assert cert.certificate_number is None
            assert len(cert.rejection_reasons) == 2
    # certificate numbers are unique and in the documented format
    numbers = [c.certificate_number for c in certs if c.certificate_number]
    assert len(numbers) == len(set(numbers)) == 330
    assert all(n[:5] in ("SCGE-", "SCGP-") and len(n) == 16 for n in numbers)
    # two reviewers each, none with a conflict of interest
    by_cert = Counter(r.certification_id for r in reviews)
    assert set(by_cert.values()) == {2}
    owners = {c.id: enterprises[c.enterprise_id].name for c in certs}
    assert not any(
        conflicted(experts[r.expert_id].affiliation, owners[r.certification_id]) for r in reviews
    )
    # every green library membership names its subject's certificate; a revoked one's ended
    assert len(memberships) == 225 + 84 + 21
    by_id = {c.id: c for c in certs}
    for m in memberships:
        if by_id[m.certification_id].status is S.REVOKED:
            assert (m.until, m.ended_reason) == (
                by_id[m.certification_id].ended_on,
                by_id[m.certification_id].revocation_reason,
            )
            continue
        cert = issued[m.enterprise_id or m.project_id]
        assert m.certification_id == cert.id
        if m.library is Library.GREEN_PROJECT:
            assert m.since == cert.valid_from


def test_certification_rows_are_deterministic() -> None:
    def first_rows() -> list[object]:
        dataset = DemoDataset(SeedPlan.at_scale(0.05), 7)
        rows: list[object] = []
        for batch in dataset.batches(500):
            if batch.model in (Certification, CertificationEvent):
                rows += batch.rows[:20]
        return rows

    assert first_rows() == first_rows()


#: a fixed day after the cut-off for the continued history
AS_OF = date(2026, 12, 1)


#: the README's first query, without the parts that need a key
README_QUERY = """{ enterprises(first: 20, where: {regionCode: {startsWith: "5101"},
  name: {contains: "科技"}, not: {greenLevel: {eq: NONE}}}, orderBy: [{field: NAME, direction: ASC}])
  { totalCount edges { node { name greenLevel } } } }"""


async def test_the_history_continues_to_as_of_with_renewals_and_expiries(sessionmaker, gql) -> None:
    # given
    await seed_demo(sessionmaker, scale=1, as_of=AS_OF, progress=False)

    # when: the README's first query
    body = await gql(README_QUERY)

    async with sessionmaker() as session:
        certs = {c.id: c for c in await session.scalars(select(Certification))}
        enterprises = {e.id: e for e in await session.scalars(select(Enterprise))}
        projects = {p.id: p for p in await session.scalars(select(Project))}

    # then: counts by subject and status on AS_OF
    assert Counter((c.subject_type, c.status) for c in certs.values()) == {
        (CertificationSubject.ENTERPRISE, S.ISSUED): 208,
        (CertificationSubject.ENTERPRISE, S.RENEWED): 281,
        (CertificationSubject.ENTERPRISE, S.EXPIRED): 17,
        (CertificationSubject.ENTERPRISE, S.REJECTED): 22,
        (CertificationSubject.ENTERPRISE, S.REVOKED): 21,
        (CertificationSubject.PROJECT, S.ISSUED): 74,
        (CertificationSubject.PROJECT, S.RENEWED): 101,
        (CertificationSubject.PROJECT, S.EXPIRED): 10,
    }
    # 225 enterprises and 84 projects held a valid certificate at the cut-off
    cutoff = date(2022, 5, 31)
    valid = [
        c
        for c in certs.values()
        if c.valid_from is not None
        and c.valid_until is not None
        and c.valid_from <= cutoff <= c.valid_until
        and (c.ended_on is None or c.ended_on >= cutoff)
    ]
    assert Counter(c.subject_type for c in valid) == {
        CertificationSubject.ENTERPRISE: 225,
        CertificationSubject.PROJECT: 84,
    }
    # renewal chains are contiguous: a renewal starts the day after the renewed one's last day
    for cert in certs.values():
        if cert.renews_id is not None:
            renewed = certs[cert.renews_id]
            assert renewed.status is S.RENEWED
            assert renewed.valid_until is not None
            assert cert.valid_from == renewed.valid_until + timedelta(days=1)
            assert renewed.decided_at is not None
            assert cert.decided_at is not None
            assert cert.decided_at.date() < cert.valid_from
    # the rows hold the AS_OF state: the current certificate's level, or none once expired
    current = {c.project_id or c.enterprise_id: c for c in certs.values() if c.status is S.ISSUED}
    for subject_id, row in (enterprises | projects).items():
        cert = current.get(subject_id)
        if cert is None:
            assert (row.green_level, row.green_level_valid_until) == (GreenLevel.NONE, None)
        else:
            assert (row.green_level, row.green_level_valid_until) == (cert.level, cert.valid_until)
            assert cert.valid_until is not None
            assert cert.valid_until >= AS_OF
    # the README's first query finds the enterprises that hold a level on AS_OF
    assert "errors" not in body, body
    found = body["data"]["enterprises"]
    holding = {
        e.name
        for e in enterprises.values()
        if e.region_code.startswith("5101")
        and "科技" in e.name
        and e.green_level is not GreenLevel.NONE
    }
    assert found["totalCount"] == len(holding) > 0
    assert {edge["node"]["name"] for edge in found["edges"]} <= holding


async def test_the_expiry_pass_finds_nothing_to_do_right_after_seeding(sessionmaker) -> None:
    # given
    await seed_demo(sessionmaker, scale=0.1, as_of=AS_OF, progress=False)

    # when
    async with sessionmaker() as session, session.begin():
        expired = await expire_due(session, on=AS_OF)

    # then
    assert expired == []
