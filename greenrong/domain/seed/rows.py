"""Row dictionaries for bulk inserts, and the columns every entity row carries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any

Row = dict[str, Any]


def entity_columns(
    entity_id: uuid.UUID, created_at: datetime, updated_at: datetime | None = None
) -> Row:
    """id, timestamps and version, set explicitly (bulk inserts skip the ORM defaults)."""
    return {
        "id": entity_id,
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "version": 1,
    }


def yuan(fen: int) -> Decimal:
    """An exact CNY amount from whole fen: 123456 -> Decimal("1234.56")."""
    return Decimal(fen).scaleb(-2)


def wan(amount_wan: int) -> Decimal:
    """An exact CNY amount from 万元: 12 -> Decimal("120000.00")."""
    return Decimal(amount_wan * 1_000_000).scaleb(-2)


def chunked(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
