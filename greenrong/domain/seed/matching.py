"""Which product plausibly financed a demand: eligible by region, category, level and amount."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from greenrong.domain.finance.models import ProductKind
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.seed.reference import PROVINCE, prefecture_of

#: products that put money in an enterprise's hands (insurance does not finance a demand)
FINANCING_KINDS = frozenset(
    {
        ProductKind.LOAN,
        ProductKind.PLEDGE_FINANCING,
        ProductKind.BOND,
        ProductKind.LEASE,
        ProductKind.FUND,
    }
)
_AMOUNT_TRIES = 8


@dataclass(frozen=True, slots=True)
class ProductTerms:
    id: uuid.UUID
    kind: ProductKind
    #: PROVINCE or prefecture codes
    regions: tuple[str, ...]
    #: empty means every category
    categories: frozenset[GreenCategory]
    min_level_rank: int
    min_amount: Decimal
    max_amount: Decimal
    min_term_months: int
    max_term_months: int
    min_rate: Decimal
    collateral: tuple[str, ...]

    def serves(self, prefecture: str, category: GreenCategory, level_rank: int) -> bool:
        return (
            (PROVINCE in self.regions or prefecture in self.regions)
            and (not self.categories or category in self.categories)
            and level_rank >= self.min_level_rank
        )


class ProductCatalogue:
    """Eligible financing products per (prefecture, category, level), computed once per key."""

    def __init__(self, products: Sequence[ProductTerms]) -> None:
        financing = [p for p in products if p.kind in FINANCING_KINDS]
        self._financing = financing or list(products)
        self._eligible: dict[tuple[str, GreenCategory, int], list[ProductTerms]] = {}

    def pick(
        self,
        rng: random.Random,
        *,
        region_code: str,
        category: GreenCategory,
        level_rank: int,
        amount: Decimal,
    ) -> ProductTerms | None:
        """A product that serves the enterprise, preferring one whose amount range fits."""
        key = (prefecture_of(region_code), category, level_rank)
        candidates = self._eligible.get(key)
        if candidates is None:
            candidates = [p for p in self._financing if p.serves(*key)]
            self._eligible[key] = candidates
        if not candidates:
            return None
        for _ in range(_AMOUNT_TRIES):
            product = rng.choice(candidates)
            if product.min_amount <= amount <= product.max_amount:
                return product
        return product

    def any(self, rng: random.Random) -> ProductTerms | None:
        return rng.choice(self._financing) if self._financing else None
