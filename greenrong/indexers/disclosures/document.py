"""Environmental disclosures: mapping and document. Metrics stay in the database."""

from __future__ import annotations

from typing import Any

from greenrong.domain.disclosure.models import Disclosure
from greenrong.indexers.kit.fields import (
    COMPLETION,
    DATE,
    INTEGER,
    KEYWORD,
    ref,
    text,
    timestamp,
)
from greenrong.indexers.kit.spec import IndexSpec


def _document(row: Disclosure) -> dict[str, Any]:
    return {
        "kind": row.kind.value,
        "year": row.year,
        "title": row.title,
        "body": row.body,
        "status": row.status.value,
        "subject_enterprise_id": ref(row.subject_enterprise_id),
        "subject_institution_id": ref(row.subject_institution_id),
        "created_at": timestamp(row.created_at),
        "title_suggest": {"input": [row.title]},
    }


DISCLOSURES = IndexSpec(
    name="disclosures",
    model=Disclosure,
    properties={
        "kind": KEYWORD,
        "year": INTEGER,
        "title": text(),
        "body": text(),
        "status": KEYWORD,
        "subject_enterprise_id": KEYWORD,
        "subject_institution_id": KEYWORD,
        "created_at": DATE,
        "title_suggest": COMPLETION,
    },
    build=_document,
)
