"""The demo vocabulary in data/*.json, typed.

Those files hold invented demo vocabulary (names, words, templates and mixes); each says so in its
``note``. Region and industry codes come from the reference context (see ``geography.py``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, TypedDict, cast

#: [value, weight] pairs
Mix = list[tuple[str, int]]


def _load(name: str) -> Any:
    return json.loads(files("greenrong.domain.seed").joinpath("data", name).read_text("utf-8"))


class Prefecture(TypedDict):
    code: str
    short: str
    area_code: str
    weight: int


class Geography(TypedDict):
    county_share_percent: int
    prefectures: list[Prefecture]
    rivers: list[str]


class People(TypedDict):
    surnames: Mix
    given_name_chars: str
    trade_name_chars: str
    company_suffixes: Mix
    province_prefix_percent: int


class IndustryChoice(TypedDict):
    division: str
    weight: int
    words: list[str]


class EnterpriseVocabulary(TypedDict):
    sizes: Mix
    categories: dict[str, list[IndustryChoice]]


class InstitutionEntry(TypedDict):
    name: str
    kind: str
    region: str
    scope: str


class ProductTemplate(TypedDict):
    name: str
    kind: str
    institution_kinds: list[str]
    weight: int
    collateral: list[str]
    amount_wan: list[int]
    term_months: list[int]
    rate: list[str]
    categories: list[str]
    min_level: str
    description: str


class FinanceVocabulary(TypedDict):
    institutions: list[InstitutionEntry]
    branch_parents: dict[str, list[str]]
    branch_suffixes: dict[str, str]
    generated_suffixes: dict[str, str]
    products: list[ProductTemplate]


class ExpertField(TypedDict):
    field: str
    industry: str
    weight: int
    specialties: list[str]


class ExpertVocabulary(TypedDict):
    other_titles: list[str]
    title_labels: dict[str, str]
    fields: list[ExpertField]
    affiliations: dict[str, list[tuple[str, str]]]


class TechnologyDomainWords(TypedDict):
    cores: list[str]
    scenarios: list[str]
    effects: list[str]


class TechnologyVocabulary(TypedDict):
    domains_per_1000: Mix
    maturity_weights: list[tuple[int, int]]
    trade_modes: Mix
    listing_statuses: Mix
    qualifiers: list[str]
    suffixes: list[str]
    domains: dict[str, TechnologyDomainWords]


class ProjectTemplate(TypedDict):
    title: str
    n: list[int]
    investment_wan: list[int]
    climate: str


class ProjectVocabulary(TypedDict):
    statuses: Mix
    templates: dict[str, list[ProjectTemplate]]


class DisclosureText(TypedDict):
    title: str
    body: str


class Texts(TypedDict):
    project_purposes: list[str]
    general_purposes: list[str]
    demand_statuses: Mix
    collateral_by_category: dict[str, Mix]
    disclosures: dict[str, DisclosureText]
    csr_report_names: list[str]
    evaluation_grades: Mix
    disclosure_statuses: Mix
    need_titles: list[str]
    need_bodies: list[str]


@cache
def geography() -> Geography:
    return cast(Geography, _load("geography.json"))


@cache
def people() -> People:
    return cast(People, _load("people.json"))


@cache
def enterprise_vocabulary() -> EnterpriseVocabulary:
    return cast(EnterpriseVocabulary, _load("enterprises.json"))


@cache
def finance() -> FinanceVocabulary:
    return cast(FinanceVocabulary, _load("finance.json"))


@cache
def experts() -> ExpertVocabulary:
    return cast(ExpertVocabulary, _load("experts.json"))


@cache
def technology() -> TechnologyVocabulary:
    return cast(TechnologyVocabulary, _load("technology.json"))


@cache
def projects() -> ProjectVocabulary:
    return cast(ProjectVocabulary, _load("projects.json"))


@cache
def texts() -> Texts:
    return cast(Texts, _load("texts.json"))
