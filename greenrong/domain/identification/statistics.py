"""Which statistics a level-4 item counts toward: the mapping file and its resolution.

``data/statistics_mapping.json`` copies the lists it maps onto from the shared reference (the
12 green-credit categories of 2013, the environmental-benefit indicators with 7 confirmed and 4
placeholders, the PBoC tool's three areas and refinancing share, T/CSTE 0061-2021's climate
types and support scope) and adds ``rules``: code prefixes with the values they set. The rules
are our own assumption (no official crosswalk was found); a more specific prefix overrides the
fields it names. Every level-4 item must resolve every field, which ``parse`` checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from greenrong.domain.identification.catalogue import Catalogue, catalogue, load_json
from greenrong.domain.projects.models import ClimateType

#: what every rule chain must set for each level-4 item
REQUIRED_FIELDS = (
    "green_loan_category",
    "benefit_indicators",
    "pboc_area",
    "climate_type",
    "climate_scope",
)
CENT = Decimal("0.01")


#: the projects' own T/CSTE 0061-2021 type: one enum for both
ClimateInvestmentType = ClimateType


class MappingError(ValueError):
    """The statistics mapping file is inconsistent with itself or the catalogue."""


@dataclass(frozen=True)
class Named:
    key: str
    name: str


@dataclass(frozen=True)
class BenefitIndicator:
    key: str
    name: str
    unit: str
    #: False for the four placeholders of the 11-indicator list (not found in a source)
    confirmed: bool


@dataclass(frozen=True)
class ItemStatistics:
    """What one level-4 item counts toward (all by our mapping rules)."""

    code: str
    #: 绿色信贷统计制度 (2013) project category: number and name
    green_loan_category: Named
    #: the strategic emerging industry loan line for manufacturing items, if any
    emerging_industry: str | None
    #: PBoC green loan special statistics: the item's level-1 category
    pboc_green_loan_category: str
    #: environmental-benefit indicators (绿色融资统计制度) the item reports
    benefit_indicators: tuple[BenefitIndicator, ...]
    #: the PBoC carbon-reduction tool area (CE, EE, CT), None when not eligible
    pboc_area: Named | None
    climate_type: ClimateInvestmentType
    climate_scope: tuple[Named, ...]
    #: the mapping rule prefixes that produced these values, most general first
    rules: tuple[str, ...]


@dataclass(frozen=True)
class StatisticsMapping:
    version: str
    refinance_share: Decimal
    items: Mapping[str, ItemStatistics]

    def of(self, code: str) -> ItemStatistics:
        return self.items[code]

    def refinanceable(self, code: str, amount: Decimal | None) -> Decimal | None:
        """The part of a loan of ``amount`` the PBoC tool refinances (60 % of the principal),
        None when the item is not eligible or no amount was given."""
        if amount is None or self.items[code].pboc_area is None:
            return None
        return (amount * self.refinance_share).quantize(CENT)


def _applies(prefix: str, code: str) -> bool:
    return code == prefix or code.startswith(f"{prefix}.")


def parse(data: Mapping[str, Any], catalogue: Catalogue) -> StatisticsMapping:
    loans = {
        int(c["no"]): Named(str(c["no"]), c["name_zh"])
        for c in data["green_loan_categories"]["categories"]
    }
    emerging = set(data["green_loan_categories"]["emerging_industries"])
    indicators = {
        i["key"]: BenefitIndicator(i["key"], i["name"], i["unit"], bool(i["confirmed"]))
        for i in data["benefit_indicators"]
    }
    areas = {a["code"]: Named(a["code"], a["name"]) for a in data["pboc_tool"]["areas"]}
    scopes = {s["code"]: Named(s["code"], s["name_zh"]) for s in data["climate"]["scopes"]}
    rules = sorted(data["rules"], key=lambda r: r["prefix"].count("."))
    for rule in rules:
        if not any(_applies(rule["prefix"], i.code) for i in catalogue.leaves()):
            raise MappingError(f"rule {rule['prefix']} matches no level-4 item")
    items: dict[str, ItemStatistics] = {}
    for leaf in catalogue.leaves():
        values: dict[str, Any] = {"emerging_industry": None}
        used: list[str] = []
        for rule in rules:
            if _applies(rule["prefix"], leaf.code):
                values.update({k: v for k, v in rule.items() if k not in ("prefix", "provenance")})
                used.append(rule["prefix"])
        missing = [f for f in REQUIRED_FIELDS if f not in values]
        if missing:
            raise MappingError(f"{leaf.code}: no rule sets {', '.join(missing)}")
        try:
            loan = loans[int(values["green_loan_category"])]
            benefits = tuple(indicators[k] for k in values["benefit_indicators"])
            area = None if values["pboc_area"] is None else areas[values["pboc_area"]]
            scope = tuple(scopes[s] for s in values["climate_scope"])
            climate = ClimateInvestmentType(values["climate_type"])
        except (KeyError, ValueError) as error:
            raise MappingError(f"{leaf.code}: unknown value {error}") from error
        if values["emerging_industry"] is not None and values["emerging_industry"] not in emerging:
            raise MappingError(f"{leaf.code}: unknown emerging industry")
        if (climate is ClimateInvestmentType.NONE) != (not scope):
            raise MappingError(f"{leaf.code}: a climate type needs a support scope, NONE none")
        top = catalogue.path(leaf.code)[0]
        items[leaf.code] = ItemStatistics(
            code=leaf.code,
            green_loan_category=loan,
            emerging_industry=values["emerging_industry"],
            pboc_green_loan_category=top.name,
            benefit_indicators=benefits,
            pboc_area=area,
            climate_type=climate,
            climate_scope=scope,
            rules=tuple(used),
        )
    return StatisticsMapping(
        version=data["version"],
        refinance_share=Decimal(data["pboc_tool"]["refinance_share_of_principal"]),
        items=items,
    )


@cache
def statistics_mapping() -> StatisticsMapping:
    """The packaged mapping, resolved for every level-4 item (validated once per process)."""
    return parse(load_json("statistics_mapping.json"), catalogue())
