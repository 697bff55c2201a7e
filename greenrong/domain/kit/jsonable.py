"""JSON for domain values: the one conversion used by outbox payloads, list cursors and keys."""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` with enums as their values, Decimal and UUID as strings, times as ISO 8601,
    dataclasses as dicts, recursively; anything else unchanged (json.dumps decides)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def pack_cursor(payload: Any) -> str:
    """An opaque cursor: compact JSON of ``payload``, base64url without padding."""
    raw = json.dumps(jsonable(payload), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def unpack_cursor(cursor: str) -> Any:
    """The payload of a ``pack_cursor`` cursor; ValueError when it is not one."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError) as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise ValueError("not a cursor") from exc
