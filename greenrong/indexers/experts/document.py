"""Experts: mapping and document. Contact details are not indexed."""

from __future__ import annotations

from typing import Any

from greenrong.domain.experts.models import Expert
from greenrong.indexers.kit.fields import (
    COMPLETION,
    DATE,
    KEYWORD,
    region_path,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import IndexSpec


def _document(row: Expert) -> dict[str, Any]:
    return {
        "name": row.name,
        "field": row.field,
        "title": row.title.value,
        "affiliation": row.affiliation,
        "specialties": list(row.specialties),
        "bio": row.bio,
        "region_code": row.region_code,
        "region_path": region_path(row.region_code),
        "created_at": timestamp(row.created_at),
        "name_suggest": {"input": [row.name]},
    }


EXPERTS = IndexSpec(
    name="experts",
    model=Expert,
    properties={
        "name": text(),
        "field": text(),
        "title": KEYWORD,
        "affiliation": text(),
        # full text per specialty, and specialties.keyword for exact filters and facets
        "specialties": text(),
        "bio": text(),
        "region_code": KEYWORD,
        "region_path": KEYWORD,
        "created_at": DATE,
        "name_suggest": COMPLETION,
    },
    build=_document,
)
