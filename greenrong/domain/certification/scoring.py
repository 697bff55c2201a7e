"""Scores, exactly (``Decimal``): a self-assessment's pre-score, reviewers' dimension scores, and
their consolidation.

- **Pre-score** (``pre_score``): each indicator the applicant claims counts its points times the
  claim's factor (``FULL`` 1, ``PARTIAL`` 0.5: our assumption), and only when at least one
  evidence document supports it; ``NONE`` and unsupported claims count 0.
- **Reviewer scores**: one score per dimension, between 0 and the dimension's points, two
  decimal places at most, each with a comment (``check_review``).
- **Consolidation** (``consolidate``): per dimension the mean (default) or the median of the
  reviewers' scores, rounded half up to 0.01; the total is their sum. The spread is the highest
  reviewer total minus the lowest; above ``Settings.certification_spread_threshold`` the first
  round is flagged for a second one.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from greenrong.core.errors import ErrorCode, IssueCollector
from greenrong.domain.certification.rubric import Rubric, quantized


class Attainment(StrEnum):
    """How far the applicant says it meets an indicator."""

    FULL = "FULL"
    PARTIAL = "PARTIAL"
    NONE = "NONE"


#: the share of an indicator's points each claim earns (our assumption)
ATTAINMENT_FACTOR: Mapping[Attainment, Decimal] = {
    Attainment.FULL: Decimal(1),
    Attainment.PARTIAL: Decimal("0.5"),
    Attainment.NONE: Decimal(0),
}


class ConsolidationRule(StrEnum):
    MEAN = "MEAN"
    MEDIAN = "MEDIAN"


@dataclass(frozen=True)
class Answer:
    indicator: str
    attainment: Attainment
    note: str = ""


@dataclass(frozen=True)
class PreScore:
    total: Decimal
    #: dimension code -> points
    dimensions: dict[str, Decimal]


def pre_score(
    rubric: Rubric, answers: Sequence[Answer], evidenced: frozenset[str] | set[str]
) -> PreScore:
    """The self-assessment's score: ``evidenced`` holds the indicator codes that at least one
    evidence document supports."""
    claimed = {a.indicator: a for a in answers}
    per_dimension: dict[str, Decimal] = {}
    for dimension in rubric.dimensions:
        points = Decimal(0)
        for indicator in dimension.indicators:
            answer = claimed.get(indicator.code)
            if answer is None or indicator.code not in evidenced:
                continue
            points += indicator.points * ATTAINMENT_FACTOR[answer.attainment]
        per_dimension[dimension.code] = quantized(points)
    return PreScore(quantized(sum(per_dimension.values(), Decimal(0))), per_dimension)


def check_review(
    rubric: Rubric,
    scores: Mapping[str, Decimal],
    comments: Mapping[str, str],
    issues: IssueCollector,
) -> None:
    """Every dimension scored once, within its points, with two places at most and a comment."""
    known = {d.code for d in rubric.dimensions}
    for code in sorted(set(scores) - known):
        issues.add(
            "scores", ErrorCode.UNKNOWN_REFERENCE, f"{code} is not a dimension of {rubric.version}"
        )
    for dimension in rubric.dimensions:
        field = f"scores.{dimension.code}"
        score = scores.get(dimension.code)
        if score is None:
            issues.add(field, ErrorCode.REQUIRED, f"score {dimension.name} (0–{dimension.points})")
        elif not score.is_finite() or score < 0 or score > dimension.points:
            issues.add(
                field,
                ErrorCode.OUT_OF_RANGE,
                f"{dimension.name} scores between 0 and {dimension.points}, not {score}",
            )
        elif score != quantized(score):
            issues.add(field, ErrorCode.INVALID_FORMAT, "two decimal places at most")
        if not (comments.get(dimension.code) or "").strip():
            issues.add(
                f"comments.{dimension.code}", ErrorCode.REQUIRED, f"comment on {dimension.name}"
            )


@dataclass(frozen=True)
class Consolidated:
    rule: ConsolidationRule
    #: dimension code -> consolidated points
    dimensions: dict[str, Decimal]
    total: Decimal
    #: highest reviewer total minus the lowest
    spread: Decimal
    #: the spread is above the threshold
    flagged: bool


def reviewer_total(scores: Mapping[str, Decimal]) -> Decimal:
    return quantized(sum(scores.values(), Decimal(0)))


def consolidate(
    rubric: Rubric,
    reviews: Sequence[Mapping[str, Decimal]],
    *,
    rule: ConsolidationRule,
    spread_threshold: Decimal,
) -> Consolidated:
    """Reviewers' dimension scores as one score (``reviews`` is not empty)."""
    if not reviews:
        raise ValueError("nothing to consolidate")
    dimensions: dict[str, Decimal] = {}
    for dimension in rubric.dimensions:
        values = [Decimal(r[dimension.code]) for r in reviews]
        if rule is ConsolidationRule.MEDIAN:
            middle = statistics.median(values)
        else:
            middle = sum(values, Decimal(0)) / len(values)
        dimensions[dimension.code] = quantized(middle)
    totals = [reviewer_total(r) for r in reviews]
    spread = max(totals) - min(totals)
    return Consolidated(
        rule=rule,
        dimensions=dimensions,
        total=quantized(sum(dimensions.values(), Decimal(0))),
        spread=spread,
        flagged=spread > spread_threshold,
    )
