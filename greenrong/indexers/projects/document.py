"""Green projects: mapping and document."""

from __future__ import annotations

from typing import Any

from greenrong.domain.projects.models import Project
from greenrong.indexers.kit.fields import (
    COMPLETION,
    DATE,
    KEYWORD,
    LONG,
    fen,
    ref,
    region_path,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import IndexSpec


def _document(row: Project) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "green_category": row.green_category.value,
        "climate_type": row.climate_type.value,
        "status": row.status.value,
        "libraries": list(row.libraries),
        "total_investment_fen": fen(row.total_investment),
        "region_code": row.region_code,
        "region_path": region_path(row.region_code),
        "enterprise_id": ref(row.enterprise_id),
        "created_at": timestamp(row.created_at),
        "title_suggest": {"input": [row.title]},
    }


PROJECTS = IndexSpec(
    name="projects",
    model=Project,
    properties={
        "title": text(),
        "description": text(),
        "green_category": KEYWORD,
        "climate_type": KEYWORD,
        "status": KEYWORD,
        "libraries": KEYWORD,
        "total_investment_fen": LONG,
        "region_code": KEYWORD,
        "region_path": KEYWORD,
        "enterprise_id": KEYWORD,
        "created_at": DATE,
        "title_suggest": COMPLETION,
    },
    build=_document,
)
