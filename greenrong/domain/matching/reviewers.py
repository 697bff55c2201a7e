"""Project → reviewer experts: who fits, who may not review (conflicts, load), and why.

An expert fits a project when their field suits the project's green category
(``CATEGORY_FIELDS``, our assumption, one line per category) and their specialties and bio
share terms with the project's title and description. The query runs over the experts index
(``indexers/matching/reviewers.py``); the rules that exclude an expert are checked here,
against the database rows:

- **conflict of interest**: the expert's affiliation is the project owner's name, or one
  contains the other, after ``normalised()`` (NFKC, no spaces or brackets, so
  ``四川 （绿源）环保有限公司`` equals ``四川绿源环保有限公司``);
- **load**: the expert already holds ``Settings.review_open_limit`` OPEN review assignments.

``assign_reviewer`` enforces the same two rules, and ``complete_review`` closes an assignment.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ErrorCode, IssueCollector, StaleVersion, ValidationFailed
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.kit import service
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching import repository
from greenrong.domain.matching.kit import Reason, matched_terms, prefecture
from greenrong.domain.matching.tracked import ReviewAssignment, ReviewStatus
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.catalog import regions
from greenrong.domain.reference.labels import label
from greenrong.domain.reference.vocab import GreenCategory


@dataclass(frozen=True)
class ReviewerWeights:
    version: str
    #: the expert's field suits the project's category
    field: float
    #: per domain term of the project's text found in the expert's specialties, field or bio
    domain_term: float
    #: times BM25 of the project's text against specialties, field and bio
    text: float
    #: the expert works in the project's prefecture (site visits)
    same_prefecture: float


REVIEWER_WEIGHTS = ReviewerWeights(
    version="2026-11-25.1", field=3.0, domain_term=2.0, text=0.3, same_prefecture=0.5
)

#: which expert fields suit a project of each green category: our assumption
CATEGORY_FIELDS: Mapping[GreenCategory, tuple[str, ...]] = {
    GreenCategory.ENERGY_SAVING_ENVIRONMENTAL: (
        "环境科学与工程",
        "能源与动力工程",
        "建筑节能",
        "化学工程",
        "工程咨询与评估",
    ),
    GreenCategory.CLEAN_PRODUCTION: (
        "化学工程",
        "环境科学与工程",
        "材料科学与工程",
        "农业资源与环境",
    ),
    GreenCategory.CLEAN_ENERGY: (
        "电力系统及其自动化",
        "能源与动力工程",
        "碳排放核算与管理",
    ),
    GreenCategory.ECOLOGICAL_ENVIRONMENT: ("生态学", "林学", "水利工程", "农业资源与环境"),
    GreenCategory.GREEN_INFRASTRUCTURE: (
        "交通运输规划",
        "建筑节能",
        "水利工程",
        "电力系统及其自动化",
        "工程咨询与评估",
    ),
    GreenCategory.GREEN_SERVICES: (
        "绿色金融",
        "碳排放核算与管理",
        "工程咨询与评估",
        "环境与资源保护法学",
    ),
}


class ReasonCode(StrEnum):
    FIELD = "FIELD"
    SPECIALTY = "SPECIALTY"
    DOMAIN_TERM = "DOMAIN_TERM"
    TEXT = "TEXT"
    SAME_PREFECTURE = "SAME_PREFECTURE"
    NO_CONFLICT = "NO_CONFLICT"
    WORKLOAD = "WORKLOAD"


#: names of the scored query parts (a domain term is ``kit.term_name(typed)``)
FIELD = "field"
TEXT = "text"
SAME_PREFECTURE = "same_prefecture"

_NOISE = re.compile(r"[\s()（）\[\]【】·・,，.。-]")
#: shorter names are too generic to count as "contains" (e.g. 四川)
_MIN_CONTAINED = 4


def normalised(name: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", name)).lower()


def conflicted(affiliation: str, owner_name: str) -> bool:
    """The affiliation is the owner, or one of the two names contains the other."""
    a, o = normalised(affiliation), normalised(owner_name)
    if not a or not o:
        return False
    if a == o:
        return True
    shorter, longer = sorted((a, o), key=len)
    return len(shorter) >= _MIN_CONTAINED and shorter in longer


def project_text(project: Project) -> str:
    return f"{project.title} {project.description}"


def _bigrams(text: str) -> set[str]:
    chars = [c for c in normalised(text) if "\u4e00" <= c <= "\u9fff"]
    return {a + b for a, b in itertools.pairwise(chars)}


def reasons(
    project: Project,
    expert: Expert,
    matched: Iterable[str],
    *,
    open_count: int,
    w: ReviewerWeights = REVIEWER_WEIGHTS,
) -> list[Reason]:
    """Why ``expert`` fits ``project``: the named parts that matched, the specialties that share
    words with the project, and the two exclusion rules it passed."""
    matched = set(matched)
    found: list[Reason] = []
    if FIELD in matched:
        found.append(
            Reason(
                ReasonCode.FIELD,
                f"专业领域“{expert.field}”对口{label(project.green_category)}项目",
                w.field,
            )
        )
    for term in matched_terms(matched):
        found.append(Reason(ReasonCode.DOMAIN_TERM, f"专长涉及“{term.typed}”", w.domain_term))
    words = _bigrams(project_text(project))
    for specialty in expert.specialties:
        if _bigrams(specialty) & words:
            found.append(Reason(ReasonCode.SPECIALTY, f"专长“{specialty}”与项目内容相关", 0.0))
    if TEXT in matched:
        found.append(Reason(ReasonCode.TEXT, "研究方向与项目描述相关", w.text))
    if SAME_PREFECTURE in matched:
        where = regions()[prefecture(project.region_code) or project.region_code].name
        found.append(
            Reason(ReasonCode.SAME_PREFECTURE, f"专家在{where}，便于现场核查", w.same_prefecture)
        )
    found.append(
        Reason(ReasonCode.NO_CONFLICT, f"任职单位“{expert.affiliation}”与项目业主无关联", 0.0)
    )
    found.append(Reason(ReasonCode.WORKLOAD, f"当前在审项目{open_count}个", 0.0))
    return found


# --- assignments --------------------------------------------------------------------------------


async def _owner(session: AsyncSession, project: Project) -> Enterprise:
    return await service.get_or_raise(session, Enterprise, project.enterprise_id)


async def assign_reviewer(
    session: AsyncSession, *, project_id: uuid.UUID, expert_id: uuid.UUID, open_limit: int
) -> ReviewAssignment:
    """Ask ``expert`` to review ``project``; refused for a conflict of interest, an expert at
    ``open_limit`` open reviews, or a second assignment of the same pair."""
    issues = IssueCollector()
    project = await session.get(Project, project_id)
    expert = await session.get(Expert, expert_id)
    if project is None:
        issues.add("project_id", ErrorCode.UNKNOWN_REFERENCE, "the project does not exist")
    if expert is None:
        issues.add("expert_id", ErrorCode.UNKNOWN_REFERENCE, "the expert does not exist")
    if project is None or expert is None:
        raise ValidationFailed(issues.issues)
    owner = await _owner(session, project)
    if conflicted(expert.affiliation, owner.name):
        issues.add(
            "expert_id",
            ErrorCode.INVALID,
            f"conflict of interest: the expert works for {expert.affiliation}, the project owner",
        )
    held = (await repository.open_reviews(session, [expert.id])).get(expert.id, 0)
    if held >= open_limit:
        issues.add(
            "expert_id",
            ErrorCode.OUT_OF_RANGE,
            f"the expert already holds {held} open reviews (the limit is {open_limit})",
        )
    if await repository.assignment_taken(session, project_id=project.id, expert_id=expert.id):
        issues.add("expert_id", ErrorCode.DUPLICATE, "the expert already reviews this project")
    issues.raise_if_any()
    values = {"project_id": project.id, "expert_id": expert.id, "status": ReviewStatus.OPEN}
    return await service.create(session, ReviewAssignment, values, validate=_checked)


async def complete_review(
    session: AsyncSession, *, id: uuid.UUID, version: int
) -> ReviewAssignment:
    row = await service.get_or_raise(session, ReviewAssignment, id)
    if row.version != version:
        raise StaleVersion(ReviewAssignment.entity_type, id, version, row.version)
    if row.status is not ReviewStatus.OPEN:
        raise ValidationFailed.one("status", ErrorCode.INVALID_TRANSITION, "the review is done")
    return await service.update(
        session,
        ReviewAssignment,
        id,
        expected_version=version,
        changes={"status": ReviewStatus.DONE, "completed_at": utcnow()},
        validate=_checked,
    )


async def _checked(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """The rules were checked before the write."""


@dataclass(frozen=True)
class Excluded:
    """Experts left out of a project's matches, and why (for tests and the bench)."""

    conflicted: frozenset[uuid.UUID]
    at_limit: frozenset[uuid.UUID]


def exclusions(
    experts: Sequence[Expert], owner_name: str, open_counts: Mapping[uuid.UUID, int], *, limit: int
) -> Excluded:
    return Excluded(
        conflicted=frozenset(e.id for e in experts if conflicted(e.affiliation, owner_name)),
        at_limit=frozenset(e.id for e in experts if open_counts.get(e.id, 0) >= limit),
    )
