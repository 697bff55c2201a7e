"""What clients may search, filter, count and sort enterprises by."""

from __future__ import annotations

from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.indexers.kit import labels
from greenrong.indexers.kit.query import (
    NEWEST,
    REGION_FACET,
    REGION_FILTER,
    RELEVANCE,
    QuerySpec,
    Range,
    Sort,
    Terms,
    TermsFacet,
    TextField,
)

ENTERPRISE_QUERIES = QuerySpec(
    index="enterprises",
    text_fields=(TextField("name", boost=3, fragments=0), TextField("description")),
    filters={
        "green_category": Terms("green_category"),
        "green_level": Terms("green_level"),
        "min_green_level": Range("green_level_rank"),
        "region": REGION_FILTER,
        "size": Terms("size"),
        "industry_section": Terms("industry_section"),
    },
    facets={
        "green_category": TermsFacet("green_category", "绿色产业类别", labels.of(GreenCategory)),
        "green_level": TermsFacet("green_level", "绿色等级", labels.of(GreenLevel)),
        "region": REGION_FACET,
        "size": TermsFacet("size", "企业规模", labels.of(EnterpriseSize)),
        "industry_section": TermsFacet("industry_section", "行业门类", labels.industry_section),
    },
    sorts={
        RELEVANCE: Sort(({"_score": "desc"}, {"name.keyword": "asc"})),
        NEWEST: Sort(({"created_at": "desc"},)),
        "name": Sort(({"name.keyword": "asc"},)),
        "green_level_desc": Sort(({"green_level_rank": "desc"}, {"name.keyword": "asc"})),
    },
    suggest_field="name_suggest",
)
