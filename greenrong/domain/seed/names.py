"""Chinese names for people and companies, from the demo vocabulary."""

from __future__ import annotations

import random
from collections.abc import Sequence

from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.randomness import Weighted

_MAX_TRIES = 1000


class PersonNames:
    """Surname (weighted by frequency) plus a one- or two-character given name."""

    def __init__(self) -> None:
        words = vocabulary.people()
        self._surname = Weighted([(s, w) for s, w in words["surnames"]])
        self._given = words["given_name_chars"]

    def __call__(self, rng: random.Random) -> str:
        given = rng.choice(self._given)
        if rng.random() < 0.7:
            given += rng.choice(self._given)
        return self._surname(rng) + given


class CompanyNames:
    """Unique company names: place + 字号 + 行业词 + 有限公司, e.g. 成都蓉泰环保科技有限公司."""

    def __init__(self) -> None:
        words = vocabulary.people()
        self._trade_chars = words["trade_name_chars"]
        self._suffix = Weighted([(s, w) for s, w in words["company_suffixes"]])
        self._province_percent = words["province_prefix_percent"]
        self._taken: set[str] = set()

    def trade_name(self, rng: random.Random) -> str:
        first, second = rng.sample(self._trade_chars, 2)
        return first + second

    def __call__(self, rng: random.Random, place: str, industry_words: Sequence[str]) -> str:
        """A name not handed out before by this instance. ``place`` is e.g. 成都 or 绵阳."""
        for _ in range(_MAX_TRIES):
            prefix = "四川" if rng.randrange(100) < self._province_percent else place
            name = prefix + self.trade_name(rng) + rng.choice(industry_words) + self._suffix(rng)
            if name not in self._taken:
                self._taken.add(name)
                return name
        raise RuntimeError(f"ran out of unique company names for {place}")

    def reserve(self, name: str) -> bool:
        """Claim ``name``; False when it was already taken."""
        if name in self._taken:
            return False
        self._taken.add(name)
        return True
