"""``MatchReason``: one reason of a ranked match. Shared by every matcher (financing demand →
products, and the others): each matcher documents its own codes."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from greenrong.domain.matching.kit import Reason


@strawberry.type(description="Why a match ranks where it does: one part of its score.")
class MatchReason:
    code: str = strawberry.field(
        description="Stable machine-readable code of the part, e.g. DOMAIN_TERM, RATE, "
        "LOCAL_INSTITUTION (each matching field lists its codes)."
    )
    message: str = strawberry.field(description="The reason in Chinese, for the enterprise.")
    weight: float = strawberry.field(
        description="How much this part adds to the score (from the tunable weights)."
    )


def reasons_of(found: Iterable[Reason]) -> list[MatchReason]:
    """A matcher's reasons as GraphQL values, in their order."""
    return [MatchReason(code=r.code.value, message=r.message, weight=r.weight) for r in found]
