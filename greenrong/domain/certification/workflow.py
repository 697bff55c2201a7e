"""The certification workflow as data: which action may move a certification from which status.

``FLOW`` maps each action to the statuses it may start from and the status it leads to (``None``:
the service decides among ``outcomes``: scoring leads to REVIEWED only once every reviewer has
scored, consolidation to SECOND_ROUND or CONSOLIDATED, a decision to ISSUED or REJECTED). An
action from any other status raises ``ValidationFailed`` with ``INVALID_TRANSITION`` on
``status`` before anything is written.

``matching/deals.py``'s ``StateMachine`` maps a status to the statuses that may follow it, and
one of them carries an amount; certification moves are named actions with their own inputs, so
the table is keyed by action instead.

The path (docs/CERTIFICATION.md draws it): DRAFT → PRE_SCORED → SUBMITTED → UNDER_REVIEW →
REVIEWED → (SECOND_ROUND → REVIEWED →) CONSOLIDATED → ISSUED or REJECTED; an ISSUED certificate
then ends as EXPIRED, REVOKED or RENEWED (a renewal's certificate took over).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from greenrong.core.errors import ErrorCode, ValidationFailed
from greenrong.domain.certification.models import CertificationAction as A
from greenrong.domain.certification.models import CertificationStatus as S


@dataclass(frozen=True)
class Move:
    sources: frozenset[S]
    outcomes: frozenset[S]


FLOW: Mapping[A, Move] = {
    A.UPDATE_SELF_ASSESSMENT: Move(frozenset({S.DRAFT, S.PRE_SCORED}), frozenset({S.PRE_SCORED})),
    A.SUBMIT: Move(frozenset({S.PRE_SCORED}), frozenset({S.SUBMITTED})),
    A.ASSIGN_REVIEWERS: Move(frozenset({S.SUBMITTED}), frozenset({S.UNDER_REVIEW})),
    A.SCORE: Move(
        frozenset({S.UNDER_REVIEW, S.SECOND_ROUND}),
        frozenset({S.UNDER_REVIEW, S.SECOND_ROUND, S.REVIEWED}),
    ),
    A.CONSOLIDATE: Move(frozenset({S.REVIEWED}), frozenset({S.SECOND_ROUND, S.CONSOLIDATED})),
    A.DECIDE: Move(frozenset({S.CONSOLIDATED}), frozenset({S.ISSUED, S.REJECTED})),
    A.EXPIRE: Move(frozenset({S.ISSUED}), frozenset({S.EXPIRED})),
    A.REVOKE: Move(frozenset({S.ISSUED}), frozenset({S.REVOKED})),
    A.RENEW: Move(frozenset({S.ISSUED}), frozenset({S.ISSUED})),
}
#: statuses of a cycle still under way (one per subject at a time)
OPEN = frozenset(
    {S.DRAFT, S.PRE_SCORED, S.SUBMITTED, S.UNDER_REVIEW, S.REVIEWED, S.SECOND_ROUND, S.CONSOLIDATED}
)
#: statuses no action leaves
FINAL = frozenset({S.REJECTED, S.EXPIRED, S.REVOKED, S.RENEWED})


def check(action: A, current: S, target: S | None = None) -> None:
    """Raise ``INVALID_TRANSITION`` unless ``action`` may run in ``current`` (and lead to
    ``target``, when given)."""
    move = FLOW[action]
    if current not in move.sources or (target is not None and target not in move.outcomes):
        allowed = sorted(a.value for a, m in FLOW.items() if current in m.sources)
        raise ValidationFailed.one(
            "status",
            ErrorCode.INVALID_TRANSITION,
            f"{action.value} is not possible while the certification is {current.value}; "
            f"possible now: {', '.join(allowed) or 'nothing (final)'}",
        )
