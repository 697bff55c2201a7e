"""The interface between ``bench/relevance/run`` and its evaluators, and their shared measures.

An evaluator is a module in this directory with

    async def evaluate(ctx: Context) -> Result

``runner.py`` calls ``finance.evaluate`` (financing demand → products) and, when the file
exists, ``technology.evaluate`` (technology needs → listings and buyers). Evaluators import
this module as ``kit`` (the runner's directory is on ``sys.path``):

    from kit import Case, Context, Result, ndcg_at

- ``Context``: the seeded demo database (``sessionmaker``), the search engine with every index
  built from it (``search``), and the day matches are judged on (``on``).
- ``Result``: the evaluator's name, its mean nDCG@10 over its cases, the number of ineligible
  results found in any top 10 (must be 0), and the per-case figures, which the runner prints
  (with the share of graded pairs in order, when the evaluator counts them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine

K = 10


@dataclass(frozen=True)
class Context:
    sessionmaker: SessionMaker
    search: SearchEngine
    #: the day eligibility is judged on (certifications expire by it)
    on: date


@dataclass(frozen=True)
class Case:
    """One judged query: its id, its nDCG@10, and the ineligible results in its top 10."""

    id: str
    ndcg_at_10: float
    ineligible_in_top10: int
    #: free text for the report, e.g. the top 3 names
    note: str = ""
    #: pairs of eligible results with different grades, and those ranked better-graded first
    pairs: int = 0
    pairs_in_order: int = 0


@dataclass(frozen=True)
class Result:
    name: str
    ndcg_at_10: float
    ineligible_in_top10: int
    cases: list[Case] = field(default_factory=list)

    @classmethod
    def of(cls, name: str, cases: list[Case]) -> Result:
        mean = sum(c.ndcg_at_10 for c in cases) / len(cases) if cases else 0.0
        return cls(name, mean, sum(c.ineligible_in_top10 for c in cases), cases)

    @property
    def pairs(self) -> int:
        return sum(c.pairs for c in self.cases)

    @property
    def pairs_in_order(self) -> int:
        return sum(c.pairs_in_order for c in self.cases)


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain with exponential gain: (2^g − 1) / log2(i + 1)."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: Sequence[int], judged_pool: Sequence[int], k: int = K) -> float:
    """nDCG@k of ``ranked`` grades against the best order of ``judged_pool`` (the grades of
    everything that could have been ranked). 1.0 when nothing relevant exists and none is
    ranked."""
    ideal = dcg(sorted(judged_pool, reverse=True)[:k])
    if ideal == 0:
        return 1.0
    return dcg(list(ranked)[:k]) / ideal


def pairs_in_order(ranked: Sequence[int], unranked: Sequence[int] = ()) -> tuple[int, int]:
    """Pairs of results with different grades, and how many of them are in order (the better
    graded one first). ``unranked`` results (eligible, not in the list) come after every ranked
    one, in no order among themselves."""
    order = [(i, g) for i, g in enumerate(ranked)] + [(len(ranked), g) for g in unranked]
    pairs = in_order = 0
    for a, (i, g) in enumerate(order):
        for j, h in order[a + 1 :]:
            if g == h or i == j:
                continue
            pairs += 1
            in_order += (g > h) == (i < j)
    return pairs, in_order


def grade_of(grades: Mapping[str, int], key: str) -> int:
    """An unjudged result counts 0."""
    return grades.get(key, 0)
