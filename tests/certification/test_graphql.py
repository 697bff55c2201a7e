"""The whole certification path through GraphQL, each step by the role that takes it, with the
typed errors of bad input, illegal moves and stale versions, and the explanation by rubric."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from greenrong.domain.access.principal import Role
from greenrong.domain.certification.models import Certification, CertificationEvent
from greenrong.domain.certification.rubric import CertificationSubject, rubric
from greenrong.domain.kit.clock import today
from greenrong.schema.kit.ids import to_global_id
from tests.factories.certification import issued, sha256
from tests.factories.entities import create_enterprise, create_expert

CERT = "certification { id status version preScore score level certificateNumber validFrom validUntil }"
ERRORS = "... on ValidationError { code field message errors { field code } } ... on ConflictError { code currentVersion }"


def _mutation(name: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ result: {name}(input: $input) {{ __typename "
        f"... on CertificationSuccess {{ {CERT} }} {ERRORS} }} }}"
    )


async def _run(caller: Any, name: str, input_type: str, data: dict[str, Any]) -> dict[str, Any]:
    body = await caller(_mutation(name, input_type), {"input": data})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["result"]
    return result


@pytest.mark.dated
async def test_the_whole_path_through_the_api(gql_as, sessionmaker) -> None:
    # given
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="绵阳九洲绿色能源有限公司")
        experts = [
            await create_expert(session, name="冯建国", affiliation="西南科技大学"),
            await create_expert(session, name="曹雪", affiliation="四川大学"),
        ]
    owner = gql_as(Role.ENTERPRISE, org_id=firm.id)
    admin = gql_as(Role.ADMIN)
    regulator = gql_as(Role.REGULATOR)
    scoring = rubric(CertificationSubject.ENTERPRISE, "2023.1")

    # when / then: start
    started = await _run(
        owner,
        "startCertification",
        "StartCertificationInput",
        {"subjectType": "ENTERPRISE", "enterpriseId": to_global_id("Enterprise", firm.id)},
    )
    cert = started["certification"]
    assert (started["__typename"], cert["status"], cert["preScore"]) == (
        "CertificationSuccess",
        "DRAFT",
        None,
    )

    # an illegal move is a typed error
    early = await _run(
        owner,
        "submitCertification",
        "CertificationVersionInput",
        {"id": cert["id"], "version": cert["version"]},
    )
    assert (early["__typename"], early["code"], early["field"]) == (
        "ValidationError",
        "INVALID_TRANSITION",
        "status",
    )

    # bad input: every problem, named as in the API
    bad = await _run(
        owner,
        "updateSelfAssessment",
        "UpdateSelfAssessmentInput",
        {
            "id": cert["id"],
            "version": cert["version"],
            "answers": [{"indicator": "E9.9", "attainment": "FULL"}],
            "evidence": [
                {"name": "证明.pdf", "type": "pdf", "sha256": "xyz", "indicators": ["E1.1"]}
            ],
        },
    )
    assert bad["__typename"] == "ValidationError"
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [
        ("answers[0].indicator", "UNKNOWN_REFERENCE"),
        ("evidence[0].sha256", "INVALID_FORMAT"),
    ]

    # the self-assessment, pre-scored
    answers = [
        {"indicator": code, "attainment": "PARTIAL" if code.startswith("E6") else "FULL"}
        for code in scoring.indicators
    ]
    evidence = [
        {
            "name": f"{d.name}.pdf",
            "type": "PDF",
            "sha256": sha256(d.code).upper(),
            "indicators": [i.code for i in d.indicators],
        }
        for d in scoring.dimensions
    ]
    filled = await _run(
        owner,
        "updateSelfAssessment",
        "UpdateSelfAssessmentInput",
        {"id": cert["id"], "version": cert["version"], "answers": answers, "evidence": evidence},
    )
    cert = filled["certification"]
    assert (cert["status"], cert["preScore"]) == ("PRE_SCORED", "94.00")  # E6 (12) at half

    stale = await _run(
        owner, "submitCertification", "CertificationVersionInput", {"id": cert["id"], "version": 1}
    )
    assert (stale["__typename"], stale["code"], stale["currentVersion"]) == (
        "ConflictError",
        "STALE_VERSION",
        cert["version"],
    )
    cert = (
        await _run(
            owner,
            "submitCertification",
            "CertificationVersionInput",
            {"id": cert["id"], "version": cert["version"]},
        )
    )["certification"]
    assigned = await _run(
        admin,
        "assignCertificationReviewers",
        "AssignCertificationReviewersInput",
        {
            "id": cert["id"],
            "version": cert["version"],
            "expertIds": [to_global_id("Expert", e.id) for e in experts],
        },
    )
    assert assigned["certification"]["status"] == "UNDER_REVIEW"
    for expert, points in zip(experts, (Decimal("0.86"), Decimal("0.80")), strict=True):
        scored = await _run(
            gql_as(Role.EXPERT, org_id=expert.id),
            "scoreCertification",
            "ScoreCertificationInput",
            {
                "id": cert["id"],
                "scores": [
                    {
                        "dimension": d.code,
                        "score": str(d.points * points),
                        "comment": f"{d.name}符合要求",
                    }
                    for d in scoring.dimensions
                ],
            },
        )
        assert scored["__typename"] == "CertificationSuccess", scored
    cert = scored["certification"]
    assert cert["status"] == "REVIEWED"
    cert = (
        await _run(
            admin,
            "consolidateCertification",
            "ConsolidateCertificationInput",
            {"id": cert["id"], "version": cert["version"], "rule": "MEDIAN"},
        )
    )["certification"]
    assert (cert["status"], cert["score"], cert["level"]) == ("CONSOLIDATED", "83.00", "DEEP_GREEN")
    decided = await _run(
        regulator,
        "decideCertification",
        "DecideCertificationInput",
        {"id": cert["id"], "version": cert["version"], "approve": True},
    )
    cert = decided["certification"]

    # then: the certificate, and what the public sees of the enterprise
    start = today()
    assert cert["status"] == "ISSUED"
    assert cert["certificateNumber"] == f"SCGE-{start.year}-000001"
    assert (cert["validFrom"], cert["validUntil"]) == (
        start.isoformat(),
        (start.replace(year=start.year + 3) - timedelta(days=1)).isoformat(),
    )
    public = await gql_as(None)(
        "query($id: ID!) { node(id: $id) { ... on Enterprise { greenLevel currentCertification { level } } } }",
        {"id": to_global_id("Enterprise", firm.id)},
    )
    assert public["data"]["node"] == {
        "greenLevel": "DEEP_GREEN",
        "currentCertification": {"level": "DEEP_GREEN"},
    }
    history = await regulator(
        "query($id: ID!) { certification(id: $id) { history { edges { node { action actorRole actorSubject at details { key value } } } } } }",
        {"id": cert["id"]},
    )
    steps = [e["node"] for e in history["data"]["certification"]["history"]["edges"]]
    assert [(s["action"], s["actorRole"]) for s in steps] == [
        ("START", "ENTERPRISE"),
        ("UPDATE_SELF_ASSESSMENT", "ENTERPRISE"),
        ("SUBMIT", "ENTERPRISE"),
        ("ASSIGN_REVIEWERS", "ADMIN"),
        ("SCORE", "EXPERT"),
        ("SCORE", "EXPERT"),
        ("CONSOLIDATE", "ADMIN"),
        ("DECIDE", "REGULATOR"),
    ]
    assert {s["actorSubject"] for s in steps} == {"测试用户"}  # the token's subject
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)
    assert {"key": "rule", "value": "MEDIAN"} in steps[6]["details"]
    assert {"key": "spread", "value": "6.00"} in steps[6]["details"]

    # revoked by the regulator
    revoked = await _run(
        regulator,
        "revokeCertification",
        "RevokeCertificationInput",
        {"id": cert["id"], "version": cert["version"], "reason": "虚报绿色业务收入"},
    )
    assert revoked["certification"]["status"] == "REVOKED"
    after = await gql_as(None)(
        "query($id: ID!) { node(id: $id) { ... on Enterprise { greenLevel currentCertification { level } } } }",
        {"id": to_global_id("Enterprise", firm.id)},
    )
    assert after["data"]["node"] == {"greenLevel": "NONE", "currentCertification": None}


EXPLAIN = """
query($id: ID!) { certification(id: $id) { explanation {
  rubricVersion consolidationRule preScore score spread entryThreshold level
  dimensions { code name maxPoints preScore reviewerScores score }
} } }"""


async def test_an_old_certification_is_explained_by_its_own_rubric(gql_as, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, name="乐山绿色硅材料有限公司")
        experts = [
            (await create_expert(session, name=n, affiliation=a)).id
            for n, a in (("韩冰", "乐山师范学院"), ("杨帆", "成都理工大学"))
        ]
        old = await issued(
            session,
            enterprise_id=firm.id,
            experts=experts,
            share=Decimal("0.72"),
            rubric_version="2022.1",
            on=date(2022, 3, 1),
        )
    async with sessionmaker() as session:
        rows = await session.scalar(select(func.count()).select_from(CertificationEvent))
    assert rows == 8

    body = await gql_as(Role.REGULATOR)(EXPLAIN, {"id": to_global_id("Certification", old.id)})

    explanation = body["data"]["certification"]["explanation"]
    assert explanation["rubricVersion"] == "2022.1"
    assert (explanation["score"], explanation["level"], explanation["spread"]) == (
        "72.00",
        "DEEP_GREEN",
        "0.00",
    )
    assert explanation["entryThreshold"] == "50"
    assert explanation["dimensions"][0] == {
        "code": "E1",
        "name": "绿色经营",
        "maxPoints": "20",
        "preScore": "20.00",
        "reviewerScores": ["14.40", "14.40"],
        "score": "14.40",
    }
    assert [d["maxPoints"] for d in explanation["dimensions"]] == [
        "20",
        "20",
        "15",
        "15",
        "15",
        "15",
    ]
    # under the newest rubric the same 72 points are only 绿
    assert (
        rubric(CertificationSubject.ENTERPRISE, "2023.1").level(Decimal("72.00")).value == "GREEN"
    )
    async with sessionmaker() as session:
        cert = await session.get(Certification, old.id)
        assert cert is not None
        assert cert.rubric_version == "2022.1"


async def test_the_rubric_query_shows_values_and_assumption_flags(gql) -> None:
    body = await gql(
        """{ certificationRubric(subjectType: PROJECT) { version entryThreshold
             levels { level minScore assumption }
             dimensions { name points indicators { code points assumption evidence } } }
           old: certificationRubric(subjectType: ENTERPRISE, version: "2022.1") { version }
           none: certificationRubric(subjectType: ENTERPRISE, version: "1999.1") { version } }"""
    )

    data = body["data"]
    project = data["certificationRubric"]
    assert (project["version"], project["entryThreshold"]) == ("2022.1", "50")
    assert project["levels"] == [
        {"level": "GREEN", "minScore": "50", "assumption": True},
        {"level": "DEEP_GREEN", "minScore": "70", "assumption": True},
        {"level": "EXCELLENT_GREEN", "minScore": "85", "assumption": True},
    ]
    assert [d["name"] for d in project["dimensions"]][4] == "项目气候效益"
    assert project["dimensions"][4]["indicators"][0] == {
        "code": "P5.1",
        "points": "10",
        "assumption": True,
        "evidence": ["减排量测算报告", "第三方核查意见"],
    }
    assert data["old"] == {"version": "2022.1"}
    assert data["none"] is None
