"""Enterprises: mapping and document. Contact details are not indexed.

``green_level_rank`` is ``GreenLevel.rank`` (NONE 0 … EXCELLENT_GREEN 3) for "at least" filters
and sorting by level; ``green_level_valid_until`` is the level's validity date.
"""

from __future__ import annotations

from typing import Any

from greenrong.domain.enterprises.models import Enterprise
from greenrong.indexers.kit.fields import (
    COMPLETION,
    DATE,
    INTEGER,
    KEYWORD,
    day,
    region_path,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import IndexSpec


def _document(row: Enterprise) -> dict[str, Any]:
    return {
        "name": row.name,
        "credit_code": row.credit_code,
        "description": row.description,
        "region_code": row.region_code,
        "region_path": region_path(row.region_code),
        "industry_section": row.industry_section,
        "industry_division": row.industry_division,
        "size": row.size.value,
        "green_category": row.green_category.value,
        "green_level": row.green_level.value,
        "green_level_rank": row.green_level.rank,
        "green_level_valid_until": day(row.green_level_valid_until),
        "created_at": timestamp(row.created_at),
        "name_suggest": {"input": [row.name]},
    }


ENTERPRISES = IndexSpec(
    name="enterprises",
    model=Enterprise,
    properties={
        "name": text(),
        "credit_code": KEYWORD,
        "description": text(),
        "region_code": KEYWORD,
        "region_path": KEYWORD,
        "industry_section": KEYWORD,
        "industry_division": KEYWORD,
        "size": KEYWORD,
        "green_category": KEYWORD,
        "green_level": KEYWORD,
        "green_level_rank": INTEGER,
        "green_level_valid_until": DATE,
        "created_at": DATE,
        "name_suggest": COMPLETION,
    },
    build=_document,
)
