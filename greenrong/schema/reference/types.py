"""Reference data as GraphQL types (no SQL: it comes from the package's data files)."""

from __future__ import annotations

import strawberry

from greenrong.domain.reference.catalog import (
    industry_division_names,
    industry_sections,
    region_chain,
    regions,
)


@strawberry.type(description="A Sichuan administrative division (GB/T 2260).")
class Region:
    code: str = strawberry.field(description="Six-digit GB/T 2260 code, e.g. 510100 (成都市).")
    name: str = strawberry.field(description="Chinese name.")
    level: str = strawberry.field(description="province, prefecture or county.")
    parent_code: str | None = strawberry.field(description="Code of the enclosing division.")

    @strawberry.field(description="The enclosing divisions, nearest first.")
    def ancestors(self) -> list[Region]:
        return [region_of(r.code) for r in region_chain(self.code)[1:]]  # type: ignore[misc]


def region_of(code: str) -> Region | None:
    found = regions().get(code)
    if found is None:
        return None
    return Region(code=found.code, name=found.name, level=found.level, parent_code=found.parent)


@strawberry.type(description="An industry (GB/T 4754-2017 section and division).")
class Industry:
    section: str = strawberry.field(description="Section letter, A–T.")
    section_name: str = strawberry.field(description="Section name.")
    division: str = strawberry.field(description="Two-digit division code.")
    division_name: str = strawberry.field(description="Division name.")


def industry_of(section: str, division: str) -> Industry:
    return Industry(
        section=section,
        section_name=industry_sections()[section].name if section in industry_sections() else "",
        division=division,
        division_name=industry_division_names().get(division, ""),
    )
