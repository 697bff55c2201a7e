"""Pre-scores, reviewer score checks and consolidation, with exact decimals."""

from __future__ import annotations

from decimal import Decimal

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.certification.rubric import CertificationSubject, rubric
from greenrong.domain.certification.scoring import (
    Answer,
    Attainment,
    ConsolidationRule,
    check_review,
    consolidate,
    pre_score,
)

ENTERPRISE_2022 = rubric(CertificationSubject.ENTERPRISE, "2022.1")
D = Decimal


def test_pre_score_counts_evidenced_claims_at_their_factor() -> None:
    # given: E1.1 (8) fully, E1.2 (6) partly, E1.3 (6) fully but without evidence, E2.1 (8) NONE
    answers = [
        Answer("E1.1", Attainment.FULL),
        Answer("E1.2", Attainment.PARTIAL),
        Answer("E1.3", Attainment.FULL),
        Answer("E2.1", Attainment.NONE),
        Answer("E4.2", Attainment.PARTIAL),  # 7 points, half: 3.5
    ]

    # when
    scored = pre_score(ENTERPRISE_2022, answers, {"E1.1", "E1.2", "E2.1", "E4.2"})

    # then
    assert scored.total == D("14.50")
    assert scored.dimensions == {
        "E1": D("11.00"),
        "E2": D("0.00"),
        "E3": D("0.00"),
        "E4": D("3.50"),
        "E5": D("0.00"),
        "E6": D("0.00"),
    }


def test_a_full_evidenced_self_assessment_scores_100() -> None:
    codes = list(ENTERPRISE_2022.indicators)
    answers = [Answer(code, Attainment.FULL) for code in codes]
    assert pre_score(ENTERPRISE_2022, answers, set(codes)).total == D("100.00")


def test_reviewer_scores_need_every_dimension_within_its_points_and_a_comment() -> None:
    issues = IssueCollector()
    scores = {
        "E1": D("20"),
        "E2": D("20.01"),
        "E3": D("-1"),
        "E4": D("7.125"),
        "E5": D("15"),
        "X9": D("1"),
    }
    comments = {"E1": "经营绿色", "E2": "合规", "E3": "", "E4": "技术先进", "E5": "良好"}

    check_review(ENTERPRISE_2022, scores, comments, issues)

    assert [(i.field, i.code) for i in issues.issues] == [
        ("scores", ErrorCode.UNKNOWN_REFERENCE),
        ("scores.E2", ErrorCode.OUT_OF_RANGE),
        ("scores.E3", ErrorCode.OUT_OF_RANGE),
        ("comments.E3", ErrorCode.REQUIRED),
        ("scores.E4", ErrorCode.INVALID_FORMAT),
        ("scores.E6", ErrorCode.REQUIRED),
        ("comments.E6", ErrorCode.REQUIRED),
    ]
    assert issues.issues[1].message == "环境保护 scores between 0 and 20, not 20.01"


def _review(*points: str) -> dict[str, Decimal]:
    return dict(zip(["E1", "E2", "E3", "E4", "E5", "E6"], map(D, points), strict=True))


def test_mean_and_median_consolidation_are_exact() -> None:
    reviews = [
        _review("18", "16", "12", "10", "12", "11"),  # 79
        _review("15", "15", "10", "9", "11", "10"),  # 70
        _review("16", "17", "11", "8", "10", "10.5"),  # 72.5
    ]

    mean = consolidate(
        ENTERPRISE_2022, reviews, rule=ConsolidationRule.MEAN, spread_threshold=D(15)
    )
    median = consolidate(
        ENTERPRISE_2022, reviews, rule=ConsolidationRule.MEDIAN, spread_threshold=D(15)
    )

    assert mean.dimensions == {
        "E1": D("16.33"),
        "E2": D("16.00"),
        "E3": D("11.00"),
        "E4": D("9.00"),
        "E5": D("11.00"),
        "E6": D("10.50"),
    }
    assert mean.total == D("73.83")
    assert mean.spread == D("9.00")
    assert mean.flagged is False
    assert median.dimensions == {
        "E1": D("16.00"),
        "E2": D("16.00"),
        "E3": D("11.00"),
        "E4": D("9.00"),
        "E5": D("11.00"),
        "E6": D("10.50"),
    }
    assert median.total == D("73.50")
    assert ENTERPRISE_2022.level(mean.total).value == "DEEP_GREEN"


def test_the_spread_flags_a_second_round_only_above_the_threshold() -> None:
    at = [_review("20", "20", "15", "15", "10", "10"), _review("15", "15", "10", "10", "10", "10")]
    above = [
        _review("20", "20", "15", "15", "10", "10.01"),
        _review("15", "15", "10", "10", "10", "10"),
    ]

    at_threshold = consolidate(
        ENTERPRISE_2022, at, rule=ConsolidationRule.MEAN, spread_threshold=D(20)
    )
    over = consolidate(ENTERPRISE_2022, above, rule=ConsolidationRule.MEAN, spread_threshold=D(20))

    assert (at_threshold.spread, at_threshold.flagged) == (D("20.00"), False)
    assert (over.spread, over.flagged) == (D("20.01"), True)
