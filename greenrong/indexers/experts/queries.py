"""What clients may search, filter, count and sort experts by."""

from __future__ import annotations

from greenrong.domain.experts.models import ExpertTitle
from greenrong.indexers.kit import labels
from greenrong.indexers.kit.query import (
    NEWEST,
    REGION_FACET,
    REGION_FILTER,
    RELEVANCE,
    QuerySpec,
    Sort,
    Terms,
    TermsFacet,
    TextField,
)

EXPERT_QUERIES = QuerySpec(
    index="experts",
    text_fields=(
        TextField("name", boost=3, fragments=0),
        TextField("field", boost=2, fragments=0),
        TextField("specialties", boost=2, fragments=0),
        TextField("affiliation", fragments=0),
        TextField("bio"),
    ),
    filters={
        "title": Terms("title"),
        "region": REGION_FILTER,
        "specialty": Terms("specialties.keyword"),
    },
    facets={
        "title": TermsFacet("title", "职称", labels.of(ExpertTitle)),
        "region": REGION_FACET,
        "specialty": TermsFacet("specialties.keyword", "专长", labels.itself, size=30),
    },
    sorts={
        RELEVANCE: Sort(({"_score": "desc"}, {"created_at": "desc"})),
        NEWEST: Sort(({"created_at": "desc"},)),
        "name": Sort(({"name.keyword": "asc"},)),
    },
    suggest_field="name_suggest",
)
