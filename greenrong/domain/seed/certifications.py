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

The report's figures hold at its cut-off (2022-05-31). The history then continues to ``as_of``
(``greenrong seed --as-of``, default today; the domain's default is the cut-off, so nothing
here reads the clock): each certificate valid at the cut-off is renewed before its last day
(decided ``RENEWAL_LEAD_DAYS`` before it, through the same steps as a first certificate, the
first one RENEW, on the newest rubric of its kind) and the renewal is valid from the day after
the renewed one's last day for three years; the renewed one becomes RENEWED (its history gains
the RENEW step). One renewal due in twelve (``LAPSED_PER_12``) does not happen: once its last day
is before ``as_of`` the certificate is EXPIRED, with the expiry pass's step of the next day. A
renewal whose decision falls on or after ``as_of`` is not there yet. The enterprise and project
rows hold the ``as_of`` state (the current certificate's level and last day, or NONE), and
``Project.libraries`` drops GREEN_PROJECT after an expiry. Memberships follow the live workflow:
a renewed certificate's runs through its last day and its renewal's starts the day after; an
expired one's ends on its last day, a revoked one's on the revocation day, with the reason;
the current one stays open-ended. So ``greenrong certification expire`` right after seeding
with ``as_of`` today finds nothing to do. (The progress bars' totals count the cut-off's rows.)

Everything comes from the plan, the rows as they stream by, and streams of its own
(``stream(seed, "certification-…")`` and one ``Random`` per certificate id), so adding
certifications changed no other generated value, and each of the three passes (certifications,
reviews, history) regenerates the same values. Renewals draw from their own stream per subject
(``certification-renewal``), a fixed number of values per renewal due, so a later ``as_of`` only
adds values and the cut-off's rows are the same for every ``as_of``.
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
from greenrong.domain.libraries.models import Library, MembershipSource, SubjectType
from greenrong.domain.matching.reviewers import conflicted
from greenrong.domain.reference.labels import label
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed.randomness import Weighted, new_uuid
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import CUTOFF_DAY, day

RUBRIC_VERSION = "2022.1"
#: the rubric of renewal cycles: the newest of each kind, as a live start takes
RENEWAL_RUBRIC = {CertificationSubject.ENTERPRISE: "2023.1", CertificationSubject.PROJECT: "2022.1"}
#: certificates not renewed when due, per twelve renewals due (our assumption); they expire
LAPSED_PER_12 = 1
#: a renewal is decided this many days before the renewed certificate's last day (our assumption)
RENEWAL_LEAD_DAYS = (20, 90)
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
_CUTOFF_DAY = CUTOFF_DAY
_D = Decimal
_BANDS = {
    GreenLevel.GREEN: (_D(51), _D("68.5")),
    GreenLevel.DEEP_GREEN: (_D(71), _D("83.5")),
    GreenLevel.EXCELLENT_GREEN: (_D(86), _D("96")),
    GreenLevel.NONE: (_D(36), _D("47")),
}
#: target consolidated scores per rubric version and level, inside the version's bands
_BANDS_OF = {
    "2022.1": _BANDS,
    "2023.1": {
        GreenLevel.GREEN: (_D(52), _D("72.5")),
        GreenLevel.DEEP_GREEN: (_D(77), _D(86)),
        GreenLevel.EXCELLENT_GREEN: (_D(90), _D(96)),
        GreenLevel.NONE: (_D(36), _D("47")),
    },
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
    rubric_version: str = RUBRIC_VERSION
    #: a renewal: the certificate it renews, and its first valid day (the day after that one's)
    renews: _Cycle | None = None
    valid_from: date | None = None
    #: set by ``as_of``: the renewal that took over, or the day after the last valid day
    renewed_by: _Cycle | None = None
    expired: bool = False

    @property
    def first_day(self) -> date:
        return self.valid_from if self.valid_from is not None else self.end.date()


@dataclass
class CertificationSources:
    """Collects the certified subjects while the enterprise, expert and project rows stream by."""

    seed: int
    #: enterprise indices first rejected, and indices revoked (chosen from the plan up front)
    rejected_first: frozenset[int]
    revoked: frozenset[int]
    #: the day the history runs to (the cut-off or later): renewals and expiries up to it
    as_of: date = CUTOFF_DAY
    cycles: list[_Cycle] = field(default_factory=list)
    experts: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    #: subject id -> its certificate issued by the cut-off, then its renewals, for the memberships
    issued: dict[uuid.UUID, list[_Cycle]] = field(default_factory=dict)
    revoked_cycles: list[_Cycle] = field(default_factory=list)
    _reviewers: _Reviewers | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.as_of < _CUTOFF_DAY:
            raise ValueError(f"as_of {self.as_of} is before the demo's cut-off {_CUTOFF_DAY}")

    def _rng(self, name: str, subject: uuid.UUID) -> random.Random:
        return random.Random(f"greenrong-demo/{self.seed}/certification-{name}/{subject}")

    def watch_enterprises(self, rows: Iterable[Row]) -> Iterator[Row]:
        """Certify the enterprises, and set each row's level and validity to the ``as_of`` state
        (the libraries seed must see the rows before this, at the cut-off)."""
        for index, row in enumerate(rows):
            self._take_enterprise(index, row)
            chain = self.issued.get(row["id"])
            if chain is not None:
                row["green_level"], row["green_level_valid_until"] = _state(chain)
            yield row

    def _continue(self, first: _Cycle) -> list[_Cycle]:
        """The certificate valid at the cut-off and its renewals up to ``as_of``: each renewal is
        decided before the last day of the one it renews, and takes over the day after it; one
        in twelve due is not renewed and expires (``LAPSED_PER_12``). A renewal whose decision
        falls on or after ``as_of`` is not there yet (its certificate is still valid then)."""
        subject = first.project_id or first.enterprise_id
        rng = self._rng("renewal", subject)
        chain = [first]
        while True:
            last = chain[-1]
            assert last.valid_until is not None
            lapses = rng.randrange(12) < LAPSED_PER_12
            lead = rng.randint(*RENEWAL_LEAD_DAYS)
            renewal_id = new_uuid(rng)
            if lapses:
                last.expired = last.valid_until < self.as_of
                return chain
            decided = last.valid_until - timedelta(days=lead)
            if decided >= self.as_of:
                return chain
            end = datetime.combine(decided, time(10), UTC)
            valid_from = last.valid_until + timedelta(days=1)
            renewal = _Cycle(
                renewal_id,
                last.subject,
                last.enterprise_id,
                last.project_id,
                last.owner_name,
                last.category,
                last.level,
                _Outcome.ISSUED,
                start=end - _CYCLE,
                end=end,
                valid_until=years_later(valid_from, 3) - timedelta(days=1),
                rubric_version=RENEWAL_RUBRIC[last.subject],
                renews=last,
                valid_from=valid_from,
            )
            last.renewed_by = renewal
            self.cycles.append(renewal)
            chain.append(renewal)

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
            self.issued[row["id"]] = self._continue(cycle)
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
            self.revoked_cycles.append(revoked)

    def watch_experts(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            self.experts.append((row["id"], row["affiliation"]))
            yield row

    def take_projects(self, rows: list[Row], owners: dict[uuid.UUID, str]) -> None:
        """Certify the GREEN_PROJECT projects: sets their rows' level, validity and libraries in
        place to the ``as_of`` state (before the batch is inserted, after the libraries seed has
        seen them)."""
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
            chain = self._continue(cycle)
            self.issued[row["id"]] = chain
            row["green_level"], row["green_level_valid_until"] = _state(chain)
            if chain[-1].expired:
                row["libraries"] = [x for x in row["libraries"] if x != "GREEN_PROJECT"]

    def link(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The libraries seed's GREEN_ENTERPRISE and GREEN_PROJECT memberships, linked to their
        certificates; a project's membership starts on its certificate's first day. As the live
        workflow does: a renewed certificate's membership runs through its last day and its
        renewal's starts the day after; an expired or revoked one's ends on its last day, with
        the reason. The membership of the certificate valid on ``as_of`` stays open-ended."""
        rng = random.Random(f"greenrong-demo/{self.seed}/certification-memberships")
        for row in rows:
            library = str(row["library"])
            if library in ("GREEN_ENTERPRISE", "GREEN_PROJECT"):
                subject = row["enterprise_id"] or row["project_id"]
                chain = self.issued.get(subject)
                if chain is not None:
                    first = chain[0]
                    row["certification_id"] = first.id
                    if library == "GREEN_PROJECT":
                        row["since"] = first.end.date()
                    row["until"], row["ended_reason"] = _membership_end(first)
                    for renewal in chain[1:]:
                        yield row
                        row = _renewed_membership(rng, row, renewal)
            yield row
        for cycle in self.revoked_cycles:
            yield _revoked_membership(rng, cycle, self._generated(cycle).revocation)

    # --- rows ------------------------------------------------------------------------------------

    def _ordered(self) -> list[_Cycle]:
        return sorted(self.cycles, key=lambda c: (c.end, c.id))

    def rows(self, cycles_per_chunk: int) -> Iterator[tuple[list[Row], list[Row], list[Row]]]:
        """The certifications, their reviews and their history steps, a chunk of certifications
        at a time (in decision order), each generated once: a chunk's certifications go in
        before their reviews and steps, and a renewed certificate (decided earlier) before its
        renewal."""
        numbers: dict[str, int] = {}
        ordered = self._ordered()
        for start in range(0, len(ordered), cycles_per_chunk):
            certifications: list[Row] = []
            reviews: list[Row] = []
            events: list[Row] = []
            for cycle in ordered[start : start + cycles_per_chunk]:
                made = self._generated(cycle)
                certifications.append(_certification(cycle, made, numbers))
                reviews += made.reviews
                events += made.events
            yield certifications, reviews, events

    def _generated(self, cycle: _Cycle) -> _Generated:
        if self._reviewers is None or len(self._reviewers.experts) != len(self.experts):
            self._reviewers = _Reviewers(self.experts)
        return _generate(cycle, self._reviewers, random.Random(cycle.id.int))


class _Reviewers:
    """The experts a cycle may draw its reviewers from. A conflict of interest depends on the
    expert's affiliation only, and the experts share a few dozen affiliations: checking each
    affiliation once per owner (not each expert per cycle) keeps the seed linear in its scale.
    A fair pool is the experts list itself, or the same list without the conflicted
    affiliations, in the same order (so ``rng.sample`` draws the same experts)."""

    def __init__(self, experts: list[tuple[uuid.UUID, str]]) -> None:
        self.experts = experts
        self._affiliations = list(dict.fromkeys(affiliation for _, affiliation in experts))
        self._conflicts: dict[str, frozenset[str]] = {}
        self._pools: dict[frozenset[str], list[tuple[uuid.UUID, str]]] = {}

    def fair(self, owner_name: str) -> list[tuple[uuid.UUID, str]]:
        conflicts = self._conflicts.get(owner_name)
        if conflicts is None:
            conflicts = frozenset(a for a in self._affiliations if conflicted(a, owner_name))
            self._conflicts[owner_name] = conflicts
        if not conflicts:
            return self.experts
        pool = self._pools.get(conflicts)
        if pool is None:
            pool = [e for e in self.experts if e[1] not in conflicts]
            self._pools[conflicts] = pool
        return pool


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


def _certification(cycle: _Cycle, made: _Generated, numbers: dict[str, int]) -> Row:
    """A certification's row; ``numbers`` counts the certificate numbers given per prefix."""
    number = None
    if cycle.outcome is not _Outcome.REJECTED:
        prefix = f"{NUMBER_PREFIX[cycle.subject]}-{cycle.first_day.year}-"
        numbers[prefix] = numbers.get(prefix, 0) + 1
        number = f"{prefix}{numbers[prefix]:06d}"
    status = {
        _Outcome.ISSUED: CertificationStatus.ISSUED,
        _Outcome.REJECTED: CertificationStatus.REJECTED,
        _Outcome.REVOKED: CertificationStatus.REVOKED,
    }[cycle.outcome]
    ended_on = cycle.revoked_on
    if cycle.renewed_by is not None:
        status, ended_on = CertificationStatus.RENEWED, cycle.valid_until
    elif cycle.expired:
        status, ended_on = CertificationStatus.EXPIRED, cycle.valid_until
    last = made.times[-1] if ended_on is not None else cycle.end
    return entity_columns(cycle.id, cycle.start, last) | {
        "subject_type": cycle.subject,
        "enterprise_id": cycle.enterprise_id,
        "project_id": cycle.project_id,
        "rubric_version": cycle.rubric_version,
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
        "valid_from": None if number is None else cycle.first_day,
        "valid_until": None if number is None else cycle.valid_until,
        "ended_on": ended_on,
        "revocation_reason": made.revocation,
        "renews_id": None if cycle.renews is None else cycle.renews.id,
    }


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


def _generate(cycle: _Cycle, reviewers: _Reviewers, rng: random.Random) -> _Generated:
    scoring = rubric(cycle.subject, cycle.rubric_version)
    dims = [(d.code, d.points) for d in scoring.dimensions]
    bands = _BANDS_OF[cycle.rubric_version]
    low, high = bands[cycle.level if cycle.outcome is not _Outcome.REJECTED else GreenLevel.NONE]
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
    fair = reviewers.fair(cycle.owner_name)
    # tiny scales have fewer than two experts (or fair ones): take who there is
    pool = fair if len(fair) >= REVIEWERS else reviewers.experts
    chosen = rng.sample(pool, min(REVIEWERS, len(pool)))
    times = _times(cycle.start, cycle.end, 8)
    if cycle.outcome is _Outcome.REVOKED and cycle.revoked_on is not None:
        times.append(datetime.combine(cycle.revoked_on, time(9), UTC))
    if cycle.renewed_by is not None:
        times.append(cycle.renewed_by.end)
    elif cycle.expired and cycle.valid_until is not None:
        # the expiry pass of the next morning in China (09:00 UTC+8)
        times.append(datetime.combine(cycle.valid_until + timedelta(days=1), time(1), UTC))
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
    started: dict[str, object] = {"rubric_version": cycle.rubric_version}
    if cycle.renews is not None:
        started["renews"] = str(cycle.renews.id)
    plan: list[_Step] = [
        (
            A.START if cycle.renews is None else A.RENEW,
            None,
            S.DRAFT,
            owner,
            cycle.enterprise_id,
            started,
        ),
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
    if cycle.renewed_by is not None:
        # recorded by the renewal's decision, as the live workflow does
        renewed: dict[str, object] = {"renewed_by": str(cycle.renewed_by.id)}
        plan.append((A.RENEW, S.ISSUED, S.RENEWED, regulator, None, renewed))
    elif cycle.expired and cycle.valid_until is not None:
        run_on = cycle.valid_until + timedelta(days=1)
        details: dict[str, object] = {
            "valid_until": cycle.valid_until.isoformat(),
            "run_on": run_on.isoformat(),
        }
        plan.append((A.EXPIRE, S.ISSUED, S.EXPIRED, admin, None, details))
    events = [
        entity_columns(new_uuid(rng), times[min(n, len(times) - 1)])
        | {
            "certification_id": cycle.id,
            "action": action,
            "from_status": before,
            "to_status": after,
            "actor_role": role,
            # the expiry pass runs outside any request: the live workflow records "system"
            "actor_subject": "system" if action is A.EXPIRE else f"demo-{role.value.lower()}",
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


def _state(chain: list[_Cycle]) -> tuple[GreenLevel, date | None]:
    """The subject's level and last valid day on ``as_of``: its newest certificate's, or none
    once that one expired."""
    last = chain[-1]
    if last.expired:
        return GreenLevel.NONE, None
    return last.level, last.valid_until


def expiry_reason(last_day: date) -> str:
    """The membership's ended reason on expiry, the live ``expire_due``'s words."""
    return f"认定有效期至{last_day.isoformat()}届满"


def _membership_end(cycle: _Cycle) -> tuple[date | None, str | None]:
    if cycle.renewed_by is not None:
        return cycle.valid_until, None
    if cycle.expired and cycle.valid_until is not None:
        return cycle.valid_until, expiry_reason(cycle.valid_until)
    return None, None


def _renewed_membership(rng: random.Random, previous: Row, cycle: _Cycle) -> Row:
    since = cycle.first_day
    until, ended = _membership_end(cycle)
    recorded = cycle.end + timedelta(seconds=rng.randint(60, 3600))
    return (
        previous
        | entity_columns(new_uuid(rng), recorded)
        | {
            "reason": f"绿色认定续期（{'企业' if cycle.project_id is None else '项目'}证书）",
            "since": since,
            "until": until,
            "ended_reason": ended,
            "certification_id": cycle.id,
        }
    )


def _revoked_membership(rng: random.Random, cycle: _Cycle, revocation: str | None) -> Row:
    """The GREEN_ENTERPRISE membership a revoked certificate held: from its first day through
    the revocation day, ended with the revocation's reason."""
    recorded = cycle.end + timedelta(seconds=rng.randint(60, 3600))
    return entity_columns(new_uuid(rng), recorded) | {
        "library": Library.GREEN_ENTERPRISE,
        "subject_type": SubjectType.ENTERPRISE.value,
        "enterprise_id": cycle.enterprise_id,
        "project_id": None,
        "source": MembershipSource.CERTIFICATION,
        "reason": f"绿色企业入库认定，评定为{label(cycle.level)}",
        "since": cycle.first_day,
        "until": cycle.revoked_on,
        "ended_reason": revocation,
        "certification_id": cycle.id,
        "climate_type": None,
        "climate_scope": None,
        "pboc_area": None,
        "pboc_sub_area": None,
        "department": None,
    }


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
