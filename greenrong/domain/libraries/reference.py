"""The libraries' reference data: T/CSTE 0061-2021 support-scope strands and the PBoC tool's areas.

Both are versioned files in ``data/`` copied from the shared reference, each value with its
source tag (read / recalled / INFERRED) and our own rules marked as assumptions in the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from greenrong.domain.libraries.models import PbocArea
from greenrong.domain.projects.models import ClimateType

CLIMATE_VERSION = "T-CSTE-0061-2021.1"
PBOC_VERSION = "PBOC-2021.1"


@dataclass(frozen=True)
class Strand:
    code: str
    #: "mitigation" or "adaptation"
    kind: str
    name_zh: str


def _load(name: str) -> dict[str, Any]:
    path = resources.files("greenrong.domain.libraries").joinpath("data", name)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def strands() -> dict[str, Strand]:
    """Support-scope strands by code (MIT-1…MIT-5, ADA-1, ADA-2)."""
    data = _load(f"climate_investment_{CLIMATE_VERSION}.json")
    return {s["code"]: Strand(s["code"], s["kind"], s["name_zh"]) for s in data["strands"]}


@cache
def pboc_sub_areas() -> dict[PbocArea, tuple[str, ...]]:
    """The sub-areas listed per area (recalled and incomplete; see the file)."""
    data = _load(f"pboc_carbon_reduction_{PBOC_VERSION}.json")
    return {PbocArea(a["value"]): tuple(a["sub_areas"]) for a in data["areas"]}


def strand_problem(climate_type: ClimateType, codes: list[str]) -> str | None:
    """Why ``codes`` do not fit ``climate_type`` (our rule, see the data file), or None."""
    known = strands()
    unknown = [c for c in codes if c not in known]
    if unknown:
        return f"unknown support-scope strands {unknown}; known: {sorted(known)}"
    kinds = {known[c].kind for c in codes}
    wanted = {
        ClimateType.MITIGATION: {"mitigation"},
        ClimateType.ADAPTATION: {"adaptation"},
        ClimateType.BOTH: {"mitigation", "adaptation"},
    }.get(climate_type)
    if wanted is None:
        return "a climate investment project is MITIGATION, ADAPTATION or BOTH"
    if kinds != wanted:
        need = " and ".join(sorted(wanted))
        return f"a {climate_type.value} project names {need} strands only (at least one each)"
    if len(set(codes)) != len(codes):
        return "a strand is named twice"
    return None
