"""Ranked reviewer experts for a project."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.experts.types import Expert
from greenrong.schema.matching.reasons import MatchReason
from greenrong.schema.search.types import SearchUnavailable

REVIEWER_REASON_CODES = (
    "FIELD, DOMAIN_TERM, TEXT, SAME_PREFECTURE (scored), SPECIALTY, NO_CONFLICT, WORKLOAD "
    "(weight 0)"
)


@strawberry.type(description="One ranked reviewer for a project.")
class ReviewerMatchEdge:
    node: Expert = strawberry.field(description="The expert.")
    score: float = strawberry.field(description="Fit score: higher is better.")
    rank: int = strawberry.field(description="Position, from 1.")
    reasons: list[MatchReason] = strawberry.field(
        description=f"Why this expert. Codes: {REVIEWER_REASON_CODES}."
    )


@strawberry.type(
    description="Experts whose field and specialties fit a project, best first; experts "
    "affiliated with the project's owner and experts at the open-review limit are left out."
)
class ReviewerMatchConnection:
    edges: list[ReviewerMatchEdge] = strawberry.field(description="Best first.")


ReviewerMatchResult = Annotated[
    ReviewerMatchConnection | SearchUnavailable,
    strawberry.union(
        "ReviewerMatchResult", description="The ranked experts, or why search cannot answer now."
    ),
]
