"""What the seed reads from the reference context: Sichuan regions, industry divisions, categories."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.seed import vocabulary

PROVINCE = "510000"


def _reference(name: str) -> Any:
    path = files("greenrong.domain.reference").joinpath("data", name)
    return json.loads(path.read_text("utf-8"))


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

    def prefecture(self, code: str) -> Prefecture:
        return next(p for p in self.prefectures if p.code == code)

    def pick_region(self, rng: random.Random, prefecture: Prefecture) -> Region:
        """Mostly a county-level code; sometimes the prefecture's own code."""
        if rng.randrange(100) < self.county_share_percent:
            return rng.choice(prefecture.counties)
        return prefecture.region


@cache
def sichuan() -> Sichuan:
    rows = _reference("regions.json")["regions"]
    names = {row["code"]: row["name"] for row in rows}
    vocab = {p["code"]: p for p in vocabulary.geography()["prefectures"]}
    prefectures = []
    regions: dict[str, Region] = {}
    for row in rows:
        if row["level"] != "prefecture":
            continue
        code = row["code"]
        counties = tuple(
            Region(c["code"], c["name"], row["name"] + c["name"], code)
            for c in rows
            if c["level"] == "county" and c["parent"] == code
        )
        own = Region(code, row["name"], row["name"], code)
        regions[code] = own
        regions.update((c.code, c) for c in counties)
        words = vocab[code]
        prefectures.append(
            Prefecture(
                code, names[code], words["short"], words["area_code"], words["weight"], counties, own
            )
        )
    regions[PROVINCE] = Region(PROVINCE, names[PROVINCE], names[PROVINCE], PROVINCE)
    divisions = {
        d["code"]: Division(d["code"], d["section"], d["name"].strip())
        for d in _reference("industries.json")["divisions"]
    }
    return Sichuan(
        prefectures=tuple(prefectures),
        regions=regions,
        divisions=divisions,
        county_share_percent=vocabulary.geography()["county_share_percent"],
    )


def prefecture_of(region_code: str) -> str:
    """The prefecture code of any Sichuan region code (510703 -> 510700)."""
    return region_code[:4] + "00"


@cache
def category_names() -> dict[GreenCategory, str]:
    """绿色产业指导目录 short names: 节能环保, 清洁生产, …"""
    rows = _reference("green_catalogue.json")["categories"]
    return {GreenCategory(row["key"]): row["short_name"] for row in rows}


def short_place(name: str) -> str:
    """A county name as used inside an institution name: 郫都区 -> 郫都, 北川羌族自治县 -> 北川."""
    if name.endswith("自治县"):
        return name[:2]
    if len(name) > 2 and name[-1] in "区县市":
        return name[:-1]
    return name
