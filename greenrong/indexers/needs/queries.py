"""What clients may search, filter, count and sort technology needs by."""

from __future__ import annotations

from greenrong.domain.technology.models import NeedStatus, TechnologyDomain
from greenrong.indexers.kit import bands, labels
from greenrong.indexers.kit.query import (
    NEWEST,
    REGION_FACET,
    REGION_FILTER,
    RELEVANCE,
    QuerySpec,
    Range,
    RangeFacet,
    Satisfied,
    Sort,
    Terms,
    TermsFacet,
    TextField,
)

NEED_QUERIES = QuerySpec(
    index="needs",
    text_fields=(TextField("title", boost=3, fragments=0), TextField("description")),
    filters={
        "domain": Terms("domain"),
        "region": REGION_FILTER,
        "budget": Range("budget_fen"),
        "deadline": Range("deadline"),
        "status": Terms("status"),
        "accepts_maturity": Satisfied("min_maturity"),
    },
    facets={
        "domain": TermsFacet("domain", "技术领域", labels.of(TechnologyDomain)),
        "region": REGION_FACET,
        "budget": RangeFacet("budget_fen", "预算", bands.MONEY),
        "status": TermsFacet("status", "状态", labels.of(NeedStatus)),
    },
    sorts={
        RELEVANCE: Sort(({"_score": "desc"}, {"created_at": "desc"})),
        NEWEST: Sort(({"created_at": "desc"},)),
        "budget_desc": Sort(({"budget_fen": {"order": "desc", "missing": "_last"}},)),
        "deadline_asc": Sort(({"deadline": {"order": "asc", "missing": "_last"}},)),
    },
    suggest_field="title_suggest",
)
