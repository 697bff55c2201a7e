"""Per-caller cost budgets: one token bucket per key, in process memory.

A bucket holds at most ``capacity`` points and refills continuously at ``capacity`` per
``period`` seconds (the budget per minute). An operation takes its whole cost at once or
nothing. When the bucket is short, ``take`` says how long until it holds enough again.

Buckets live in a bounded LRU: the least recently seen key is forgotten first, and a forgotten
key starts again with a full bucket. Budgets are per process; with several API processes a
caller may spend one budget in each (docs/SECURITY.md).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Take:
    """The outcome of one ``take``: whether the cost was taken, and the state afterwards."""

    allowed: bool
    #: whole points left in the bucket after this take (rounded down)
    remaining: int
    #: seconds until the bucket holds the cost again; 0 when allowed
    retry_after: int


class TokenBuckets:
    def __init__(
        self,
        *,
        capacity: int,
        period: float = 60.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if period <= 0:
            raise ValueError("period must be positive")
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.capacity = capacity
        self.rate = capacity / period  # points per second
        self.max_keys = max_keys
        self._clock = clock
        #: key -> (points, when they were counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, key: str) -> tuple[float, float]:
        now = self._clock()
        points, since = self._buckets.get(key, (float(self.capacity), now))
        return min(float(self.capacity), points + (now - since) * self.rate), now

    def remaining(self, key: str) -> int:
        """Whole points the key could spend now, without taking any."""
        return math.floor(self._level(key)[0])

    def take(self, key: str, cost: int) -> Take:
        """Take ``cost`` points from the key's bucket, or nothing if it holds fewer."""
        points, now = self._level(key)
        allowed = cost <= points
        if allowed:
            points -= cost
        self._buckets[key] = (points, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        retry_after = 0 if allowed else max(1, math.ceil((cost - points) / self.rate))
        return Take(allowed=allowed, remaining=math.floor(points), retry_after=retry_after)

    def give_back(self, key: str, cost: int) -> None:
        """Return ``cost`` points taken from the key's bucket (never above its capacity)."""
        points, now = self._level(key)
        self._buckets[key] = (min(float(self.capacity), points + cost), now)
        self._buckets.move_to_end(key)
