"""Indices of reference data: built from a packaged data file, not from a table.

A reference index has no rows to stream and no change events: its documents come from the
data file, and their external version is a hash of the documents themselves, so a new data
file (a new vocabulary, say) gives every document a new version. At start-up ``ensure_ready``
checks each reference index and rebuilds it behind its alias when it is missing, has other
ids than the data file, or holds documents of another version. ``greenrong reindex`` rebuilds
it and ``greenrong index verify`` reports the same check (``check``); ``--repair`` rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from opensearchpy.helpers import async_bulk

from greenrong.core.search import SearchEngine
from greenrong.domain.kit.types import utcnow
from greenrong.indexers.kit.fields import ANALYSIS, KEYWORD, LONG
from greenrong.indexers.kit.store import IndexingError, _alias_targets, _settle_alias

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReferenceIndexSpec:
    """One reference index: its logical name, strict mapping and the documents it holds."""

    name: str
    properties: Mapping[str, Any]
    #: every document, each with a unique ``id`` (the data file's own key, e.g. a code)
    documents: Callable[[], list[dict[str, Any]]]

    @cached_property
    def _documents(self) -> list[dict[str, Any]]:
        return self.documents()

    @cached_property
    def version(self) -> int:
        """The external version of every document: 62 bits of a hash of all of them (computed
        once: ``sources()`` stamps it on every document)."""
        digest = hashlib.blake2b(
            json.dumps(self._documents, ensure_ascii=False, sort_keys=True).encode(),
            digest_size=8,
        ).digest()
        return int.from_bytes(digest, "big") >> 2

    def sources(self) -> list[dict[str, Any]]:
        return [{**doc, "version": self.version} for doc in self._documents]

    def body(self) -> dict[str, Any]:
        return {
            "settings": ANALYSIS,
            "mappings": {
                "dynamic": "strict",
                "properties": {"id": KEYWORD, "version": LONG, **self.properties},
            },
        }


@dataclass
class ReferenceDrift:
    """What differs between a reference index and its data file."""

    index: str
    alias_exists: bool
    expected: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    #: documents of another version (an older data file)
    stale: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.alias_exists and not (self.missing or self.extra or self.stale)

    def summary(self) -> str:
        if not self.alias_exists:
            return f"{self.index:<12} data file {self.expected:>8,}  index MISSING (no alias)"
        return (
            f"{self.index:<12} data file {self.expected:>8,}  index {self.found:>9,}"
            f"  missing {len(self.missing):>6,}  extra {len(self.extra):>6,}"
            f"  stale {len(self.stale):>6,}"
        )

    def details(self, limit: int = 20) -> list[str]:
        lines = [f"  missing {id}" for id in self.missing[:limit]]
        lines += [f"  extra   {id}" for id in self.extra[:limit]]
        lines += [f"  stale   {id}" for id in self.stale[:limit]]
        return lines


async def build(engine: SearchEngine, spec: ReferenceIndexSpec) -> int:
    """Build a new physical index from the data file and swap the alias to it atomically;
    a failed build deletes the half-built index and the old one keeps serving."""
    alias = engine.alias(spec.name)
    physical = f"{alias}-{utcnow().strftime('%Y%m%d%H%M%S%f')}"
    await engine.client.indices.create(index=physical, body=spec.body())
    try:
        actions = [
            {
                "_op_type": "index",
                "_index": physical,
                "_id": doc["id"],
                "version": spec.version,
                "version_type": "external",
                "_source": doc,
            }
            for doc in spec.sources()
        ]
        written, errors = await async_bulk(
            engine.client, actions, raise_on_error=False, raise_on_exception=True
        )
        if errors:
            raise IndexingError(physical, list(errors))  # type: ignore[arg-type]
        await engine.client.indices.refresh(index=physical)
        old = await _alias_targets(engine, alias)
        swap: list[dict[str, Any]] = [{"add": {"index": physical, "alias": alias}}]
        swap += [{"remove": {"index": name, "alias": alias}} for name in old]
        await engine.client.indices.update_aliases(body={"actions": swap})
    except BaseException:
        await engine.client.indices.delete(index=physical, ignore_unavailable=True)
        raise
    for name in old:
        await engine.client.indices.delete(index=name, ignore_unavailable=True)
    await _settle_alias(engine, alias)
    log.info("built %s: %d documents in %s", alias, written, physical)
    return int(written)


async def check(engine: SearchEngine, spec: ReferenceIndexSpec) -> ReferenceDrift:
    """Compare the index with the data file: ids and versions (reference indices are small,
    so one page holds every document)."""
    alias = engine.alias(spec.name)
    drift = ReferenceDrift(
        index=spec.name, alias_exists=await engine.client.indices.exists_alias(name=alias)
    )
    expected = {doc["id"] for doc in spec.sources()}
    drift.expected = len(expected)
    if not drift.alias_exists:
        drift.missing = sorted(expected)
        return drift
    body = {
        "size": max(len(expected) * 2, 10),
        "query": {"match_all": {}},
        "_source": ["version"],
        "version": True,
        "track_total_hits": True,
    }
    answer = await engine.client.search(index=alias, body=body)
    found = {hit["_id"]: int(hit["_version"]) for hit in answer["hits"]["hits"]}
    drift.found = int(answer["hits"]["total"]["value"])
    drift.missing = sorted(expected - found.keys())
    drift.extra = sorted(found.keys() - expected)
    drift.stale = sorted(i for i, v in found.items() if i in expected and v != spec.version)
    return drift


async def ensure_ready(engine: SearchEngine, specs: Sequence[ReferenceIndexSpec]) -> list[str]:
    """At start-up: rebuild every reference index that does not match its data file. They are
    small and need no database, so this happens whatever ``search_rebuild_on_start`` says."""
    rebuilt: list[str] = []
    for spec in specs:
        if not (await check(engine, spec)).clean:
            await build(engine, spec)
            rebuilt.append(spec.name)
    return rebuilt
