"""Index settings and field shapes shared by every index."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from greenrong.domain.reference.catalog import region_chain

#: CJK text is indexed as overlapping bigrams (污水处理 → 污水 水处 处理), Latin as words.
ANALYSIS: dict[str, Any] = {
    "analysis": {
        "analyzer": {
            "cjk_text": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram"],
            }
        }
    }
}


def text() -> dict[str, Any]:
    """Full text with CJK bigrams, plus an exact ``keyword`` sub-field for sorting and facets."""
    return {
        "type": "text",
        "analyzer": "cjk_text",
        "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
    }


KEYWORD: dict[str, Any] = {"type": "keyword"}
INTEGER: dict[str, Any] = {"type": "integer"}
LONG: dict[str, Any] = {"type": "long"}
DOUBLE: dict[str, Any] = {"type": "double"}
DATE: dict[str, Any] = {"type": "date"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
COMPLETION: dict[str, Any] = {"type": "completion"}


def fen(amount: Decimal | None) -> int | None:
    """Money as whole fen, so range filters and sorts are exact."""
    return None if amount is None else int(amount * 100)


def basis_points(rate: Decimal | None) -> int | None:
    """A rate (a fraction with 4 decimals, 0.0345 = 3.45 %) as whole basis points (345), exact."""
    return None if rate is None else int(rate * 10_000)


def region_path(code: str) -> list[str]:
    """The region and every enclosing region, so a filter on 510100 finds its counties."""
    return [r.code for r in region_chain(code)] or [code]


def timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def ref(id: uuid.UUID | None) -> str | None:
    """A related row's id as a keyword value."""
    return None if id is None else str(id)
