"""Global ids: base64("Type:uuid"), opaque to clients."""

from __future__ import annotations

import base64
import binascii
import uuid

from greenrong.core.errors import ErrorCode, ValidationFailed


def to_global_id(type_name: str, id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{id}".encode()).decode()


def from_global_id(global_id: str, *, field: str = "id") -> tuple[str, uuid.UUID]:
    try:
        type_name, _, raw = base64.b64decode(global_id, validate=True).decode().partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed.one(
            field, ErrorCode.INVALID_FORMAT, f"{global_id!r} is not a greenrong id"
        ) from exc


def expect_global_id(global_id: str, type_name: str, *, field: str = "id") -> uuid.UUID:
    actual, id = from_global_id(global_id, field=field)
    if actual != type_name:
        raise ValidationFailed.one(
            field, ErrorCode.INVALID, f"expected the id of a {type_name}, got the id of a {actual}"
        )
    return id
