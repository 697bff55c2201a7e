"""What one index declares: its entity, mapping and document builder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from greenrong.domain.kit.models import Entity
from greenrong.indexers.kit.fields import ANALYSIS, KEYWORD, LONG

M = TypeVar("M", bound=Entity)

#: fields every document carries; ``version`` is the entity version used for external versioning
COMMON_PROPERTIES: dict[str, Any] = {"id": KEYWORD, "version": LONG}


@dataclass(frozen=True)
class IndexSpec(Generic[M]):
    """One search index. ``name`` is logical; the engine's alias adds the deployment prefix."""

    name: str
    model: type[M]
    properties: Mapping[str, Any]
    build: Callable[[M], dict[str, Any]]

    @property
    def entity_type(self) -> str:
        return self.model.entity_type

    def body(self) -> dict[str, Any]:
        """Settings and the strict mapping for a new physical index."""
        return {
            "settings": ANALYSIS,
            "mappings": {
                "dynamic": "strict",
                "properties": {**COMMON_PROPERTIES, **self.properties},
            },
        }

    def from_row(self, row: M) -> dict[str, Any]:
        return {"id": str(row.id), "version": row.version, **self.build(row)}
