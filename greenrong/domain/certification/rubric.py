"""The certification rubrics (入库认定评分表) as versioned data files, and the scores they give.

``data/rubric_<kind>_<version>.json`` holds one rubric: dimensions → indicators (code, points,
the question asked, the evidence it needs), the entry threshold and the level bands. The
dimension names and the 50-point entry threshold are read in the seed report (the 2022 绿蓉融
report on the 四川省绿色企业/项目服务导则); indicators, points and bands are not published, so
every such value carries ``"assumption": true``. Files are never edited once a certification
used them: a changed rubric is a new version, and ``rubric(kind, version)`` still loads the old
one, so an old certification stays explainable.

Loading validates the file and raises ``RubricError`` naming every problem: unknown or missing
dimension names, duplicate codes, indicator points that do not add up to their dimension's,
dimensions that do not add up to ``total_points`` (100), bands out of order or below the entry
threshold, values that are not exact decimals.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from greenrong.domain.reference.vocab import GreenLevel

SCORE_PLACES = Decimal("0.01")


class CertificationSubject(StrEnum):
    """What a certification certifies, and so which rubric scores it."""

    ENTERPRISE = "ENTERPRISE"
    PROJECT = "PROJECT"


#: the dimension names the seed report publishes, in its order
PUBLISHED_DIMENSIONS: Mapping[CertificationSubject, tuple[str, ...]] = {
    CertificationSubject.ENTERPRISE: (
        "绿色经营",
        "环境保护",
        "低碳转型",
        "低碳技术先进性",
        "社会责任",
        "公司治理",
    ),
    CertificationSubject.PROJECT: (
        "绿色标准符合性",
        "项目合规性",
        "产业政策符合性",
        "环境与社会风险",
        "项目气候效益",
        "项目可持续发展效益",
        "行业先进性",
    ),
}


class RubricError(ValueError):
    """A rubric file is not valid; ``problems`` lists every reason."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(f"rubric {name}: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    points: Decimal
    question: str
    evidence: tuple[str, ...]
    assumption: bool


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    points: Decimal
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class LevelBand:
    level: GreenLevel
    name: str
    min_score: Decimal
    assumption: bool


@dataclass(frozen=True)
class Rubric:
    kind: CertificationSubject
    version: str
    title: str
    source: str
    total_points: Decimal
    entry_threshold: Decimal
    levels: tuple[LevelBand, ...]
    dimensions: tuple[Dimension, ...]

    @property
    def indicators(self) -> dict[str, Indicator]:
        return {i.code: i for d in self.dimensions for i in d.indicators}

    def dimension(self, code: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.code == code), None)

    def dimension_of(self, indicator_code: str) -> Dimension | None:
        return next(
            (d for d in self.dimensions if any(i.code == indicator_code for i in d.indicators)),
            None,
        )

    def level(self, score: Decimal) -> GreenLevel:
        """The level a total score earns: NONE below the entry threshold, else the highest band
        whose minimum it reaches (bounds belong to the upper band: 70 is 深绿 in 2022.1)."""
        if score < self.entry_threshold:
            return GreenLevel.NONE
        earned = GreenLevel.NONE
        for band in self.levels:
            if score >= band.min_score:
                earned = band.level
        return earned

    def admitted(self, score: Decimal) -> bool:
        """Whether the score enters the library (≥ the entry threshold, 50)."""
        return score >= self.entry_threshold


def _decimal(value: Any, where: str, problems: list[str]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.append(f"{where}: {value!r} is not an exact number (an integer or a string)")
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where}: {value!r} is not a number")
        return Decimal(0)
    if not number.is_finite() or number < 0:
        problems.append(f"{where}: {value!r} must be a finite number ≥ 0")
        return Decimal(0)
    return number


def _text(data: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key}: required text")
        return ""
    return value


def parse_rubric(data: Mapping[str, Any], *, name: str = "<data>") -> Rubric:
    """A validated ``Rubric`` from a file's JSON; ``RubricError`` lists every problem."""
    problems: list[str] = []
    try:
        kind = CertificationSubject(str(data.get("kind")))
    except ValueError:
        raise RubricError(
            name, [f"kind: {data.get('kind')!r} is not ENTERPRISE or PROJECT"]
        ) from None
    version = _text(data, "version", "rubric", problems)
    total = _decimal(data.get("total_points"), "total_points", problems)
    threshold_data = data.get("entry_threshold")
    if not isinstance(threshold_data, Mapping):
        problems.append("entry_threshold: required object with a score")
        threshold = Decimal(0)
    else:
        threshold = _decimal(threshold_data.get("score"), "entry_threshold.score", problems)
    codes: set[str] = set()
    dimensions: list[Dimension] = []
    for d_index, d in enumerate(data.get("dimensions") or []):
        where = f"dimensions[{d_index}]"
        code = _text(d, "code", where, problems)
        if code in codes:
            problems.append(f"{where}.code: {code} is used twice")
        codes.add(code)
        points = _decimal(d.get("points"), f"{where}.points", problems)
        indicators: list[Indicator] = []
        for i_index, i in enumerate(d.get("indicators") or []):
            i_where = f"{where}.indicators[{i_index}]"
            i_code = _text(i, "code", i_where, problems)
            if i_code in codes:
                problems.append(f"{i_where}.code: {i_code} is used twice")
            codes.add(i_code)
            evidence = i.get("evidence")
            if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
                problems.append(f"{i_where}.evidence: required list of document kinds")
                evidence = []
            if "assumption" not in i:
                problems.append(f"{i_where}.assumption: say whether the indicator is ours")
            indicators.append(
                Indicator(
                    code=i_code,
                    name=_text(i, "name", i_where, problems),
                    points=_decimal(i.get("points"), f"{i_where}.points", problems),
                    question=_text(i, "question", i_where, problems),
                    evidence=tuple(evidence),
                    assumption=bool(i.get("assumption")),
                )
            )
        if not indicators:
            problems.append(f"{where}.indicators: a dimension needs at least one indicator")
        summed = sum((i.points for i in indicators), Decimal(0))
        if summed != points:
            problems.append(
                f"{where}.points: the indicators of {code} add up to {summed}, not {points}"
            )
        dimensions.append(
            Dimension(
                code=code,
                name=_text(d, "name", where, problems),
                points=points,
                indicators=tuple(indicators),
            )
        )
    names = tuple(d.name for d in dimensions)
    if names != PUBLISHED_DIMENSIONS[kind]:
        problems.append(
            f"dimensions: {kind.value} needs {'、'.join(PUBLISHED_DIMENSIONS[kind])} "
            f"in that order, not {'、'.join(names) or 'none'}"
        )
    summed = sum((d.points for d in dimensions), Decimal(0))
    if summed != total:
        problems.append(f"total_points: the dimensions add up to {summed}, not {total}")
    levels: list[LevelBand] = []
    for b_index, b in enumerate(data.get("levels") or []):
        where = f"levels[{b_index}]"
        try:
            level = GreenLevel(b.get("level"))
        except ValueError:
            problems.append(f"{where}.level: {b.get('level')!r} is not a green level")
            continue
        levels.append(
            LevelBand(
                level=level,
                name=_text(b, "name", where, problems),
                min_score=_decimal(b.get("min_score"), f"{where}.min_score", problems),
                assumption=bool(b.get("assumption")),
            )
        )
    if [b.level for b in levels] != [
        GreenLevel.GREEN,
        GreenLevel.DEEP_GREEN,
        GreenLevel.EXCELLENT_GREEN,
    ]:
        problems.append("levels: GREEN, DEEP_GREEN and EXCELLENT_GREEN, in that order")
    minima = [b.min_score for b in levels]
    if any(a >= b for a, b in itertools.pairwise(minima)):
        problems.append("levels: each band's min_score must be above the one before")
    if levels and levels[0].min_score != threshold:
        problems.append(
            f"levels: GREEN starts at {levels[0].min_score}, not at the entry threshold {threshold}"
        )
    if levels and levels[-1].min_score > total:
        problems.append(f"levels: {levels[-1].min_score} is above the total {total}")
    if problems:
        raise RubricError(name, problems)
    return Rubric(
        kind=kind,
        version=version,
        title=str(data.get("title", "")),
        source=str(data.get("source", "")),
        total_points=total,
        entry_threshold=threshold,
        levels=tuple(levels),
        dimensions=tuple(dimensions),
    )


def _file_name(kind: CertificationSubject, version: str) -> str:
    return f"rubric_{kind.value.lower()}_{version}.json"


def versions(kind: CertificationSubject) -> list[str]:
    """Every version of ``kind``'s rubric in the package, oldest first."""
    prefix = f"rubric_{kind.value.lower()}_"
    found = [
        entry.name.removeprefix(prefix).removesuffix(".json")
        for entry in resources.files(__package__).joinpath("data").iterdir()
        if entry.name.startswith(prefix) and entry.name.endswith(".json")
    ]
    return sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))


@cache
def rubric(kind: CertificationSubject, version: str) -> Rubric:
    """The rubric of ``kind`` at ``version``; ``KeyError`` when no such file exists.

    ``version`` comes from clients (``certificationRubric(version:)``): it is looked up among
    the versions the package ships before any path is built from it, as carbon's
    ``load_factor_set`` does. A long one made the path too long for the OS (``OSError``, a
    masked INTERNAL), one holding NUL made it invalid (``ValueError``)."""
    if version not in versions(kind):
        raise KeyError(f"no {kind.value} rubric {version}")
    name = _file_name(kind, version)
    path = resources.files(__package__).joinpath("data", name)
    if not path.is_file():
        raise KeyError(f"no {kind.value} rubric {version}")
    loaded = parse_rubric(json.loads(path.read_text(encoding="utf-8")), name=name)
    if loaded.version != version:
        raise RubricError(name, [f"version: the file says {loaded.version}"])
    return loaded


def current(kind: CertificationSubject) -> Rubric:
    """The newest rubric of ``kind``: the one new certifications are scored with."""
    return rubric(kind, versions(kind)[-1])


def quantized(value: Decimal) -> Decimal:
    """A score to two places (half up): the one rounding every stored score goes through."""
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
