"""Technology needs: mapping and document."""

from __future__ import annotations

from typing import Any

from greenrong.domain.technology.models import TechnologyNeed
from greenrong.indexers.kit.fields import (
    COMPLETION,
    DATE,
    INTEGER,
    KEYWORD,
    LONG,
    day,
    fen,
    ref,
    region_path,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import IndexSpec


def _document(row: TechnologyNeed) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "domain": row.domain.value,
        "budget_fen": fen(row.budget),
        "min_maturity": row.min_maturity,
        "region_code": row.region_code,
        "region_path": region_path(row.region_code),
        "deadline": day(row.deadline),
        "status": row.status.value,
        "enterprise_id": ref(row.enterprise_id),
        "created_at": timestamp(row.created_at),
        "title_suggest": {"input": [row.title]},
    }


NEEDS = IndexSpec(
    name="needs",
    model=TechnologyNeed,
    properties={
        "title": text(),
        "description": text(),
        "domain": KEYWORD,
        "budget_fen": LONG,
        "min_maturity": INTEGER,
        "region_code": KEYWORD,
        "region_path": KEYWORD,
        "deadline": DATE,
        "status": KEYWORD,
        "enterprise_id": KEYWORD,
        "created_at": DATE,
        "title_suggest": COMPLETION,
    },
    build=_document,
)
