"""Who may take each certification step and who sees what, through GraphQL: the anonymous
public, another enterprise, the owner, an assigned and an unassigned expert, a regulator, an
admin. Every refusal is a ForbiddenError and changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.core.errors import NotFound
from greenrong.domain.access.guard import bind_actor
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.certification import service
from greenrong.domain.certification.models import (
    Certification,
    CertificationEvent,
    CertificationReview,
)
from greenrong.domain.certification.scoring import ConsolidationRule
from greenrong.domain.outbox.models import ChangeEvent
from greenrong.schema.kit.ids import to_global_id
from tests.factories.certification import (
    comments_for,
    issued,
    reviewed,
    self_assessment,
    spread_scores,
    submitted,
)
from tests.factories.entities import create_enterprise, create_expert, create_project
from tests.factories.prebuilt import prebuilt_world

D = Decimal
OK = "CertificationSuccess"
NO = "ForbiddenError"


@dataclass
class World:
    firm: uuid.UUID
    other: uuid.UUID
    fresh: uuid.UUID
    reviewer: uuid.UUID
    second_reviewer: uuid.UUID
    outsider: uuid.UUID
    draft: Certification
    pre_scored: Certification
    submitted: Certification
    under_review: Certification
    reviewed: Certification
    consolidated: Certification
    issued: Certification


async def _build(sessionmaker: Any) -> World:
    """One certification in each stage; the firm's is the draft, the others belong to siblings.
    Built once a run and copied for each test (``tests/factories/prebuilt.py``)."""
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="成都天府绿色建材有限公司")
        other = await create_enterprise(session, name="重庆山城物流有限公司")
        fresh = await create_enterprise(session, name="眉山光伏组件有限公司")
        reviewer = await create_expert(session, name="黄立新", affiliation="四川大学")
        second = await create_expert(session, name="吴静", affiliation="西南交通大学")
        outsider = await create_expert(session, name="郑伟", affiliation="西南财经大学")
        experts = [reviewer.id, second.id]
        subjects = [
            firm.id,
            *[
                (await create_enterprise(session, name=f"四川绿色制造{n}有限公司")).id
                for n in range(6)
            ],
        ]
        draft = await service.start_certification(
            session, subject_type=service.CertificationSubject.ENTERPRISE, enterprise_id=subjects[0]
        )
        pre = await service.start_certification(
            session, subject_type=service.CertificationSubject.ENTERPRISE, enterprise_id=subjects[1]
        )
        answers, evidence = self_assessment(service.rubric_of(pre))
        pre = await service.update_self_assessment(
            session, id=pre.id, version=pre.version, answers=answers, evidence=evidence
        )
        sub = await submitted(session, enterprise_id=subjects[2])
        under = await submitted(session, enterprise_id=subjects[3])
        under = await service.assign_reviewers(
            session,
            id=under.id,
            version=under.version,
            expert_ids=experts,
            open_limit=9,
            min_reviewers=2,
        )
        rev = await submitted(session, enterprise_id=subjects[4])
        scoring = service.rubric_of(rev)
        rev = await reviewed(
            session, rev, experts, {e: spread_scores(scoring, D("0.8")) for e in experts}
        )
        con = await submitted(session, enterprise_id=subjects[5])
        con = await reviewed(
            session, con, experts, {e: spread_scores(scoring, D("0.8")) for e in experts}
        )
        con = await service.consolidate_certification(
            session,
            id=con.id,
            version=con.version,
            rule=ConsolidationRule.MEAN,
            spread_threshold=D(15),
        )
        done = await issued(
            session, enterprise_id=subjects[6], experts=experts, on=date(2026, 12, 3)
        )
    return World(
        firm.id,
        other.id,
        fresh.id,
        reviewer.id,
        second.id,
        outsider.id,
        draft,
        pre,
        sub,
        under,
        rev,
        con,
        done,
    )


world = prebuilt_world(_build, __file__)


async def _counts(sessionmaker: Any) -> tuple[int, ...]:
    async with sessionmaker() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Certification, CertificationReview, CertificationEvent, ChangeEvent)
            ]
            + [int(await session.scalar(select(func.sum(Certification.version))) or 0)]
        )


def _caller(w: World, who: str, owner: uuid.UUID) -> tuple[Role | None, uuid.UUID | None]:
    return {
        "anonymous": (None, None),
        "other enterprise": (Role.ENTERPRISE, w.other),
        "owner": (Role.ENTERPRISE, owner),
        "assigned expert": (Role.EXPERT, w.reviewer),
        "other expert": (Role.EXPERT, w.outsider),
        "regulator": (Role.REGULATOR, None),
        "admin": (Role.ADMIN, None),
        "institution": (Role.INSTITUTION, uuid.uuid4()),
    }[who]


WHO = [
    "anonymous",
    "other enterprise",
    "owner",
    "assigned expert",
    "other expert",
    "regulator",
    "admin",
    "institution",
]
#: step -> (the certification it acts on, the callers it allows)
STEPS: dict[str, tuple[str, frozenset[str]]] = {
    "startCertification": ("draft", frozenset({"owner", "admin"})),
    "updateSelfAssessment": ("draft", frozenset({"owner", "admin"})),
    "submitCertification": ("pre_scored", frozenset({"owner", "admin"})),
    "assignCertificationReviewers": ("submitted", frozenset({"admin"})),
    "scoreCertification": ("under_review", frozenset({"assigned expert"})),
    "consolidateCertification": ("reviewed", frozenset({"admin"})),
    "decideCertification": ("consolidated", frozenset({"regulator", "admin"})),
    "renewCertification": ("issued", frozenset({"owner", "admin"})),
    "revokeCertification": ("issued", frozenset({"regulator", "admin"})),
}
INPUTS = {
    "startCertification": "StartCertificationInput",
    "updateSelfAssessment": "UpdateSelfAssessmentInput",
    "submitCertification": "CertificationVersionInput",
    "assignCertificationReviewers": "AssignCertificationReviewersInput",
    "scoreCertification": "ScoreCertificationInput",
    "consolidateCertification": "ConsolidateCertificationInput",
    "decideCertification": "DecideCertificationInput",
    "renewCertification": "RenewCertificationInput",
    "revokeCertification": "RevokeCertificationInput",
}


def _input(w: World, step: str, cert: Certification) -> dict[str, Any]:
    ref = {"id": to_global_id("Certification", cert.id), "version": cert.version}
    scoring = service.rubric_of(cert)
    if step == "startCertification":  # an enterprise without any cycle yet
        return {"subjectType": "ENTERPRISE", "enterpriseId": to_global_id("Enterprise", w.fresh)}
    if step == "updateSelfAssessment":
        answers, evidence = self_assessment(scoring)
        return ref | {
            "answers": [
                {"indicator": a.indicator, "attainment": a.attainment.value} for a in answers
            ],
            "evidence": [
                {
                    "name": d.name,
                    "type": d.type,
                    "sha256": d.sha256,
                    "indicators": list(d.indicators),
                }
                for d in evidence
            ],
        }
    if step == "assignCertificationReviewers":
        return ref | {
            "expertIds": [
                to_global_id("Expert", w.reviewer),
                to_global_id("Expert", w.second_reviewer),
            ]
        }
    if step == "scoreCertification":
        comments = comments_for(scoring)
        return {
            "id": ref["id"],
            "scores": [
                {"dimension": code, "score": str(points), "comment": comments[code]}
                for code, points in spread_scores(scoring, D("0.8")).items()
            ],
        }
    if step == "decideCertification":
        return ref | {"approve": True}
    if step == "renewCertification":
        return {"id": ref["id"]}
    if step == "revokeCertification":
        return ref | {"reason": "虚报减排量"}
    return ref


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("step", list(STEPS))
async def test_each_step_by_each_caller(
    gql_as, sessionmaker, world: World, step: str, who: str
) -> None:
    # given
    stage, allowed = STEPS[step]
    cert: Certification = getattr(world, stage)
    before = await _counts(sessionmaker)
    owner = world.fresh if step == "startCertification" else cert.enterprise_id
    role, org = _caller(world, who, owner)

    # a certification the caller cannot read answers like a missing one (docs/SECURITY.md)
    seen = await gql_as(role, org_id=org)(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": to_global_id("Certification", cert.id)},
    )
    hidden = step != "startCertification" and seen["data"]["node"] is None

    # when
    body = await gql_as(role, org_id=org)(
        f"mutation($input: {INPUTS[step]}!) {{ result: {step}(input: $input) {{ __typename "
        "... on ForbiddenError { code message } ... on ValidationError { code message } "
        "... on NotFoundError { code message } } }",
        {"input": _input(world, step, cert)},
    )

    # then
    assert "errors" not in body, body
    result = body["data"]["result"]
    expected = OK if who in allowed else ("NotFoundError" if hidden else NO)
    assert result["__typename"] == expected, result
    if expected == "NotFoundError":
        assert result["code"] == "NOT_FOUND"
        assert await _counts(sessionmaker) == before
    elif expected == NO:
        assert result["code"] == "FORBIDDEN"
        assert await _counts(sessionmaker) == before
    else:
        assert await _counts(sessionmaker) != before


CERTIFICATION = """
query($id: ID!) {
  certification(id: $id) {
    status certificateNumber level preScore score
    selfAssessment { answers { indicator } }
    explanation { rubricVersion }
    reviews { totalCount edges { node { round expert { name } } } }
    history { totalCount }
  }
}"""


@pytest.mark.parametrize(
    ("who", "stage", "sees"),
    [
        ("anonymous", "under_review", None),
        ("anonymous", "issued", "public"),
        ("institution", "issued", "public"),
        ("institution", "draft", None),
        ("other enterprise", "under_review", None),
        ("other enterprise", "issued", "public"),
        ("owner", "under_review", "all"),
        ("assigned expert", "under_review", "own review"),
        ("assigned expert", "draft", None),
        ("other expert", "under_review", None),
        ("other expert", "issued", "public"),
        ("regulator", "under_review", "all"),
        ("admin", "under_review", "all"),
    ],
)
async def test_who_sees_a_certification_and_its_details(
    gql_as, world: World, who: str, stage: str, sees: str | None
) -> None:
    cert: Certification = getattr(world, stage)
    role, org = _caller(world, who, cert.enterprise_id)

    body = await gql_as(role, org_id=org)(
        CERTIFICATION, {"id": to_global_id("Certification", cert.id)}
    )

    assert "errors" not in body, body
    found = body["data"]["certification"]
    if sees is None:
        assert found is None
        return
    assert found["status"] == cert.status.value
    if sees == "public":
        assert found == {
            "status": "ISSUED",
            "certificateNumber": cert.certificate_number,
            "level": "DEEP_GREEN",
            "preScore": None,
            "score": None,
            "selfAssessment": None,
            "explanation": None,
            "reviews": {"totalCount": 0, "edges": []},
            "history": {"totalCount": 0},
        }
        return
    assert found["preScore"] == "100.00"
    assert len(found["selfAssessment"]["answers"]) == 17  # every 2023.1 indicator
    assert found["explanation"] == {"rubricVersion": "2023.1"}
    assert found["history"]["totalCount"] == 4  # start, update, submit, assign
    reviewers = [e["node"]["expert"]["name"] for e in found["reviews"]["edges"]]
    assert reviewers == (["黄立新"] if sees == "own review" else ["黄立新", "吴静"])


LIST = "query { certifications(first: 50) { totalCount edges { node { status } } } }"


@pytest.mark.parametrize(
    ("who", "statuses"),
    [
        ("anonymous", ["ISSUED"]),
        ("institution", ["ISSUED"]),
        ("owner", ["DRAFT", "ISSUED"]),
        ("assigned expert", ["UNDER_REVIEW", "REVIEWED", "CONSOLIDATED", "ISSUED"]),
        ("other expert", ["ISSUED"]),
        (
            "regulator",
            [
                "DRAFT",
                "PRE_SCORED",
                "SUBMITTED",
                "UNDER_REVIEW",
                "REVIEWED",
                "CONSOLIDATED",
                "ISSUED",
            ],
        ),
        (
            "admin",
            [
                "DRAFT",
                "PRE_SCORED",
                "SUBMITTED",
                "UNDER_REVIEW",
                "REVIEWED",
                "CONSOLIDATED",
                "ISSUED",
            ],
        ),
    ],
)
async def test_certifications_lists_only_what_the_caller_may_see(
    gql_as, world: World, who: str, statuses: list[str]
) -> None:
    role, org = _caller(world, who, world.draft.enterprise_id)

    body = await gql_as(role, org_id=org)(LIST)

    assert "errors" not in body, body
    page = body["data"]["certifications"]
    assert sorted(e["node"]["status"] for e in page["edges"]) == sorted(statuses)
    assert page["totalCount"] == len(statuses)


async def test_the_public_sees_a_subjects_current_certificate_but_not_its_pipeline(
    gql_as, world: World
) -> None:
    query = """
    query($id: ID!) { node(id: $id) { ... on Enterprise {
      greenLevel greenLevelValidUntil
      currentCertification { certificateNumber validUntil }
      certifications { totalCount edges { node { status } } }
    } } }"""
    issued_to = to_global_id("Enterprise", world.issued.enterprise_id)

    public = await gql_as(None)(query, {"id": issued_to})
    pending = await gql_as(None)(
        query, {"id": to_global_id("Enterprise", world.draft.enterprise_id)}
    )

    assert public["data"]["node"] == {
        "greenLevel": "DEEP_GREEN",
        "greenLevelValidUntil": "2029-12-02",
        "currentCertification": {
            "certificateNumber": "SCGE-2026-000001",
            "validUntil": "2029-12-02",
        },
        "certifications": {"totalCount": 1, "edges": [{"node": {"status": "ISSUED"}}]},
    }
    assert pending["data"]["node"]["certifications"] == {"totalCount": 0, "edges": []}
    assert pending["data"]["node"]["currentCertification"] is None


PROJECT = """
query($id: ID!) { node(id: $id) { ... on Project {
  greenLevel currentCertification { level }
  certifications { totalCount edges { node { status } } }
} } }"""


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("anonymous", None),  # projects are not public
        ("other enterprise", None),
        ("other expert", None),
        ("owner", (2, ["ISSUED", "DRAFT"])),
        ("assigned expert", (1, ["ISSUED"])),  # it reviewed the issued one, not the renewal
        ("regulator", (2, ["ISSUED", "DRAFT"])),
        ("admin", (2, ["ISSUED", "DRAFT"])),
    ],
)
async def test_project_certifications_by_caller(
    gql_as, sessionmaker, world: World, who: str, seen: tuple[int, list[str]] | None
) -> None:
    # given: a certified project whose renewal is a draft
    async with sessionmaker.begin() as session:
        project = await create_project(
            session, enterprise_id=world.firm, title="天府新区光伏建筑一体化"
        )
        cert = await issued(
            session,
            project_id=project.id,
            experts=[world.reviewer, world.second_reviewer],
            on=date(2026, 1, 5),
        )
        await service.renew_certification(session, id=cert.id, on=date(2026, 12, 1))
    role, org = _caller(world, who, world.firm)

    body = await gql_as(role, org_id=org)(PROJECT, {"id": to_global_id("Project", project.id)})

    assert "errors" not in body, body
    node = body["data"]["node"]
    if seen is None:
        assert node is None
        return
    total, statuses = seen
    assert node["greenLevel"] == "DEEP_GREEN"
    assert node["currentCertification"] == {"level": "DEEP_GREEN"}
    assert node["certifications"]["totalCount"] == total
    assert [e["node"]["status"] for e in node["certifications"]["edges"]] == statuses


async def test_an_expert_credential_bound_to_no_expert_may_not_score(
    sessionmaker, world: World
) -> None:
    # given: an EXPERT principal without an expert binding (HTTP refuses such tokens earlier)
    before = await _counts(sessionmaker)
    scoring = service.rubric_of(world.under_review)

    # when / then: it reviews nothing, so it cannot even see the certification
    async with sessionmaker() as session, session.begin():
        bind_actor(session, Principal(Role.EXPERT, subject="no-binding"), None)
        with pytest.raises(NotFound):
            await service.score_certification(
                session,
                id=world.under_review.id,
                expert_id=None,
                scores=spread_scores(scoring, D("0.8")),
                comments=comments_for(scoring),
            )
    assert await _counts(sessionmaker) == before
