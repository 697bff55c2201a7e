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

register(
    CertificationSubject,
    "What a certification certifies.",
    {"ENTERPRISE": "绿色企业认定", "PROJECT": "绿色项目认定"},
)
register(
    CertificationStatus,
    "Where a certification stands (docs/CERTIFICATION.md draws the workflow).",
    {
        "DRAFT": "自评填写中: the enterprise fills its self-assessment",
        "PRE_SCORED": "系统预评分: the self-assessment was pre-scored; it may still change",
        "SUBMITTED": "已提交: waiting for reviewers",
        "UNDER_REVIEW": "专家评审中: reviewers score every dimension",
        "REVIEWED": "评审完成: every reviewer scored; waiting for consolidation",
        "SECOND_ROUND": "第二轮评审: the reviewers' totals spread too far; they score again",
        "CONSOLIDATED": "已汇总: waiting for the regulator's decision",
        "ISSUED": "已发证: the certificate is in force",
        "REJECTED": "未通过: rejected, with reasons",
        "EXPIRED": "已过期: the validity period ended",
        "REVOKED": "已撤销: revoked, with a reason",
        "RENEWED": "已续期: the renewal's certificate took over",
    },
)
register(
    CertificationAction,
    "One step of the certification workflow.",
    {
        "START": "开始认定",
        "UPDATE_SELF_ASSESSMENT": "填写自评（系统预评分）",
        "SUBMIT": "提交",
        "ASSIGN_REVIEWERS": "分配评审专家",
        "SCORE": "专家评分",
        "CONSOLIDATE": "汇总评分",
        "DECIDE": "监管部门决定",
        "EXPIRE": "到期",
        "REVOKE": "撤销",
        "RENEW": "续期",
    },
)
register(
    CertificationReviewStatus,
    "Where one reviewer's scoring stands.",
    {
        "OPEN": "待评分",
        "SUBMITTED": "已评分",
        "SUPERSEDED": "已被第二轮评分取代",
    },
)
register(
    Attainment,
    "How far the applicant says it meets an indicator.",
    {
        "FULL": "完全符合: the indicator's points (with evidence)",
        "PARTIAL": "部分符合: half the points (with evidence; our assumption)",
        "NONE": "不符合: no points",
    },
)
register(
    ConsolidationRule,
    "How the reviewers' dimension scores become one.",
    {"MEAN": "平均值 (the default)", "MEDIAN": "中位数"},
)
