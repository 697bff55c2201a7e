"""The access rules of certification (绿色认定), merged into ``policy.py``.

Rows (``ROW_RULES``):

- ``Certification``: ADMIN and REGULATOR see all; an ENTERPRISE its own (its enterprise's and its
  projects'); an EXPERT those it was assigned to review; everyone sees ISSUED certificates, but
  of others' only the public fields (the GraphQL type hides the self-assessment, scores and
  explanation: ``details_visible``).
- ``CertificationReview``: an EXPERT sees only its own reviews ("reviewers see only their
  assignments"); the ENTERPRISE sees the reviews of its own certifications; nobody else.
- ``CertificationEvent`` (the history): the enterprise's own, the reviewing expert's
  assignments; nobody else below REGULATOR.

Steps (``authorize_certification``):

| step | who |
| --- | --- |
| START, UPDATE_SELF_ASSESSMENT, SUBMIT, RENEW | the owning ENTERPRISE, ADMIN |
| ASSIGN_REVIEWERS, CONSOLIDATE | ADMIN (the platform) |
| SCORE | an EXPERT with an open review of it |
| DECIDE, REVOKE | REGULATOR, ADMIN |
| EXPIRE | the system (CLI, the API's loop), ADMIN |

The system principal (``principal.SYSTEM``: the CLI, workers, the demo seed, tests' factories)
may take every step.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import Select, select

from greenrong.core.errors import Forbidden
from greenrong.domain.access.predicates import NOTHING, InQuery, Predicate, any_of, eq
from greenrong.domain.access.principal import SYSTEM, Principal, Role
from greenrong.domain.certification.models import Certification, CertificationReview

OWNER_STEPS = frozenset({"START", "UPDATE_SELF_ASSESSMENT", "SUBMIT", "RENEW"})
PLATFORM_STEPS = frozenset({"ASSIGN_REVIEWERS", "CONSOLIDATE", "EXPIRE"})
REGULATOR_STEPS = frozenset({"DECIDE", "REVOKE"})
REVIEWER_STEPS = frozenset({"SCORE"})


def reviewed_certifications(expert_id: uuid.UUID | None) -> Select[Any]:
    return select(CertificationReview.certification_id).where(
        CertificationReview.expert_id == expert_id
    )


def reviewed_projects(expert_id: uuid.UUID | None) -> Select[Any]:
    return select(Certification.project_id).where(
        Certification.id.in_(reviewed_certifications(expert_id)),
        Certification.project_id.is_not(None),
    )


def own_certifications(enterprise_id: uuid.UUID | None) -> Select[Any]:
    return select(Certification.id).where(Certification.enterprise_id == enterprise_id)


def _ids(query: Callable[[], Select[Any]]) -> Callable[[Any], Select[Any]]:
    return lambda _now: query()


def _certification_rows(p: Principal) -> Predicate:
    issued = eq("status", "ISSUED")
    if p.role == Role.ENTERPRISE:
        return any_of(eq("enterprise_id", p.org_id), issued)
    if p.role == Role.EXPERT:
        return any_of(InQuery("id", _ids(lambda: reviewed_certifications(p.org_id))), issued)
    return issued


def _review_rows(p: Principal) -> Predicate:
    if p.role == Role.EXPERT:
        return eq("expert_id", p.org_id)
    if p.role == Role.ENTERPRISE:
        return InQuery("certification_id", _ids(lambda: own_certifications(p.org_id)))
    return NOTHING


def _event_rows(p: Principal) -> Predicate:
    if p.role == Role.EXPERT:
        return InQuery("certification_id", _ids(lambda: reviewed_certifications(p.org_id)))
    if p.role == Role.ENTERPRISE:
        return InQuery("certification_id", _ids(lambda: own_certifications(p.org_id)))
    return NOTHING


ROW_RULES: dict[str, Callable[[Principal], Predicate]] = {
    "Certification": _certification_rows,
    "CertificationReview": _review_rows,
    "CertificationEvent": _event_rows,
}


def details_visible(p: Principal, owner_id: uuid.UUID, reviewer: bool) -> bool:
    """Whether the caller sees a certification's self-assessment, scores and explanation: the
    owner, its reviewers, ADMIN and REGULATOR."""
    if p.role in (Role.ADMIN, Role.REGULATOR):
        return True
    if p.role == Role.ENTERPRISE:
        return p.org_id == owner_id
    return p.role == Role.EXPERT and reviewer


def authorize_certification(
    p: Principal, step: str, *, owner_id: uuid.UUID, reviewers: Collection[uuid.UUID]
) -> None:
    """Raise ``Forbidden`` unless the caller may take ``step`` on a certification of the
    enterprise ``owner_id`` (``reviewers``: the experts with an open review of it)."""
    if p is SYSTEM:
        return
    if step in REVIEWER_STEPS:
        if p.role == Role.EXPERT and p.org_id is None:
            raise Forbidden("EXPERT may not score: the credential is bound to no expert")
        if p.role == Role.EXPERT and p.org_id in reviewers:
            return
        raise Forbidden(f"{p.role} may not score this certification: it is not assigned to you")
    if p.role == Role.ADMIN:
        return
    if step in OWNER_STEPS and p.role == Role.ENTERPRISE and p.org_id == owner_id:
        return
    if step in REGULATOR_STEPS and p.role == Role.REGULATOR:
        return
    who = {
        **dict.fromkeys(OWNER_STEPS, "the enterprise itself"),
        **dict.fromkeys(PLATFORM_STEPS, "the platform (admin)"),
        **dict.fromkeys(REGULATOR_STEPS, "a regulator"),
    }.get(step, "an admin")
    raise Forbidden(f"{p.role} may not {step.lower()} this certification: {who} does")
