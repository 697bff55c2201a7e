"""The 2021 green bond catalogue (绿色债券支持项目目录（2021年版）) as a versioned data file.

``data/green_bond_catalogue_2021.json`` copies the shared reference (codes, names, levels,
parents, technical standards, each with its provenance tag) and adds, per level-4 item, a small
vocabulary of the words project descriptions use (``terms``): our own assumption, marked so in
the file. The file is validated when it is loaded: a broken file fails at start-up, not in a
request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LEVELS = (1, 2, 3, 4)


class CatalogueError(ValueError):
    """The catalogue data file is inconsistent."""


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    level: int
    parent: str | None
    name: str
    provenance: str
    technical_standards: tuple[str, ...] = ()
    #: level 4 only: the words a description uses (our assumption)
    terms: tuple[str, ...] = ()

    @property
    def manufacturing(self) -> bool:
        """The item is the making of equipment or products (…制造), not building or running."""
        return self.name.endswith("制造") or "制造和产业化" in self.name


@dataclass(frozen=True)
class Catalogue:
    version: str
    title: str
    document_no: str
    items: Mapping[str, CatalogueItem]

    def leaves(self) -> list[CatalogueItem]:
        """The level-4 items (the eligible project categories), in file order."""
        return [i for i in self.items.values() if i.level == 4]

    def path(self, code: str) -> list[CatalogueItem]:
        """Levels 1 to 3 above ``code`` (top first), without the item itself."""
        chain: list[CatalogueItem] = []
        parent = self.items[code].parent
        while parent is not None:
            chain.append(self.items[parent])
            parent = self.items[parent].parent
        return chain[::-1]

    def get(self, code: str) -> CatalogueItem | None:
        return self.items.get(code)


def parse(data: Mapping[str, Any]) -> Catalogue:
    """Build and validate a catalogue: unique codes, parents one level up, the declared counts,
    and a non-empty vocabulary on every level-4 item."""
    items: dict[str, CatalogueItem] = {}
    for raw in data["items"]:
        item = CatalogueItem(
            code=raw["code"],
            level=int(raw["level"]),
            parent=raw["parent"],
            name=raw["name"],
            provenance=raw["provenance"],
            technical_standards=tuple(raw.get("technical_standards", ())),
            terms=tuple(raw.get("terms", ())),
        )
        if item.code in items:
            raise CatalogueError(f"duplicate code {item.code}")
        if item.level not in LEVELS:
            raise CatalogueError(f"{item.code}: level {item.level} is not 1-4")
        items[item.code] = item
    for item in items.values():
        if item.level == 1:
            if item.parent is not None:
                raise CatalogueError(f"{item.code}: a level-1 item has no parent")
        else:
            parent = items.get(item.parent or "")
            if parent is None or parent.level != item.level - 1:
                raise CatalogueError(f"{item.code}: parent {item.parent} is not one level up")
            if not item.code.startswith(f"{parent.code}."):
                raise CatalogueError(f"{item.code}: code does not extend its parent's")
        if item.level == 4 and not item.terms:
            raise CatalogueError(f"{item.code}: a level-4 item needs its vocabulary")
        if item.level != 4 and item.terms:
            raise CatalogueError(f"{item.code}: only level-4 items carry a vocabulary")
    for level, count in data["counts"].items():
        found = sum(1 for i in items.values() if i.level == int(level))
        if found != count:
            raise CatalogueError(f"level {level}: {found} items, the file declares {count}")
    return Catalogue(
        version=data["version"], title=data["title"], document_no=data["document_no"], items=items
    )


def load_json(name: str) -> dict[str, Any]:
    text = (
        resources.files("greenrong.domain.identification").joinpath("data", name).read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def catalogue() -> Catalogue:
    """The packaged catalogue (validated once per process)."""
    return parse(load_json("green_bond_catalogue_2021.json"))
