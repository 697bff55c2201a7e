"""The one bounded in-process cache: a mapping of at most ``maxsize`` entries that forgets the
least recently used first. Every per-process cache uses it (verified tokens, rate-limit buckets,
persisted queries, validated documents, operation costs, prepared operations, compiled plans and
statements); pure functions keep ``functools.lru_cache``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: K) -> V | None:
        """The value, now the most recently used; None when absent."""
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def peek(self, key: K) -> V | None:
        """The value without using it (its place in line stays); None when absent."""
        return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep the value as the most recently used, forgetting the least recent beyond
        ``maxsize``."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def pop(self, key: K) -> V | None:
        """Forget the key; its value, or None when absent."""
        return self._items.pop(key, None)
