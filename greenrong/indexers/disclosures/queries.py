"""What clients may search, filter, count and sort disclosures by."""

from __future__ import annotations

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureStatus
from greenrong.indexers.kit import labels
from greenrong.indexers.kit.query import (
    NEWEST,
    RELEVANCE,
    QuerySpec,
    Range,
    Sort,
    Terms,
    TermsFacet,
    TextField,
)

DISCLOSURE_QUERIES = QuerySpec(
    index="disclosures",
    text_fields=(TextField("title", boost=3, fragments=0), TextField("body")),
    filters={
        "kind": Terms("kind"),
        "year": Range("year"),
        "status": Terms("status"),
        "subject_enterprise_id": Terms("subject_enterprise_id"),
        "subject_institution_id": Terms("subject_institution_id"),
    },
    facets={
        "kind": TermsFacet("kind", "披露类型", labels.of(DisclosureKind)),
        "year": TermsFacet("year", "年度", labels.year),
        "status": TermsFacet("status", "状态", labels.of(DisclosureStatus)),
    },
    sorts={
        RELEVANCE: Sort(({"_score": "desc"}, {"year": "desc"})),
        NEWEST: Sort(({"created_at": "desc"},)),
        "year_desc": Sort(({"year": "desc"}, {"created_at": "desc"})),
    },
    suggest_field="title_suggest",
)
