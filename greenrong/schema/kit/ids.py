"""Global ids: base64("Type:uuid"), opaque to clients."""

from __future__ import annotations

import base64
import binascii
import uuid

from greenrong.core.errors import ErrorCode, ValidationFailed


def to_global_id(type_name: str, id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{id}".encode()).decode()


#: what a global id is, for the messages that refuse something else
FORMAT = 'a greenrong id is base64 of "Type:uuid", as every object\'s `id` field shows it'


def _bare_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def from_global_id(
    global_id: str, *, field: str = "id", type_name: str | None = None
) -> tuple[str, uuid.UUID]:
    try:
        name, _, raw = base64.b64decode(global_id, validate=True).decode().partition(":")
        return name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        bare = _bare_uuid(global_id)
        if bare is None:
            message = f"{global_id!r} is not a greenrong id: {FORMAT}"
        elif type_name is None:
            message = (
                f"{global_id!r} is a bare UUID (as the CLI and exports print): {FORMAT}, "
                f"for example {to_global_id('Enterprise', bare)!r} for an Enterprise"
            )
        else:
            message = (
                f"{global_id!r} is a bare UUID (as the CLI and exports print): {FORMAT}; "
                f"this {type_name}'s is {to_global_id(type_name, bare)!r}"
            )
        raise ValidationFailed.one(field, ErrorCode.INVALID_FORMAT, message) from exc


def expect_global_id(global_id: str, type_name: str, *, field: str = "id") -> uuid.UUID:
    actual, id = from_global_id(global_id, field=field, type_name=type_name)
    if actual != type_name:
        raise ValidationFailed.one(
            field, ErrorCode.INVALID, f"expected the id of a {type_name}, got the id of a {actual}"
        )
    return id


def parse_either(text: str, type_name: str) -> uuid.UUID:
    """An id as the CLI takes it: a bare UUID (as the CLI prints) or a global id of
    ``type_name`` (as GraphQL shows)."""
    bare = _bare_uuid(text)
    return bare if bare is not None else expect_global_id(text, type_name)
