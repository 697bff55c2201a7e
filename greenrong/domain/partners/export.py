"""Bulk export: every row of one entity type (or those changed after a feed cursor), streamed
in id order with constant memory, plus the feed cursor to follow changes from afterwards.

Consistency: the feed head is read *before* the rows. Every event at or before the head was
committed before the head was published, so its change is in the rows; a change in the rows
that is not yet at or before the head gets a later position. Following the feed from the
returned cursor therefore misses nothing (it may repeat a change already in the export:
compare ``version``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.kit.jsonable import jsonable
from greenrong.domain.kit.models import Entity
from greenrong.domain.outbox.service import entity_payload
from greenrong.domain.partners import feed, repository

FORMATS = ("ndjson", "csv")


@dataclass(frozen=True)
class Snapshot:
    """What an export covers: the rows to stream, how many, and where the feed resumes."""

    statement: Select[Any]
    total: int
    resume_cursor: str


async def plan(session: AsyncSession, model: type[Entity], *, since: str | None = None) -> Snapshot:
    """The export of ``model``: all rows, or with ``since`` (a feed cursor) only those changed
    after it. Read the feed head first (see the module's docstring)."""
    head = await feed.head(session)
    after = None if since is None else feed.decode_cursor(since, argument="since")
    statement = repository.export_statement(model, changed_after=after)
    total = await repository.count_rows(session, statement)
    return Snapshot(statement, total, feed.encode_cursor(head))


def columns(model: type[Entity]) -> list[str]:
    return [column.key for column in model.__mapper__.column_attrs]


async def rows(
    session: AsyncSession, snapshot: Snapshot, *, batch: int = 1000
) -> AsyncIterator[dict[str, Any]]:
    """The snapshot's rows as JSON-safe dicts, fetched ``batch`` at a time (server-side cursor
    on PostgreSQL), so memory stays flat whatever the table size."""
    async for row in repository.stream_rows(session, snapshot.statement, batch=batch):
        yield entity_payload(row)


def encode(fmt: str, record: dict[str, Any], fields: Sequence[str]) -> str:
    """One record as a line of ``fmt`` (with its newline)."""
    if fmt == "ndjson":
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_cell(record.get(name)) for name in fields])
    return buffer.getvalue()


def csv_header(fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(fields))
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))
    return str(value)
