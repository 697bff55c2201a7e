"""Seeded randomness: one ``random.Random`` per stream, never the global generator.

Each entity generator draws from its own stream (``stream(seed, "enterprises")``), so adding a
column to one entity does not shift the values of every entity generated after it.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def stream(seed: int, name: str) -> random.Random:
    # a str seed is hashed with SHA-512: stable across runs and PYTHONHASHSEED values
    return random.Random(f"greenrong-demo/{seed}/{name}")


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class Weighted(Generic[T]):
    """A fast weighted choice over fixed values (cumulative weights computed once)."""

    __slots__ = ("_cumulative", "_total", "_values")

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        if not pairs or any(w < 0 for _, w in pairs) or sum(w for _, w in pairs) <= 0:
            raise ValueError("a weighted choice needs values with non-negative, non-zero weights")
        self._values = [v for v, _ in pairs]
        self._cumulative = list(accumulate(w for _, w in pairs))
        self._total = self._cumulative[-1]

    def __call__(self, rng: random.Random) -> T:
        return self._values[bisect_right(self._cumulative, rng.random() * self._total)]


def dealt(rng: random.Random, counts: Sequence[tuple[T, int]]) -> list[T]:
    """Each value repeated its count, in random order (exact counts, random placement)."""
    cards = [value for value, count in counts for _ in range(count)]
    rng.shuffle(cards)
    return cards
