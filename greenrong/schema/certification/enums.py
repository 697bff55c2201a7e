"""The certification context's enums, registered once with a description for every value.
Imported by the inputs and types before either uses them."""

from __future__ import annotations

from greenrong.domain.certification.models import (
    CertificationAction,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.certification.scoring import Attainment, ConsolidationRule
from greenrong.schema.kit.enums import register

register(CertificationSubject, "What a certification certifies.")
register(
    CertificationStatus,
    "Where a certification stands (docs/CERTIFICATION.md draws the workflow).",
    notes={
        "DRAFT": "the enterprise fills its self-assessment",
        "PRE_SCORED": "the self-assessment was pre-scored; it may still change",
        "SUBMITTED": "waiting for reviewers",
        "UNDER_REVIEW": "reviewers score every dimension",
        "REVIEWED": "every reviewer scored; waiting for consolidation",
        "SECOND_ROUND": "the reviewers' totals spread too far; they score again",
        "CONSOLIDATED": "waiting for the regulator's decision",
        "ISSUED": "the certificate is in force",
        "REJECTED": "rejected, with reasons",
        "EXPIRED": "the validity period ended",
        "REVOKED": "revoked, with a reason",
        "RENEWED": "the renewal's certificate took over",
    },
)
register(CertificationAction, "One step of the certification workflow.")
register(CertificationReviewStatus, "Where one reviewer's scoring stands.")
register(
    Attainment,
    "How far the applicant says it meets an indicator.",
    notes={
        "FULL": "the indicator's points (with evidence)",
        "PARTIAL": "half the points (with evidence; our assumption)",
        "NONE": "no points",
    },
)
register(
    ConsolidationRule,
    "How the reviewers' dimension scores become one.",
    notes={"MEAN": "the default"},
)
