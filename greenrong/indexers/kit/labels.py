"""Chinese labels of facet values: enum values, region codes, industry sections.

Enum labels come from ``domain/reference/labels.py``, the same table the GraphQL enum
descriptions use. Region and industry names come from the reference data files.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from greenrong.domain.reference.catalog import industry_sections, regions
from greenrong.domain.reference.labels import labels_of


def of(enum: type[StrEnum]) -> Callable[[str], str]:
    """A value's Chinese label (``domain/reference/labels.py``), or the value when it has none."""
    labels = labels_of(enum)
    return lambda value: labels.get(value, value)


def region(code: str) -> str:
    found = regions().get(code)
    return code if found is None else found.name


def prefectures() -> tuple[str, ...]:
    """The codes of Sichuan's 21 prefecture-level divisions (the region facet's buckets)."""
    return tuple(sorted(r.code for r in regions().values() if r.level == "prefecture"))


def industry_section(code: str) -> str:
    found = industry_sections().get(code)
    return code if found is None else found.name


def itself(value: str) -> str:
    return value


def year(value: str) -> str:
    return f"{value}年"
