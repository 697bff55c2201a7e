"""Demo certifications (绿色认定) with full histories, for exactly the certified subjects.

- every rated enterprise (the seed's 225 at scale 1) holds one ISSUED enterprise certificate
  that matches its row: its level, decided on its certification day (its
  ``green_level_valid_until`` less three years, or the day it registered if later), valid
  through ``green_level_valid_until``;
- every GREEN_PROJECT project (84) holds one ISSUED project certificate, and its row gets the
  level and validity (``project.green_level``, ``green_level_valid_until``);
- one rated enterprise in ten (``REJECTED_FIRST``) was first rejected (a score below 50, with
  reasons) and passed a later cycle;
- some enterprises without a level (``REVOKED_PER_1000`` per thousand of them) had a
  certificate that a regulator revoked before the cut-off, which is why they hold none now.

Every cycle has its self-assessment (answers to every indicator of rubric 2022.1, one PDF per
dimension), two reviewers without a conflict of interest, their scores and comments, the
consolidated score (the domain's ``consolidate``, mean), and its history (who, when, what):
8 steps, 9 with a revocation. The GREEN_ENTERPRISE and GREEN_PROJECT memberships of the
libraries seed are linked to these certificates (``certification_id``), and a project's
membership starts on its certificate's first day.

The demo is a snapshot at the report's cut-off (2022-05-31), where every issued certificate is
still valid (three years from 2020-06 at the earliest), so none is EXPIRED in the seed. By the
real calendar all of them have ended: ``greenrong certification expire`` (and the API
processes' hourly pass) expires them, as matching already treats their levels
(``finance_rules.effective_level``).

Everything comes from the plan, the rows as they stream by, and streams of its own
(``stream(seed, "certification-…")`` and one ``Random`` per certificate id), so adding
certifications changed no other generated value, and each of the three passes (certifications,
reviews, history) regenerates the same values.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from greenrong.domain.access.principal import Role
from greenrong.domain.certification.models import (
    CertificationAction,
    CertificationReviewStatus,
    CertificationStatus,
)
from greenrong.domain.certification.rubric import CertificationSubject, rubric
from greenrong.domain.certification.scoring import (
    Answer,
    Attainment,
    ConsolidationRule,
    consolidate,
    pre_score,
    reviewer_total,
)
from greenrong.domain.certification.service import NUMBER_PREFIX, years_later
from greenrong.domain.matching.reviewers import conflicted
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed.randomness import Weighted, new_uuid
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import CUTOFF, day

RUBRIC_VERSION = "2022.1"
#: reviewers per demo certification
REVIEWERS = 2
#: rated enterprises first rejected, per ten (our assumption)
REJECTED_FIRST = 1
#: enterprises without a level whose certificate was revoked, per thousand (our assumption)
REVOKED_PER_1000 = 8
#: the levels of certified projects (our assumption: the report gives none)
PROJECT_LEVELS = Weighted(
    [(GreenLevel.GREEN, 50), (GreenLevel.DEEP_GREEN, 35), (GreenLevel.EXCELLENT_GREEN, 15)]
)
_REVOKED_LEVELS = Weighted([(GreenLevel.GREEN, 3), (GreenLevel.DEEP_GREEN, 1)])
_CYCLE = timedelta(days=40)
_FIRST_DECISION = date(2020, 6, 1)
_CUTOFF_DAY = CUTOFF.date()
_D = Decimal
_BANDS = {
    GreenLevel.GREEN: (_D(51), _D("68.5")),
    GreenLevel.DEEP_GREEN: (_D(71), _D("83.5")),
    GreenLevel.EXCELLENT_GREEN: (_D(86), _D("96")),
    GreenLevel.NONE: (_D(36), _D("47")),
}
_REJECTIONS = (
    "低碳转型缺少量化减排目标和实施路径",
    "环境保护：近三年存在环境行政处罚记录",
    "绿色经营：绿色业务收入占比证明材料不足",
    "评分未达到入库标准（50分）",
)
_REVOCATIONS = (
    "发生较大突发环境事件，不再符合入库条件",
    "提供的绿色业务收入证明材料失实",
    "被列入严重失信主体名单",
)
_COMMENTS = ("材料齐全，符合要求", "基本符合，个别指标证明材料较弱", "表现突出，建议保持")


class _Outcome(StrEnum):
    ISSUED = "ISSUED"
    REJECTED = "REJECTED"
    REVOKED = "REVOKED"


@dataclass
class _Cycle:
    id: uuid.UUID
    subject: CertificationSubject
    enterprise_id: uuid.UUID
    project_id: uuid.UUID | None
    owner_name: str
    category: GreenCategory
    level: GreenLevel
    outcome: _Outcome
    start: datetime
    end: datetime
    valid_until: date | None = None
    revoked_on: date | None = None


@dataclass
class CertificationSources:
    """Collects the certified subjects while the enterprise, expert and project rows stream by."""

    seed: int
    #: enterprise indices first rejected, and indices revoked (chosen from the plan up front)
    rejected_first: frozenset[int]
    revoked: frozenset[int]
    cycles: list[_Cycle] = field(default_factory=list)
    experts: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    #: subject id -> its issued certification's id, for the library memberships
    issued: dict[uuid.UUID, _Cycle] = field(default_factory=dict)

    def _rng(self, name: str, subject: uuid.UUID) -> random.Random:
        return random.Random(f"greenrong-demo/{self.seed}/certification-{name}/{subject}")

    def watch_enterprises(self, rows: Iterable[Row]) -> Iterator[Row]:
        for index, row in enumerate(rows):
            self._take_enterprise(index, row)
            yield row

    def _take_enterprise(self, index: int, row: Row) -> None:
        created: datetime = row["created_at"]
        rng = self._rng("enterprise", row["id"])
        valid_until: date | None = row["green_level_valid_until"]
        level: GreenLevel = row["green_level"]

        def cycle_of(
            level: GreenLevel, outcome: _Outcome, start: datetime, end: datetime
        ) -> _Cycle:
            return _Cycle(
                new_uuid(rng),
                CertificationSubject.ENTERPRISE,
                row["id"],
                None,
                row["name"],
                row["green_category"],
                level,
                outcome,
                start,
                end,
            )

        if level is not GreenLevel.NONE and valid_until is not None:
            decided = max(years_later(valid_until, -3), created.date())
            end = max(datetime.combine(decided, time(10), UTC), created + timedelta(hours=1))
            start = max(created, end - _CYCLE)
            if index in self.rejected_first:
                r_end = start - (start - created) / 3
                self.cycles.append(
                    cycle_of(
                        GreenLevel.NONE, _Outcome.REJECTED, max(created, r_end - _CYCLE), r_end
                    )
                )
            cycle = cycle_of(level, _Outcome.ISSUED, start, end)
            cycle.valid_until = valid_until
            self.cycles.append(cycle)
            self.issued[row["id"]] = cycle
        elif index in self.revoked:
            lower = max(_FIRST_DECISION, created.date() + timedelta(days=45))
            upper = date(2022, 2, 28)
            decided = day(rng, min(lower, upper), upper)
            end = max(datetime.combine(decided, time(10), UTC), created + timedelta(hours=1))
            level = _REVOKED_LEVELS(rng)
            revoked = cycle_of(level, _Outcome.REVOKED, max(created, end - _CYCLE), end)
            revoked.valid_until = years_later(end.date(), 3) - timedelta(days=1)
            revoked.revoked_on = day(rng, end.date() + timedelta(days=60), _CUTOFF_DAY)
            self.cycles.append(revoked)

    def watch_experts(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            self.experts.append((row["id"], row["affiliation"]))
            yield row

    def take_projects(self, rows: list[Row], owners: dict[uuid.UUID, str]) -> None:
        """Certify the GREEN_PROJECT projects: sets their rows' level and validity in place
        (before the batch is inserted)."""
        for row in rows:
            # every row names the columns: a bulk insert takes its columns from the first row
            row["green_level"] = GreenLevel.NONE
            row["green_level_valid_until"] = None
            if "GREEN_PROJECT" not in row["libraries"]:
                continue
            created: datetime = row["created_at"]
            rng = self._rng("project", row["id"])
            decided = day(rng, max(_FIRST_DECISION, created.date()), _CUTOFF_DAY)
            end = max(datetime.combine(decided, time(10), UTC), created + timedelta(hours=1))
            level = PROJECT_LEVELS(rng)
            valid_until = years_later(end.date(), 3) - timedelta(days=1)
            cycle = _Cycle(
                new_uuid(rng),
                CertificationSubject.PROJECT,
                row["enterprise_id"],
                row["id"],
                owners.get(row["enterprise_id"], ""),
                row["green_category"],
                level,
                _Outcome.ISSUED,
                start=max(created, end - _CYCLE),
                end=end,
                valid_until=valid_until,
            )
            self.cycles.append(cycle)
            self.issued[row["id"]] = cycle
            row["green_level"] = level
            row["green_level_valid_until"] = valid_until

    def link(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The libraries seed's GREEN_ENTERPRISE and GREEN_PROJECT memberships, linked to their
        certificates; a project's membership starts on its certificate's first day."""
        for row in rows:
            library = str(row["library"])
            if library in ("GREEN_ENTERPRISE", "GREEN_PROJECT"):
                subject = row["enterprise_id"] or row["project_id"]
                cycle = self.issued.get(subject)
                if cycle is not None:
                    row["certification_id"] = cycle.id
                    if library == "GREEN_PROJECT":
                        row["since"] = cycle.end.date()
            yield row

    # --- rows ------------------------------------------------------------------------------------

    def _ordered(self) -> list[_Cycle]:
        return sorted(self.cycles, key=lambda c: (c.end, c.id))

    def certification_rows(self) -> Iterator[Row]:
        numbers: dict[str, int] = {}
        for cycle in self._ordered():
            yield self._certification(cycle, numbers)

    def review_rows(self) -> Iterator[Row]:
        for cycle in self._ordered():
            yield from self._generated(cycle).reviews

    def event_rows(self) -> Iterator[Row]:
        for cycle in self._ordered():
            yield from self._generated(cycle).events

    def _certification(self, cycle: _Cycle, numbers: dict[str, int]) -> Row:
        made = self._generated(cycle)
        number = None
        if cycle.outcome is not _Outcome.REJECTED:
            prefix = f"{NUMBER_PREFIX[cycle.subject]}-{cycle.end.year}-"
            numbers[prefix] = numbers.get(prefix, 0) + 1
            number = f"{prefix}{numbers[prefix]:06d}"
        status = {
            _Outcome.ISSUED: CertificationStatus.ISSUED,
            _Outcome.REJECTED: CertificationStatus.REJECTED,
            _Outcome.REVOKED: CertificationStatus.REVOKED,
        }[cycle.outcome]
        last = made.times[-1] if cycle.outcome is _Outcome.REVOKED else cycle.end
        return entity_columns(cycle.id, cycle.start, last) | {
            "subject_type": cycle.subject,
            "enterprise_id": cycle.enterprise_id,
            "project_id": cycle.project_id,
            "rubric_version": RUBRIC_VERSION,
            "status": status,
            "green_category": cycle.category,
            "answers": made.answers,
            "evidence": made.evidence,
            "pre_score": made.pre_total,
            "pre_scores": made.pre_scores,
            "submitted_at": made.times[2],
            "review_round": 1,
            "consolidation_rule": ConsolidationRule.MEAN,
            "scores": made.scores,
            "score": made.score,
            "spread": made.spread,
            "second_round_flagged": False,
            "decided_at": cycle.end,
            "rejection_reasons": made.reasons,
            "level": cycle.level,
            "certificate_number": number,
            "valid_from": None if number is None else cycle.end.date(),
            "valid_until": None if number is None else cycle.valid_until,
            "ended_on": cycle.revoked_on,
            "revocation_reason": made.revocation,
            "renews_id": None,
        }

    def _generated(self, cycle: _Cycle) -> _Generated:
        return _generate(cycle, self.experts, random.Random(cycle.id.int))


S, A = CertificationStatus, CertificationAction
_Step = tuple[
    CertificationAction,
    CertificationStatus | None,
    CertificationStatus,
    Role,
    uuid.UUID | None,
    dict[str, object],
]


@dataclass
class _Generated:
    times: list[datetime]
    answers: list[dict[str, str]]
    evidence: list[dict[str, object]]
    pre_total: Decimal
    pre_scores: dict[str, str]
    scores: dict[str, str]
    score: Decimal
    spread: Decimal
    reasons: list[str]
    revocation: str | None
    reviews: list[Row]
    events: list[Row]


def _times(start: datetime, end: datetime, n: int) -> list[datetime]:
    """``n`` whole-second instants from ``start`` to ``end``, evenly spread, rising."""
    span = max(int((end - start).total_seconds()), n)
    first = end - timedelta(seconds=span)
    return [first + timedelta(seconds=span * i // (n - 1)) for i in range(n)]


def _reviewer_scores(
    rng: random.Random, total: Decimal, dimensions: list[tuple[str, Decimal]]
) -> dict[str, Decimal]:
    """Dimension scores adding up to ``total`` exactly, each within its points."""
    share = total / 100
    scores = {code: (points * share).quantize(_D("0.01")) for code, points in dimensions}
    scores[dimensions[-1][0]] += total - sum(scores.values())
    return scores


def _generate(
    cycle: _Cycle, experts: list[tuple[uuid.UUID, str]], rng: random.Random
) -> _Generated:
    scoring = rubric(cycle.subject, RUBRIC_VERSION)
    dims = [(d.code, d.points) for d in scoring.dimensions]
    low, high = _BANDS[cycle.level if cycle.outcome is not _Outcome.REJECTED else GreenLevel.NONE]
    target = (low + (high - low) * _D(rng.randint(0, 1000)) / 1000).quantize(_D("0.01"))
    totals = [target + _D(rng.randint(0, 300)) / 100, target - _D(rng.randint(0, 300)) / 100]
    reviews = [_reviewer_scores(rng, t, dims) for t in totals]
    result = consolidate(scoring, reviews, rule=ConsolidationRule.MEAN, spread_threshold=_D(15))
    answers = [
        Answer(code, Attainment.FULL if rng.random() < 0.7 else Attainment.PARTIAL)
        for code in scoring.indicators
    ]
    pre = pre_score(scoring, answers, set(scoring.indicators))
    evidence: list[dict[str, object]] = [
        {
            "name": f"{d.name}证明材料.pdf",
            "type": "pdf",
            "sha256": uuid.UUID(int=rng.getrandbits(128)).hex
            + uuid.UUID(int=rng.getrandbits(128)).hex,
            "indicators": [i.code for i in d.indicators],
        }
        for d in scoring.dimensions
    ]
    fair = [e for e in experts if not conflicted(e[1], cycle.owner_name)]
    # tiny scales have fewer than two experts (or fair ones): take who there is
    pool = fair if len(fair) >= REVIEWERS else experts
    chosen = rng.sample(pool, min(REVIEWERS, len(pool)))
    times = _times(cycle.start, cycle.end, 8)
    if cycle.outcome is _Outcome.REVOKED and cycle.revoked_on is not None:
        times.append(datetime.combine(cycle.revoked_on, time(9), UTC))
    reasons = rng.sample(_REJECTIONS, 2) if cycle.outcome is _Outcome.REJECTED else []
    revocation = rng.choice(_REVOCATIONS) if cycle.outcome is _Outcome.REVOKED else None
    review_rows = [
        entity_columns(new_uuid(rng), times[3], times[4 + n])
        | {
            "certification_id": cycle.id,
            "expert_id": expert_id,
            "round": 1,
            "status": CertificationReviewStatus.SUBMITTED,
            "scores": {k: str(v) for k, v in scores.items()},
            "comments": {d.code: f"{d.name}：{rng.choice(_COMMENTS)}" for d in scoring.dimensions},
            "total": reviewer_total(scores),
            "assigned_at": times[3],
            "submitted_at": times[4 + n],
        }
        for n, ((expert_id, _), scores) in enumerate(zip(chosen, reviews, strict=False))
    ]
    owner, admin, regulator = Role.ENTERPRISE, Role.ADMIN, Role.REGULATOR
    decided = S.REJECTED if cycle.outcome is _Outcome.REJECTED else S.ISSUED
    plan: list[_Step] = [
        (A.START, None, S.DRAFT, owner, cycle.enterprise_id, {"rubric_version": RUBRIC_VERSION}),
        (
            A.UPDATE_SELF_ASSESSMENT,
            S.DRAFT,
            S.PRE_SCORED,
            owner,
            cycle.enterprise_id,
            {"pre_score": str(pre.total)},
        ),
        (
            A.SUBMIT,
            S.PRE_SCORED,
            S.SUBMITTED,
            owner,
            cycle.enterprise_id,
            {"pre_score": str(pre.total)},
        ),
        (
            A.ASSIGN_REVIEWERS,
            S.SUBMITTED,
            S.UNDER_REVIEW,
            admin,
            None,
            {"experts": [str(e) for e, _ in chosen], "round": 1},
        ),
    ]
    for n, review in enumerate(review_rows):
        after = S.REVIEWED if n == len(review_rows) - 1 else S.UNDER_REVIEW
        plan.append(
            (
                A.SCORE,
                S.UNDER_REVIEW,
                after,
                Role.EXPERT,
                review["expert_id"],
                {"total": str(review["total"]), "round": 1},
            )
        )
    plan.append(
        (
            A.CONSOLIDATE,
            S.REVIEWED,
            S.CONSOLIDATED,
            admin,
            None,
            {"rule": "MEAN", "score": str(result.total), "spread": str(result.spread)},
        )
    )
    decision: dict[str, object] = {"approved": decided is S.ISSUED}
    if reasons:
        decision["reasons"] = reasons
    plan.append((A.DECIDE, S.CONSOLIDATED, decided, regulator, None, decision))
    if revocation is not None:
        plan.append((A.REVOKE, S.ISSUED, S.REVOKED, regulator, None, {"reason": revocation}))
    events = [
        entity_columns(new_uuid(rng), times[min(n, len(times) - 1)])
        | {
            "certification_id": cycle.id,
            "action": action,
            "from_status": before,
            "to_status": after,
            "actor_role": role,
            "actor_subject": f"demo-{role.value.lower()}",
            "actor_org_id": org,
            "at": times[min(n, len(times) - 1)],
            "details": details,
        }
        for n, (action, before, after, role, org, details) in enumerate(plan)
    ]
    return _Generated(
        times=times,
        answers=[
            {"indicator": a.indicator, "attainment": a.attainment.value, "note": "见附件"}
            for a in answers
        ],
        evidence=evidence,
        pre_total=pre.total,
        pre_scores={k: str(v) for k, v in pre.dimensions.items()},
        scores={k: str(v) for k, v in result.dimensions.items()},
        score=result.total,
        spread=result.spread,
        reasons=reasons,
        revocation=revocation,
        reviews=review_rows,
        events=events,
    )


def choose(levels: list[GreenLevel], rng: random.Random) -> tuple[frozenset[int], frozenset[int]]:
    """Which rated enterprises were first rejected, and which others had a certificate revoked
    (exact counts from the layout, random placement)."""
    rated = [i for i, level in enumerate(levels) if level is not GreenLevel.NONE]
    others = [i for i, level in enumerate(levels) if level is GreenLevel.NONE]
    rejected = rng.sample(rated, len(rated) * REJECTED_FIRST // 10)
    revoked = rng.sample(others, min(len(others), max(1, len(others) * REVOKED_PER_1000 // 1000)))
    return frozenset(rejected), frozenset(revoked)


def expected_counts(
    *, rated: int, rejected: int, revoked: int, projects: int, experts: int
) -> tuple[int, int, int]:
    """Certifications, reviews and history steps the sources will generate."""
    cycles = rated + rejected + revoked + projects
    reviewers = min(REVIEWERS, experts)
    # start, self-assessment, submit, assign, one score per reviewer, consolidate, decide
    return cycles, reviewers * cycles, (6 + reviewers) * cycles + revoked
