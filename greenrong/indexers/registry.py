"""Every search index, by entity type."""

from __future__ import annotations

from typing import Any

from greenrong.indexers.kit.spec import IndexSpec
from greenrong.indexers.listings.document import LISTINGS

INDEXES: dict[str, IndexSpec[Any]] = {spec.entity_type: spec for spec in (LISTINGS,)}
