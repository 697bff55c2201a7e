"""Every weight of the demand ↔ product ranking, in one place.

The OpenSearch query (``indexers/matching/finance.py``), the reasons shown to clients and the
reverse view's Python ranking (``matching/finance.py``) all read ``FINANCE_WEIGHTS``; nothing
else holds a ranking number. Change a weight here, bump ``version``, and run
``bench/relevance/run`` before and after.

A product's score is the sum of:

- ``domain_term`` for each term of the demand's text that is in the domain synonym file and
  matches the product's name or description (any synonym counts, the term as typed
  ``synonym_ratio`` times less: 光伏 finds 太阳能发电 a little lower than 光伏);
- ``text`` times the BM25 score of the demand's text against the product's name and description
  as CJK bigrams (the engine's relevance; it grows with shared vocabulary), once the text shares
  at least ``text_min_shared`` bigrams with one of them;
- ``category``: the product is reserved for a list of green categories that contains the
  enterprise's (a specialised product, rather than one open to everyone);
- ``rate``: a Gaussian decay of the product's lowest rate from ``rate_origin``: 1 at or below
  it, 1/2 at ``rate_origin + rate_scale``;
- ``amount_fit``: a Gaussian decay of the distance, in powers of ten, between the demand's
  amount and the geometric middle of the product's range (1/2 at ``amount_scale``): a ¥500万
  demand suits a ¥100万–¥3,000万 product better than a ¥500万–¥3亿 one;
- ``local_prefecture`` / ``local_county``: the institution sits in the enterprise's
  prefecture / county;
- ``local_product``: the product is offered only in named regions (not province-wide) and the
  enterprise's region is one of them;
- ``green_level``: the product asks for a green level (it rewards certified firms) and the
  enterprise holds a valid one;
- ``purpose_fit`` / ``purpose_open``, when the demand's text names catalogue items
  (``purpose.named``): the product names one of them too (``purpose.made_for``: made for the
  purpose, or a product that lists it) / the product names no item at all (open to any
  purpose). A product that names only *other* items gets neither, which puts it below the
  generic products.
  The two are equal: naming the purpose is rewarded by the domain terms already, and an equal
  weight leaves the order of the products open to the purpose as it was. They are large, since
  a product for another technology is no help whatever its rate or place.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class FinanceWeights:
    version: str
    domain_term: float
    synonym_ratio: float
    text: float
    #: bigrams the text must share with one field before it counts (one shared 项目 is noise)
    text_min_shared: int
    category: float
    rate: float
    rate_origin: Decimal
    rate_scale: Decimal
    amount_fit: float
    amount_scale: float
    local_prefecture: float
    local_county: float
    local_product: float
    green_level: float
    purpose_fit: float
    purpose_open: float

    def __post_init__(self) -> None:
        numbers = [v for k, v in vars(self).items() if k != "version"]
        if any(Decimal(str(n)) < 0 for n in numbers):
            raise ValueError("matching weights must not be negative")
        if not 0 < self.synonym_ratio <= 1 or self.rate_scale <= 0 or self.amount_scale <= 0:
            raise ValueError("synonym_ratio must be in (0, 1]; scales must be positive")


FINANCE_WEIGHTS = FinanceWeights(
    version="2026-12-07.1",
    domain_term=3.0,
    synonym_ratio=0.8,
    text=0.5,
    text_min_shared=2,
    category=1.5,
    rate=1.5,
    rate_origin=Decimal("0.0300"),
    rate_scale=Decimal("0.0150"),
    amount_fit=1.0,
    amount_scale=0.5,
    local_prefecture=1.0,
    local_county=0.5,
    local_product=0.5,
    green_level=1.0,
    purpose_fit=8.0,
    purpose_open=8.0,
)
