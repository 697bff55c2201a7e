"""Demo library memberships (入库): every library's members from the rows generated before them.

- GREEN_ENTERPRISE: every rated enterprise (source CERTIFICATION), since its certification day
  (its ``green_level_valid_until`` less the certificate's three years);
- GREEN_PROJECT, CULTIVATION, CLIMATE_INVESTMENT, CLIMATE_FRIENDLY, PBOC_CARBON_REDUCTION: the
  projects whose ``libraries`` name them (``financing_layout`` chose them, with the report's
  counts and the green library's category shares), so ``Project.libraries`` equals the open
  memberships exactly.

Here the seed is a snapshot at the report's cut-off (2022-05-31): every membership starts on or
before it and is open-ended (``until`` null). The certification seed (``link``) then continues
the GREEN_ENTERPRISE and GREEN_PROJECT memberships to its ``as_of`` (renewals, expiries) and
adds the revoked certificates' ended ones.
Dates, scores and departments come from their own random stream, so adding memberships changed
no other generated value. ``certification_id`` is left null: the certification seed links it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from greenrong.domain.libraries.models import (
    Library,
    MembershipSource,
    PbocArea,
    SubjectType,
)
from greenrong.domain.projects.models import ClimateType
from greenrong.domain.reference.labels import label
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed.randomness import new_uuid
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import CUTOFF, day

_CUTOFF_DAY = CUTOFF.date()
#: when each list started taking members: our assumption, except the PBoC tool's launch (read)
_OPENED = {
    Library.GREEN_PROJECT: date(2020, 6, 1),
    Library.CULTIVATION: date(2020, 6, 1),
    Library.CLIMATE_INVESTMENT: date(2021, 6, 1),
    Library.CLIMATE_FRIENDLY: date(2021, 6, 1),
    Library.PBOC_CARBON_REDUCTION: date(2021, 11, 8),
}
#: the report's departments (主管部门) that recommend for cultivation
DEPARTMENTS = (
    "省发展改革委",
    "经济和信息化厅",
    "生态环境厅",
    "省地方金融监管局",
    "人民银行成都分行",
)
#: score bands per level (评分 50 分以上入库): our assumption
_SCORES = {
    GreenLevel.GREEN: (50, 69),
    GreenLevel.DEEP_GREEN: (70, 84),
    GreenLevel.EXCELLENT_GREEN: (85, 98),
}
#: T/CSTE 0061-2021 strands per category (libraries/data): our assumption
_MITIGATION_STRAND = {
    GreenCategory.CLEAN_ENERGY: "MIT-2",
    GreenCategory.ENERGY_SAVING_ENVIRONMENTAL: "MIT-4",
    GreenCategory.CLEAN_PRODUCTION: "MIT-4",
    GreenCategory.ECOLOGICAL_ENVIRONMENT: "MIT-5",
    GreenCategory.GREEN_INFRASTRUCTURE: "MIT-1",
    GreenCategory.GREEN_SERVICES: "MIT-1",
}
_ADAPTATION_STRAND = {GreenCategory.ECOLOGICAL_ENVIRONMENT: "ADA-1"}
#: PBoC sub-areas by title word (the sub-area names of libraries/data): our assumption
_PBOC_SUB_AREAS = (
    ("光伏", PbocArea.CLEAN_ENERGY, "太阳能利用"),
    ("风电", PbocArea.CLEAN_ENERGY, "风力发电"),
    ("生物质", PbocArea.CLEAN_ENERGY, "生物质能源利用"),
    ("储能", PbocArea.CLEAN_ENERGY, "高效储能（包括电化学储能）"),
    ("加氢", PbocArea.CLEAN_ENERGY, "氢能利用"),
    ("余热余压", PbocArea.ENERGY_SAVING, "工业领域能效提升"),
    ("电机系统节能", PbocArea.ENERGY_SAVING, "工业领域能效提升"),
)
_CERTIFICATE_YEARS = 3


@dataclass
class _Subject:
    id: uuid.UUID
    created: date
    category: GreenCategory
    title: str = ""
    level: GreenLevel = GreenLevel.NONE
    certified: date | None = None
    climate: ClimateType = ClimateType.NONE
    libraries: tuple[str, ...] = ()


@dataclass
class MembershipSources:
    """Collects what the memberships need while the enterprise and project rows stream by."""

    enterprises: list[_Subject] = field(default_factory=list)
    projects: list[_Subject] = field(default_factory=list)

    def watch_enterprises(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            valid_until = row["green_level_valid_until"]
            if row["green_level"] is not GreenLevel.NONE and valid_until is not None:
                self.enterprises.append(
                    _Subject(
                        id=row["id"],
                        created=row["created_at"].date(),
                        category=row["green_category"],
                        level=row["green_level"],
                        certified=_years_earlier(valid_until, _CERTIFICATE_YEARS),
                    )
                )
            yield row

    def take_projects(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if row["libraries"]:
                self.projects.append(
                    _Subject(
                        id=row["id"],
                        created=row["created_at"].date(),
                        category=row["green_category"],
                        title=row["title"],
                        climate=row["climate_type"],
                        libraries=tuple(row["libraries"]),
                    )
                )

    @property
    def count(self) -> int:
        return len(self.enterprises) + sum(len(p.libraries) for p in self.projects)


def membership_rows(sources: MembershipSources, *, rng: random.Random) -> Iterator[Row]:
    for enterprise in sources.enterprises:
        low, high = _SCORES[enterprise.level]
        yield _row(
            rng,
            Library.GREEN_ENTERPRISE,
            enterprise,
            MembershipSource.CERTIFICATION,
            f"绿色企业入库认定评分{rng.randint(low, high)}分，评定为{label(enterprise.level)}",
            max(enterprise.certified or enterprise.created, enterprise.created),
        )
    for project in sources.projects:
        for value in project.libraries:
            library = Library(value)
            # projects are created on or before the cut-off (financing.py)
            since = day(rng, max(_OPENED[library], project.created), _CUTOFF_DAY)
            yield _project_row(rng, library, project, since)


def _project_row(rng: random.Random, library: Library, project: _Subject, since: date) -> Row:
    if library is Library.GREEN_PROJECT:
        score = rng.randint(50, 95)
        return _row(
            rng,
            library,
            project,
            MembershipSource.CERTIFICATION,
            f"绿色项目入库认定评分{score}分",
            since,
        )
    if library is Library.CULTIVATION:
        department = rng.choice(DEPARTMENTS)
        return _row(
            rng,
            library,
            project,
            MembershipSource.RECOMMENDATION,
            f"{department}推荐，“绿蓉融”平台审核认定进入绿色培育库",
            since,
            department=department,
        )
    if library is Library.CLIMATE_INVESTMENT:
        mitigation = _MITIGATION_STRAND[project.category]
        adaptation = _ADAPTATION_STRAND.get(project.category, "ADA-2")
        scope = {
            ClimateType.MITIGATION: [mitigation],
            ClimateType.ADAPTATION: [adaptation],
            ClimateType.BOTH: [mitigation, adaptation],
        }[project.climate]
        return _row(
            rng,
            library,
            project,
            MembershipSource.SCREENING,
            f"筛选进入重点气候投融资项目清单（{label(project.climate)}）",
            since,
            climate_type=project.climate,
            climate_scope=scope,
        )
    if library is Library.CLIMATE_FRIENDLY:
        return _row(
            rng, library, project, MembershipSource.SCREENING, "筛选为气候友好型项目", since
        )
    area, sub_area = next(
        ((a, s) for word, a, s in _PBOC_SUB_AREAS if word in project.title),
        (PbocArea.CLEAN_ENERGY, None),
    )
    return _row(
        rng,
        library,
        project,
        MembershipSource.SCREENING,
        f"符合碳减排支持工具支持领域（{label(area)}）",
        since,
        pboc_area=area,
        pboc_sub_area=sub_area,
    )


def _row(
    rng: random.Random,
    library: Library,
    subject: _Subject,
    source: MembershipSource,
    reason: str,
    since: date,
    **extra: object,
) -> Row:
    enterprise = library is Library.GREEN_ENTERPRISE
    recorded = datetime(since.year, since.month, since.day, 10, tzinfo=UTC) + timedelta(
        seconds=rng.randint(0, 8 * 3600)
    )
    return (
        entity_columns(new_uuid(rng), recorded)
        | {
            "library": library,
            "subject_type": (SubjectType.ENTERPRISE if enterprise else SubjectType.PROJECT).value,
            "enterprise_id": subject.id if enterprise else None,
            "project_id": None if enterprise else subject.id,
            "source": source,
            "reason": reason,
            "since": since,
            "until": None,
            "ended_reason": None,
            "certification_id": None,
            "climate_type": None,
            "climate_scope": None,
            "pboc_area": None,
            "pboc_sub_area": None,
            "department": None,
        }
        | extra
    )


def _years_earlier(end: date, years: int) -> date:
    if (end.month, end.day) == (2, 29):
        end = end.replace(day=28)
    return end.replace(year=end.year - years)
