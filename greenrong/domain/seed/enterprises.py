"""Demo enterprises: where they are, what they do, how green they are, and their rows."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.credit_codes import CreditCodes
from greenrong.domain.seed.names import CompanyNames, PersonNames
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.randomness import Weighted, dealt, new_uuid
from greenrong.domain.seed.reference import Sichuan, category_names, prefecture_of
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import DEMANDS_OPEN, PLATFORM_LAUNCH, day, moment

#: enterprises that ask for financing registered before demands open; the others until then
_ACTIVE_JOINED_BY = DEMANDS_OPEN - timedelta(days=1)
_OTHERS_JOINED_BY = datetime(2021, 12, 31, tzinfo=UTC)
_CERTIFIED_FROM = date(2020, 6, 1)
_CERTIFIED_UNTIL = date(2022, 5, 31)
_CERTIFICATE_YEARS = 3


@dataclass
class EnterpriseLayout:
    """Per enterprise index: region, category and level (exact counts, random placement)."""

    regions: list[str]
    categories: list[GreenCategory]
    levels: list[GreenLevel]
    #: indices of the enterprises that get >= 5 projects with >= 3 demands each
    heavy: frozenset[int]

    def __len__(self) -> int:
        return len(self.regions)


@dataclass
class EnterpriseDirectory:
    """What later generators need about the enterprises generated so far."""

    layout: EnterpriseLayout
    ids: list[uuid.UUID] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    created: list[datetime] = field(default_factory=list)


def lay_out_enterprises(plan: SeedPlan, rng: random.Random, sichuan: Sichuan) -> EnterpriseLayout:
    prefectures = sichuan.prefectures
    per_prefecture = largest_remainder(plan.enterprises, [p.weight for p in prefectures])
    placed = dealt(rng, list(zip(prefectures, per_prefecture, strict=True)))
    regions = [sichuan.pick_region(rng, prefecture).code for prefecture in placed]
    heavy: set[int] = set()
    for prefecture_code, wanted in plan.heavy_enterprises.items():
        local = [i for i, code in enumerate(regions) if prefecture_of(code) == prefecture_code]
        heavy.update(rng.sample(local, min(wanted, len(local))))
    categories = dealt(rng, list(plan.enterprises_by_category.items()))
    return EnterpriseLayout(
        regions=regions,
        categories=categories,
        levels=_levels(plan, categories, rng),
        heavy=frozenset(heavy),
    )


def _levels(
    plan: SeedPlan, categories: list[GreenCategory], rng: random.Random
) -> list[GreenLevel]:
    """Exact level counts, with the rated (入库) enterprises split by category as the report's
    shares of the green enterprise library (``plan.rated_by_category``)."""
    levels = [GreenLevel.NONE] * len(categories)
    rated_levels = dealt(
        rng,
        [(lvl, n) for lvl, n in plan.enterprises_by_level.items() if lvl is not GreenLevel.NONE],
    )
    chosen: list[int] = []
    for category, wanted in plan.rated_by_category.items():
        members = [i for i, c in enumerate(categories) if c is category]
        chosen += rng.sample(members, min(wanted, len(members)))
    if len(chosen) < len(rated_levels):  # tiny scales: fill up from any category
        taken = set(chosen)
        rest = [i for i in range(len(categories)) if i not in taken]
        chosen += rng.sample(rest, len(rated_levels) - len(chosen))
    for index, level in zip(chosen, rated_levels, strict=False):
        levels[index] = level
    return levels


def enterprise_rows(
    directory: EnterpriseDirectory,
    *,
    active: list[bool],
    rng: random.Random,
    sichuan: Sichuan,
) -> Iterator[Row]:
    """Rows in index order; fills ``directory`` as it goes. ``active`` marks enterprises that
    have projects or demands (they must have joined before demands open)."""
    words = vocabulary.enterprise_vocabulary()
    industries = {
        GreenCategory(key): Weighted([(choice, choice["weight"]) for choice in choices])
        for key, choices in words["categories"].items()
    }
    sizes = Weighted([(EnterpriseSize(s), w) for s, w in words["sizes"]])
    big = Weighted([(EnterpriseSize.MEDIUM, 1), (EnterpriseSize.LARGE, 1)])
    companies = CompanyNames()
    people = PersonNames()
    codes = CreditCodes()
    labels = category_names()
    layout = directory.layout
    for i in range(len(layout)):
        region = sichuan.regions[layout.regions[i]]
        prefecture = sichuan.prefecture(region.prefecture)
        category = layout.categories[i]
        level = layout.levels[i]
        industry = industries[category](rng)
        division = sichuan.divisions[industry["division"]]
        entity_id = new_uuid(rng)
        name = companies(rng, prefecture.short, industry["words"])
        joined_by = _ACTIVE_JOINED_BY if active[i] else _OTHERS_JOINED_BY
        created = moment(rng, PLATFORM_LAUNCH, joined_by)
        updated = created
        valid_until = None
        if level is not GreenLevel.NONE:
            certified = day(rng, _CERTIFIED_FROM, _CERTIFIED_UNTIL)
            valid_until = _years_later(certified, _CERTIFICATE_YEARS)
            updated = max(created, datetime(*certified.timetuple()[:3], 10, tzinfo=UTC))
        founded = rng.randint(1993, 2019)
        directory.ids.append(entity_id)
        directory.names.append(name)
        directory.created.append(created)
        yield entity_columns(entity_id, created, updated) | {
            "name": name,
            "credit_code": codes(rng, region.code),
            "region_code": region.code,
            "industry_section": division.section,
            "industry_division": division.code,
            "size": big(rng) if i in layout.heavy else sizes(rng),
            "green_category": category,
            "green_level": level,
            "green_level_valid_until": valid_until,
            "description": (
                f"{name}成立于{founded}年，位于{region.full_name}，主要从事{division.name}"
                f"（{rng.choice(industry['words'])}）相关业务，属于{labels[category]}产业。"
            ),
            "contact_person": people(rng) if rng.random() < 0.9 else None,
            "contact_phone": _phone(rng, prefecture.area_code) if rng.random() < 0.9 else None,
        }


def _years_later(start: date, years: int) -> date:
    if (start.month, start.day) == (2, 29):
        start = start.replace(day=28)
    return start.replace(year=start.year + years)


def _phone(rng: random.Random, area_code: str) -> str:
    if rng.random() < 0.55:
        return rng.choice(("13", "15", "18", "17", "19")) + f"{rng.randrange(10**9):09d}"
    digits = 8 if area_code == "028" else 7
    return f"{area_code}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
