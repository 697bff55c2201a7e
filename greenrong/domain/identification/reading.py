"""How the engine reads an application-style description: what kind of project it is, which
terms name its subject, and when a narrower catalogue item applies.

The words come from ``data/reading_cues.json`` (versioned; our own assumption, marked so in the
file), validated when loaded. Three readings:

- ``mode``: whether the text makes equipment or products (``MAKING``), builds, retrofits or runs
  a facility (``FACILITY``), or does not say (``UNSAID``): the making cues are weighed against the
  facility cues, so a cement plant that "installs a generator set on its production line" is a
  facility, and a plant with "an annual output of 300,000 motors" is making;
- ``emphasis``: the factor for a term by where it stands: in the opening statement of the project
  (its subject) it counts more; only in a clause opened by 配套 … (a side component) it counts less;
- ``specific_rules``: items the catalogue names as narrower cases of others (钢铁企业超低排放改造
  within 工业脱硫脱硝除尘改造) with the words that make them apply. On an application-style text
  those words count only where they qualify the subject (``condition_scope``): in the opening
  statement, outside its side components and outside a clause that names where an input comes
  from (利用周边钢铁企业排放的钢渣: the slag plant is not a steel works);
- ``capped``: the weight cap of a long term that names a piece of equipment (汽轮发电机组), so
  the equipment does not outweigh the process it serves (余热锅炉).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

from greenrong.domain.identification.catalogue import (
    Catalogue,
    CatalogueError,
    catalogue,
    load_json,
)


class Mode(StrEnum):
    MAKING = "MAKING"
    FACILITY = "FACILITY"
    UNSAID = "UNSAID"


@dataclass(frozen=True)
class SpecificRule:
    #: the narrower item
    code: str
    #: the broader items it goes before when its conditions are named
    over: tuple[str, ...]
    #: every group must have one of its words in the text
    when: tuple[tuple[str, ...], ...]
    #: where the words count in an application-style text: ``opening`` (the opening
    #: statement's own clauses, ``condition_scope``) or ``text`` (anywhere)
    scope: str = "opening"

    def applies(self, text: str) -> bool:
        return all(any(word in text for word in group) for group in self.when)


@dataclass(frozen=True)
class ReadingWeights:
    #: a term in the opening statement of the project (its subject), in the query
    head_term: float
    #: a term only in side components (配套 …), in the query
    incidental_term: float
    #: a narrower item whose conditions are named goes this much above the broader one
    specific_lift: float
    #: the full-text fallback's weight on an application-style text, against a short one's
    application_fallback: float
    #: the weight of a full-text match of the opening statement alone, against the fallback's
    head_fallback: float
    #: the most a term naming a piece of equipment weighs (that of a four-character term)
    equipment_term: float


@dataclass(frozen=True)
class ReadingCues:
    version: str
    making_strong: tuple[str, ...]
    making_weak: tuple[str, ...]
    making_patterns: tuple[re.Pattern[str], ...]
    making_ignore: tuple[str, ...]
    facility: tuple[str, ...]
    service: tuple[str, ...]
    #: the length from which a text is read as an application (opening, side components)
    min_text: int
    head_ends: tuple[str, ...]
    head_verbs: tuple[str, ...]
    head_names: tuple[str, ...]
    incidental_markers: tuple[str, ...]
    #: words that contain a marker but open no side component (配套企业: suppliers)
    incidental_exceptions: tuple[str, ...]
    clause_ends: tuple[str, ...]
    #: words that make a clause name the origin of an input (排放的, 来自 …), not the subject
    source_markers: tuple[str, ...]
    specific: tuple[SpecificRule, ...]
    #: the endings of words that name a piece of equipment (机组, 设备 …)
    equipment_ends: tuple[str, ...]
    #: words of any project's size, output or schedule: in no single item's vocabulary
    generic: tuple[str, ...]
    weights: ReadingWeights


#: a strong making cue counts twice a weak one or a facility cue
STRONG = 2


def parse(data: dict[str, Any], items: Catalogue) -> ReadingCues:
    """Build and validate the cues: non-empty lists, patterns that compile, and specificity
    rules between distinct level-4 items of the catalogue."""

    def words(section: str, key: str) -> tuple[str, ...]:
        found = tuple(data.get(section, {}).get(key) or ())
        if not found or not all(isinstance(w, str) and w for w in found):
            raise CatalogueError(f"reading cues: {section}.{key} needs non-empty words")
        return found

    try:
        patterns = tuple(re.compile(p) for p in data["making"]["patterns"])
    except re.error as error:
        raise CatalogueError(f"reading cues: a making pattern does not compile: {error}") from None
    rules: list[SpecificRule] = []
    for raw in data["specific"]:
        rule = SpecificRule(
            code=raw["code"],
            over=tuple(raw["over"]),
            when=tuple(tuple(group) for group in raw["when"]),
            scope=raw.get("scope", "opening"),
        )
        if rule.scope not in ("opening", "text"):
            raise CatalogueError(f"reading cues: {rule.code}'s scope must be opening or text")
        for code in (rule.code, *rule.over):
            item = items.get(code)
            if item is None or item.level != 4:
                raise CatalogueError(f"reading cues: {code} is not a level-4 item")
        if rule.code in rule.over or not rule.over:
            raise CatalogueError(f"reading cues: {rule.code} must go before other items")
        if not rule.when or not all(rule.when):
            raise CatalogueError(f"reading cues: {rule.code} needs its conditions")
        if not raw.get("source"):
            raise CatalogueError(f"reading cues: {rule.code} needs its source")
        rules.append(rule)
    generic = set(words("generic", "words"))
    for item in items.leaves():
        held = sorted(generic & set(item.terms))
        if held:
            raise CatalogueError(
                f"reading cues: {item.code}'s vocabulary holds generic words: {', '.join(held)}"
            )
    return ReadingCues(
        version=data["version"],
        making_strong=words("making", "strong"),
        making_weak=words("making", "weak"),
        making_patterns=patterns,
        making_ignore=tuple(data["making"].get("ignore", ())),
        facility=words("facility", "words"),
        service=words("service", "words"),
        min_text=int(data["emphasis"]["min_text"]),
        head_ends=words("emphasis", "head_ends"),
        head_verbs=words("emphasis", "head_verbs"),
        head_names=words("emphasis", "head_names"),
        incidental_markers=words("emphasis", "incidental_markers"),
        incidental_exceptions=tuple(data["emphasis"].get("incidental_exceptions", ())),
        clause_ends=words("emphasis", "clause_ends"),
        source_markers=words("emphasis", "source_markers"),
        specific=tuple(rules),
        equipment_ends=words("equipment", "ends"),
        generic=words("generic", "words"),
        weights=_weights(data["weights"]),
    )


def _weights(raw: dict[str, Any]) -> ReadingWeights:
    names = [f.name for f in fields(ReadingWeights)]
    missing = [n for n in names if not isinstance(raw.get(n), int | float) or raw[n] < 0]
    if missing:
        raise CatalogueError(f"reading cues: weights {', '.join(missing)} must be numbers >= 0")
    return ReadingWeights(**{n: float(raw[n]) for n in names})


@cache
def reading_cues() -> ReadingCues:
    """The packaged cues (validated once per process)."""
    return parse(load_json("reading_cues.json"), catalogue())


def making_balance(text: str, cues: ReadingCues | None = None) -> tuple[int, int]:
    """(making evidence, facility evidence) of the text: strong making cues and patterns count
    ``STRONG``, weak ones and facility cues 1, each word once."""
    cues = cues or reading_cues()
    for phrase in cues.making_ignore:  # the borrower's trade, not what the project makes
        text = text.replace(phrase, " ")
    making = sum(STRONG for w in cues.making_strong if w in text)
    making += sum(STRONG for p in cues.making_patterns if p.search(text))
    making += sum(1 for w in cues.making_weak if w in text)
    facility = sum(1 for w in cues.facility if w in text)
    return making, facility


def mode(text: str, cues: ReadingCues | None = None) -> Mode:
    """``MAKING`` when the making evidence outweighs the facility evidence, ``FACILITY`` when
    the facility evidence does or there is no making evidence, ``UNSAID`` on a tie."""
    making, facility = making_balance(text, cues)
    if making > facility:
        return Mode.MAKING
    if making == facility and making > 0:
        return Mode.UNSAID
    return Mode.FACILITY


def head(text: str, cues: ReadingCues | None = None) -> str:
    """The opening statement of the project: up to the first sentence end or colon, cut after
    the first 项目 or 工程 in it (the project's name), and from its first verb (after the
    borrower's name) when it has one."""
    cues = cues or reading_cues()
    end = min((i for i in (text.find(e) for e in cues.head_ends) if i >= 0), default=len(text))
    opening = text[:end]
    cuts = [i + len(n) for n in cues.head_names if (i := opening.find(n)) >= 0]
    opening = opening[: min(cuts, default=len(opening))]
    verbs = [i for v in cues.head_verbs if (i := opening.find(v)) >= 0]
    return opening[min(verbs, default=0) :]


def incidental_spans(text: str, cues: ReadingCues | None = None) -> list[tuple[int, int]]:
    """The spans of the text in clauses opened by an incidental marker (配套 …): from the
    marker to the end of its clause, in order of the markers' positions. Linear in the text:
    the clause ends are found once."""
    cues = cues or reading_cues()
    ends = [m.start() for m in _alternation(cues.clause_ends).finditer(text)]
    spans: list[tuple[int, int]] = []
    for m in _alternation(cues.incidental_markers).finditer(text):
        if any(text.startswith(word, m.start()) for word in cues.incidental_exceptions):
            continue
        i = bisect.bisect_left(ends, m.start())
        spans.append((m.start(), ends[i] if i < len(ends) else len(text)))
    return spans


@cache
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@lru_cache(maxsize=32)
def _layout(text: str, cues: ReadingCues) -> tuple[str, bytes]:
    """The opening statement, and a mask of the characters in side components (1 inside)."""
    mask = bytearray(len(text))
    for a, b in incidental_spans(text, cues):
        mask[a:b] = b"\x01" * (b - a)
    return head(text, cues), bytes(mask)


def emphasis(
    text: str,
    term: str,
    *,
    head_factor: float,
    incidental_factor: float,
    cues: ReadingCues | None = None,
) -> float:
    """``head_factor`` when the term is in the opening statement, ``incidental_factor`` when
    every occurrence is in an incidental clause, else 1 (and 1 for a term not in the text, or
    any term of a text shorter than an application's). The reading of one text is computed
    once for all its terms."""
    cues = cues or reading_cues()
    if len(text) < cues.min_text or not term:
        return 1.0
    opening, mask = _layout(text, cues)
    starts = [m.start() for m in re.finditer(re.escape(term), text)]
    if starts and all(mask[s] for s in starts):
        # a side component stays one in the opening statement (部分服务区配套屋顶光伏)
        return incidental_factor
    if term in opening:
        return head_factor
    return 1.0


def condition_scope(text: str, cues: ReadingCues | None = None) -> str:
    """Where a narrower item's conditions count: the whole of a short description; in an
    application-style text, the clauses of its opening statement (up to the first sentence end)
    that are neither in a side component nor name where an input comes from (a clause with a
    source marker), joined by a separator no word contains."""
    cues = cues or reading_cues()
    if len(text) < cues.min_text:
        return text
    end = min((i for i in (text.find(e) for e in cues.head_ends) if i >= 0), default=len(text))
    _, mask = _layout(text, cues)
    ends = [m.start() for m in _alternation(cues.clause_ends).finditer(text[:end])] + [end]
    kept: list[str] = []
    start = 0
    for stop in ends:
        clause = "".join(c for i, c in enumerate(text[start:stop], start) if not mask[i])
        if clause and not any(marker in clause for marker in cues.source_markers):
            kept.append(clause)
        start = stop + 1
    return " | ".join(kept)


def rule_applies(rule: SpecificRule, text: str, cues: ReadingCues | None = None) -> bool:
    """Whether the text names the narrower item's conditions where they count
    (``condition_scope``, or anywhere for a rule whose scope is the whole text)."""
    return rule.applies(text if rule.scope == "text" else condition_scope(text, cues))


def equipment_cap(term: str, cues: ReadingCues | None = None) -> float | None:
    """The cap of a term's weight when it names a piece of equipment (it ends with one of the
    equipment endings), else None."""
    cues = cues or reading_cues()
    if any(term.endswith(end) for end in cues.equipment_ends):
        return cues.weights.equipment_term
    return None
