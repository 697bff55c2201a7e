"""What every matcher shares: the reason a match carries, the names of its domain-term query
parts, and where a region lies. Money and rates in reasons and messages are written by
``domain/kit/formatting`` (``money``, ``percent``, ``points``).

Each matcher keeps its own reason codes (a ``StrEnum`` per matcher, documented in its GraphQL
field) and its own weights; the shapes here are the same for all of them:

- ``Reason``: one part of a match's score as the client reads it (``MatchReason``);
- ``term_name`` / ``matched_terms``: a domain term of the query text is a named query part,
  ``term:<term as typed>`` or, when each alternative (synonym) is named apart,
  ``term:<term as typed>|<alternative>``; the hit's ``matched_queries`` are read back here;
- ``prefecture`` / ``region_name``: the prefecture a region lies in, and a region's name as
  messages write it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from greenrong.domain.reference.catalog import region_chain, regions

__all__ = [
    "TERM_PREFIX",
    "Reason",
    "TermMatch",
    "matched_terms",
    "prefecture",
    "region_name",
    "term_name",
]


@dataclass(frozen=True)
class Reason:
    """Why a match ranks where it does: one part of its score."""

    #: the matcher's code (its own ``ReasonCode``)
    code: StrEnum
    #: the reason in Chinese, for the enterprise
    message: str
    #: how much this part adds to the score (0 for a rule that was met)
    weight: float


#: the name of a domain-term query part starts with this
TERM_PREFIX = "term:"
_ALTERNATIVE = "|"


@dataclass(frozen=True)
class TermMatch:
    """A domain term of the query text that matched, and the alternative that matched it."""

    #: the term as the text has it
    typed: str
    #: the term itself or one of its synonyms
    alternative: str

    @property
    def exact(self) -> bool:
        return self.typed == self.alternative


def term_name(typed: str, alternative: str | None = None) -> str:
    """The query part's name: ``term:<typed>``, or ``term:<typed>|<alternative>`` when each
    alternative is a part of its own."""
    return (
        f"{TERM_PREFIX}{typed}"
        if alternative is None
        else (f"{TERM_PREFIX}{typed}{_ALTERNATIVE}{alternative}")
    )


def matched_terms(names: Iterable[str]) -> list[TermMatch]:
    """The domain terms among matched query names, in name order (each name once)."""
    found: list[TermMatch] = []
    for name in sorted(set(names)):
        if name.startswith(TERM_PREFIX):
            typed, _, alternative = name.removeprefix(TERM_PREFIX).partition(_ALTERNATIVE)
            found.append(TermMatch(typed, alternative or typed))
    return found


def prefecture(code: str) -> str | None:
    """The prefecture a region lies in (itself for a prefecture); None for the province or an
    unknown code."""
    return _prefectures().get(code)


@cache
def _prefectures() -> dict[str, str]:
    """Each known region's prefecture, read once: ranking asks it for every pair it scores."""
    found = {}
    for code in regions():
        chain = region_chain(code)
        within = next((r.code for r in chain if r.level == "prefecture"), None)
        if within is not None:
            found[code] = within
    return found


def region_name(code: str) -> str:
    """A region's name as messages write it: a county with its prefecture (成都市武侯区), a
    prefecture or the province alone; an unknown code as it is."""
    region = regions().get(code)
    if region is None:
        return code
    parent = regions().get(region.parent) if region.parent else None
    if parent is not None and parent.level == "prefecture":
        return f"{parent.name}{region.name}"
    return region.name
