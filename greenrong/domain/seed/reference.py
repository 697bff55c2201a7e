"""What the seed reads from the reference context: regions, industry divisions, categories."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache, cached_property

from greenrong.domain.reference import catalog
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.seed import vocabulary

PROVINCE = catalog.PROVINCE_CODE


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    #: e.g. 成都市郫都区, or 绵阳市 for a prefecture code
    full_name: str
    prefecture: str


@dataclass(frozen=True, slots=True)
class Prefecture:
    code: str
    name: str
    #: the place name used in company names: 成都, 攀枝花, 凉山
    short: str
    area_code: str
    weight: int
    counties: tuple[Region, ...]
    region: Region


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    section: str
    name: str


@dataclass(frozen=True)
class Sichuan:
    prefectures: tuple[Prefecture, ...]
    regions: dict[str, Region]
    divisions: dict[str, Division]
    county_share_percent: int

    @cached_property
    def _prefectures_by_code(self) -> dict[str, Prefecture]:
        return {p.code: p for p in self.prefectures}

    def prefecture(self, code: str) -> Prefecture:
        return self._prefectures_by_code[code]

    def pick_region(self, rng: random.Random, prefecture: Prefecture) -> Region:
        """Mostly a county-level code; sometimes the prefecture's own code."""
        if rng.randrange(100) < self.county_share_percent:
            return rng.choice(prefecture.counties)
        return prefecture.region


@cache
def sichuan() -> Sichuan:
    regions = catalog.regions()
    vocab = {p["code"]: p for p in vocabulary.geography()["prefectures"]}
    prefectures = []
    by_code: dict[str, Region] = {}
    for prefecture in (r for r in regions.values() if r.level == "prefecture"):
        code = prefecture.code
        counties = tuple(
            Region(c.code, c.name, prefecture.name + c.name, code)
            for c in regions.values()
            if c.level == "county" and c.parent == code
        )
        own = Region(code, prefecture.name, prefecture.name, code)
        by_code[code] = own
        by_code.update((c.code, c) for c in counties)
        words = vocab[code]
        prefectures.append(
            Prefecture(
                code,
                prefecture.name,
                words["short"],
                words["area_code"],
                words["weight"],
                counties,
                own,
            )
        )
    by_code[PROVINCE] = Region(PROVINCE, regions[PROVINCE].name, regions[PROVINCE].name, PROVINCE)
    names = catalog.industry_division_names()
    divisions = {
        code: Division(code, section.code, names[code].strip())
        for section in catalog.industry_sections().values()
        for code in section.divisions
    }
    return Sichuan(
        prefectures=tuple(prefectures),
        regions=by_code,
        divisions=divisions,
        county_share_percent=vocabulary.geography()["county_share_percent"],
    )


def prefecture_of(region_code: str) -> str:
    """The prefecture code of any Sichuan region code (510703 -> 510700)."""
    return region_code[:4] + "00"


def category_names() -> dict[GreenCategory, str]:
    """绿色产业指导目录 short names: 节能环保, 清洁生产, …"""
    return catalog.green_category_names()


def short_place(name: str) -> str:
    """A county name as used inside an institution name: 郫都区 -> 郫都, 北川羌族自治县 -> 北川."""
    if name.endswith("自治县"):
        return name[:2]
    if len(name) > 2 and name[-1] in "区县市":
        return name[:-1]
    return name
