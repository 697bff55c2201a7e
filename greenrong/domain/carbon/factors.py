"""Versioned factor sets: every factor with its value, unit, source, provenance and confidence.

A factor set is one JSON file in ``data/`` named ``factors_<version>.json``. Files are never
edited once published: a corrected value is a new version, so a stored calculation can always be
re-run against the factor set it used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

from greenrong.domain.carbon.errors import FactorNotFound, UnknownFactorSet
from greenrong.domain.carbon.units import check_unit

Confidence = Literal["high", "medium", "low", "measured"]
CONFIDENCES: tuple[Confidence, ...] = ("high", "medium", "low", "measured")
DEFAULT_VERSION = "CN-2025.1"


@dataclass(frozen=True)
class Factor:
    key: str
    name_zh: str
    value: Decimal
    unit: str
    source: str
    provenance: str
    confidence: Confidence
    version: str
    #: added by us (not in the shared reference) and not read in a source
    our_assumption: bool = False
    #: a value the caller supplied (measured, or their activity parameter), replacing a default
    measured: bool = False
    #: the default this value replaced, if any
    replaces: Decimal | None = None


@dataclass(frozen=True)
class FactorSet:
    version: str
    published: str
    factors: dict[str, Factor]

    def get(self, key: str) -> Factor:
        try:
            return self.factors[key]
        except KeyError:
            raise FactorNotFound(key, self.version) from None


def available_versions() -> list[str]:
    names = [p.name for p in resources.files("greenrong.domain.carbon").joinpath("data").iterdir()]
    return sorted(n[len("factors_") : -len(".json")] for n in names if n.startswith("factors_"))


@cache
def load_factor_set(version: str = DEFAULT_VERSION) -> FactorSet:
    if version not in available_versions():
        raise UnknownFactorSet(version, available_versions())
    path = resources.files("greenrong.domain.carbon").joinpath(f"data/factors_{version}.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    factors: dict[str, Factor] = {}
    for row in raw["factors"]:
        confidence = row["confidence"]
        if confidence not in CONFIDENCES[:3]:
            raise ValueError(f"factor {row['key']}: confidence {confidence!r}")
        check_unit(row["unit"], what=f"factor {row['key']}")
        factors[row["key"]] = Factor(
            key=row["key"],
            name_zh=row["name_zh"],
            value=Decimal(row["value"]),
            unit=row["unit"],
            source=row["source"],
            provenance=row["provenance"],
            confidence=confidence,
            version=raw["version"],
            our_assumption=bool(row.get("our_assumption", False)),
        )
    if raw["version"] != version:
        raise ValueError(f"factors_{version}.json says version {raw['version']}")
    return FactorSet(version=version, published=raw["published"], factors=factors)
