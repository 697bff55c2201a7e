"""The domain synonym file and the segmentation of a query into terms with their alternatives.

Synonyms are expanded at search time by the query builder, never by an analyzer: a query term
becomes every term of its set, as alternatives. This behaves the same on every engine and
needs no reindex when the file changes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources

from greenrong.core.lru import LRU

#: a Latin word (letters, digits and the joiners of codes like CO2 or PM2.5), or a run of CJK
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[A-Za-z0-9]")
#: texts whose segments each ``Synonyms`` keeps (callers' input: bounded)
SEGMENTED_TEXTS = 4096


class SegmentKind(StrEnum):
    SYNONYM = "synonym"  # a term of the synonym file: match any of its alternatives
    CJK = "cjk"  # a run of Chinese characters: matched through its bigrams
    LATIN = "latin"  # a Latin word: matched with typo tolerance


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    #: the term as typed first, then its synonyms (one element unless ``kind`` is SYNONYM)
    alternatives: tuple[str, ...]

    @property
    def term(self) -> str:
        return self.alternatives[0]


@dataclass(frozen=True)
class Synonyms:
    """Synonym sets, looked up case-insensitively for Latin terms, exactly for Chinese ones."""

    sets: tuple[tuple[str, ...], ...]

    # Both are built once per instance: a tuple does not keep its hash, so a cache keyed on
    # ``sets`` would hash the whole file again at every lookup (several per character of a text).
    @cached_property
    def _index(self) -> dict[str, tuple[str, ...]]:
        return {term.lower(): group for group in self.sets for term in group}

    @cached_property
    def _starts(self) -> dict[str, tuple[int, ...]]:
        """The first two characters of each Chinese term -> the lengths of the terms that
        begin with them, longest first: one lookup per character finds where a term may start."""
        starts: dict[str, set[int]] = {}
        for term in self._index:
            if len(term) > 1 and not _LATIN.match(term):
                starts.setdefault(term[:2], set()).add(len(term))
        return {start: tuple(sorted(lengths, reverse=True)) for start, lengths in starts.items()}

    def alternatives(self, term: str) -> tuple[str, ...]:
        """``term`` first, then the other terms of its set (just ``term`` when it has none)."""
        found = self._index.get(term.lower())
        if found is None:
            return (term,)
        return (term, *(t for t in found if t.lower() != term.lower()))

    @cached_property
    def _segmented(self) -> LRU[str, tuple[Segment, ...]]:
        return LRU(SEGMENTED_TEXTS)

    def segments(self, text: str) -> list[Segment]:
        """The query as terms: synonym terms (longest first), other Chinese runs, Latin words.
        A text seen lately is not segmented again (a demand's text at each of its matchings)."""
        kept = self._segmented.get(text)
        if kept is None:
            kept = tuple(self._segment(text))
            self._segmented.put(text, kept)
        return list(kept)

    def _segment(self, text: str) -> list[Segment]:
        normalized = unicodedata.normalize("NFKC", text)
        segments: list[Segment] = []
        for token in _TOKEN.findall(normalized):
            if _LATIN.match(token):
                kind = SegmentKind.SYNONYM if token.lower() in self._index else SegmentKind.LATIN
                segments.append(Segment(kind, self.alternatives(token)))
            else:
                segments += self._split_cjk(token)
        return segments

    def _split_cjk(self, run: str) -> list[Segment]:
        starts, index = self._starts, self._index
        segments: list[Segment] = []
        pending, i = "", 0
        while i < len(run):
            match = next(
                (
                    run[i : i + n]
                    for n in starts.get(run[i : i + 2], ())
                    if i + n <= len(run) and run[i : i + n] in index
                ),
                None,
            )
            if match is None:
                pending += run[i]
                i += 1
                continue
            if pending:
                segments.append(Segment(SegmentKind.CJK, (pending,)))
                pending = ""
            segments.append(Segment(SegmentKind.SYNONYM, self.alternatives(match)))
            i += len(match)
        if pending:
            segments.append(Segment(SegmentKind.CJK, (pending,)))
        return segments


@cache
def domain_synonyms() -> Synonyms:
    """The versioned synonym file ``indexers/data/synonyms.json`` (our own vocabulary)."""
    text = (
        resources.files("greenrong.indexers").joinpath("data", "synonyms.json").read_text("utf-8")
    )
    data = json.loads(text)
    return Synonyms(tuple(tuple(group) for group in data["sets"]))
