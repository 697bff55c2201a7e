"""Technology listings: mapping and document."""

from __future__ import annotations

from typing import Any

from greenrong.domain.technology.models import TechnologyListing
from greenrong.indexers.kit.fields import (
    COMPLETION,
    DATE,
    INTEGER,
    KEYWORD,
    LONG,
    fen,
    region_path,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import IndexSpec


def _document(row: TechnologyListing) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "domain": row.domain.value,
        "maturity": row.maturity,
        "trade_mode": row.trade_mode.value,
        "asking_price_fen": fen(row.asking_price),
        "region_code": row.region_code,
        "region_path": region_path(row.region_code),
        "status": row.status.value,
        "owner_enterprise_id": None
        if row.owner_enterprise_id is None
        else str(row.owner_enterprise_id),
        "owner_institution_id": None
        if row.owner_institution_id is None
        else str(row.owner_institution_id),
        "created_at": timestamp(row.created_at),
        "title_suggest": {"input": [row.title]},
    }


LISTINGS = IndexSpec(
    name="listings",
    model=TechnologyListing,
    properties={
        "title": text(),
        "description": text(),
        "domain": KEYWORD,
        "maturity": INTEGER,
        "trade_mode": KEYWORD,
        "asking_price_fen": LONG,
        "region_code": KEYWORD,
        "region_path": KEYWORD,
        "status": KEYWORD,
        "owner_enterprise_id": KEYWORD,
        "owner_institution_id": KEYWORD,
        "created_at": DATE,
        "title_suggest": COMPLETION,
    },
    build=_document,
)
