"""Per-caller cost budgets: one token bucket per key.

A bucket holds at most ``capacity`` points and refills continuously at ``capacity`` per
``period`` seconds (the budget per minute). An operation takes its whole cost at once or
nothing. When the bucket is short, ``take`` says how long until it holds enough again.

Two homes for the buckets, with the same arithmetic (``Budgets``):

- ``LocalBudgets`` (embedded mode, no ``GREENRONG_BROKER_URL``): ``TokenBuckets`` in process
  memory, a bounded LRU where the least recently seen key is forgotten first (a forgotten key
  starts again with a full bucket). Each process has its own.
- ``RedisBudgets`` (a broker is configured): one Redis hash per key, read and written by one
  Lua script, so every API process of the deployment takes from the same bucket atomically.
  The script reads Redis's own clock, so hosts whose clocks differ still agree. A key unused
  for a period expires (its bucket would be full again anyway). When Redis does not answer,
  the request is let through and the failure logged: budgets protect capacity, and an outage
  of Redis should not also stop the API.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from greenrong.core.lru import LRU

log = logging.getLogger(__name__)


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
        self._buckets: LRU[str, tuple[float, float]] = LRU(max_keys)

    def _level(self, key: str) -> tuple[float, float]:
        now = self._clock()
        points, since = self._buckets.peek(key) or (float(self.capacity), now)
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
        self._buckets.put(key, (points, now))
        retry_after = 0 if allowed else max(1, math.ceil((cost - points) / self.rate))
        return Take(allowed=allowed, remaining=math.floor(points), retry_after=retry_after)

    def give_back(self, key: str, cost: int) -> None:
        """Return ``cost`` points taken from the key's bucket (never above its capacity)."""
        points, now = self._level(key)
        self._buckets.put(key, (min(float(self.capacity), points + cost), now))


class Budgets(Protocol):
    """What ``CostPolicy`` charges (``schema/kit/cost.py``)."""

    capacity: int

    async def take(self, key: str, cost: int) -> Take: ...

    async def remaining(self, key: str) -> int: ...

    async def give_back(self, key: str, cost: int) -> None: ...


class LocalBudgets:
    """``TokenBuckets`` of this process, behind the ``Budgets`` interface."""

    def __init__(self, buckets: TokenBuckets) -> None:
        self.buckets = buckets
        self.capacity = buckets.capacity

    async def take(self, key: str, cost: int) -> Take:
        return self.buckets.take(key, cost)

    async def remaining(self, key: str) -> int:
        return self.buckets.remaining(key)

    async def give_back(self, key: str, cost: int) -> None:
        self.buckets.give_back(key, cost)


#: KEYS[1]: the bucket; ARGV: capacity, rate (points per second), cost (negative: give back),
#: time to live (ms). Returns {1 if taken else 0, points left as a string}: Lua numbers become
#: integers in a reply, and the fraction matters for the next refill.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'points', 'at')
local points = tonumber(state[1])
local at = tonumber(state[2])
if points == nil or at == nil then
  points = capacity
  at = now
end
points = math.min(capacity, points + math.max(0, now - at) * rate)
local taken = 0
if cost <= points then
  points = math.min(capacity, points - cost)
  taken = 1
end
redis.call('HSET', KEYS[1], 'points', tostring(points), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {taken, tostring(points)}
"""


class RedisBudgets:
    """The buckets of the whole deployment, in Redis (see the module doc)."""

    PREFIX = "greenrong:budget:"

    def __init__(self, client: Any, *, capacity: int, period: float = 60.0) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if period <= 0:
            raise ValueError("period must be positive")
        self.capacity = capacity
        self.rate = capacity / period
        #: a bucket unused this long is full again: its key can go
        self._ttl_ms = math.ceil(period * 1000) + 1000
        self._script = client.register_script(_TAKE)

    async def _run(self, key: str, cost: int) -> tuple[bool, float] | None:
        try:
            taken, points = await self._script(
                keys=[self.PREFIX + key], args=[self.capacity, self.rate, cost, self._ttl_ms]
            )
        except Exception:
            log.warning(
                "Redis did not answer for the budget of %s; not charged", key, exc_info=True
            )
            return None
        return bool(taken), float(points)

    async def take(self, key: str, cost: int) -> Take:
        answer = await self._run(key, cost)
        if answer is None:
            return Take(allowed=True, remaining=self.capacity, retry_after=0)
        allowed, points = answer
        retry_after = 0 if allowed else max(1, math.ceil((cost - points) / self.rate))
        return Take(allowed=allowed, remaining=math.floor(points), retry_after=retry_after)

    async def remaining(self, key: str) -> int:
        answer = await self._run(key, 0)
        return self.capacity if answer is None else math.floor(answer[1])

    async def give_back(self, key: str, cost: int) -> None:
        await self._run(key, -cost)
