"""Loads the versioned reference data files in ``data/`` (each names its source)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from greenrong.domain.reference.vocab import GreenCategory

PROVINCE_CODE = "510000"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | prefecture | county
    parent: str | None


@dataclass(frozen=True)
class IndustrySection:
    code: str
    name: str
    divisions: tuple[str, ...]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("greenrong.domain.reference").joinpath("data", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def regions() -> dict[str, Region]:
    """Sichuan (510000), its 21 prefecture-level divisions and 183 counties, GB/T 2260."""
    return {
        r["code"]: Region(r["code"], r["name"], r["level"], r["parent"])
        for r in _load("regions.json")["regions"]
    }


def region_chain(code: str) -> list[Region]:
    """The region and its ancestors, nearest first."""
    chain: list[Region] = []
    current: str | None = code
    while current is not None and current in regions():
        chain.append(regions()[current])
        current = regions()[current].parent
    return chain


@cache
def industry_sections() -> dict[str, IndustrySection]:
    """GB/T 4754-2017 sections A–T with their two-digit divisions."""
    data = _load("industries.json")
    divisions: dict[str, list[str]] = {}
    for d in data["divisions"]:
        divisions.setdefault(d["section"], []).append(d["code"])
    return {
        s["code"]: IndustrySection(s["code"], s["name"], tuple(divisions.get(s["code"], [])))
        for s in data["sections"]
    }


@cache
def industry_division_names() -> dict[str, str]:
    return {d["code"]: d["name"] for d in _load("industries.json")["divisions"]}


@cache
def green_category_names() -> dict[GreenCategory, str]:
    """Chinese short names of the six first-level categories (绿色产业指导目录 2019)."""
    return {
        GreenCategory(c["key"]): c["short_name"]
        for c in _load("green_catalogue.json")["categories"]
    }
