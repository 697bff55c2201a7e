"""The demo seed's rows are pinned: a digest of every generated row at a small scale.

Making the seed faster (batched computation, caches) must not change what it seeds. If a change
is meant to change the data, update the digests and say so in the commit."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from greenrong.domain.seed.dataset import DemoDataset
from greenrong.domain.seed.plan import SeedPlan


def _digest(scale: float, seed: int, as_of: date | None = None) -> tuple[str, dict[str, int]]:
    dataset = (
        DemoDataset(SeedPlan.at_scale(scale), seed)
        if as_of is None
        else DemoDataset(SeedPlan.at_scale(scale), seed, as_of=as_of)
    )
    # per model, in its insertion order (models may interleave: certifications and their
    # reviews and history go in together)
    digests: defaultdict[str, Any] = defaultdict(hashlib.sha256)
    counts: Counter[str] = Counter()
    for batch in dataset.batches(500):
        name = batch.model.__name__
        counts[name] += len(batch.rows)
        for row in batch.rows:
            digests[name].update(repr(sorted(row.items())).encode())
    whole = hashlib.sha256()
    for name in sorted(digests):
        whole.update(f"{name}:{digests[name].hexdigest()}".encode())
    return whole.hexdigest(), dict(counts)


def test_the_rows_at_scale_one_fifth_are_the_pinned_ones() -> None:
    # when
    digest, counts = _digest(0.2, 7)

    # then
    assert counts == PINNED_COUNTS
    assert digest == PINNED_DIGEST


def test_the_rows_with_a_later_history_are_the_pinned_ones() -> None:
    # when: renewals and expiries up to a later day
    digest, counts = _digest(0.2, 11, date(2026, 11, 30))

    # then
    assert counts == PINNED_LATER_COUNTS
    assert digest == PINNED_LATER_DIGEST


PINNED_COUNTS = {
    "Enterprise": 584,
    "FinancialInstitution": 14,
    "FinancialProduct": 26,
    "Expert": 31,
    "TechnologyListing": 200,
    "TechnologyNeed": 60,
    "Project": 963,
    "FinancingDemand": 1593,
    "FinancingMatch": 382,
    "LibraryMembership": 216,
    "Disclosure": 1200,
    "Certification": 70,
    "CertificationReview": 140,
    "CertificationEvent": 564,
}
PINNED_DIGEST = "9d8b8b55faac0139f2fb05ecb64f51cddae07d7f0bea9c6f38bfed98e9ac4d11"
PINNED_LATER_COUNTS = PINNED_COUNTS | {
    "Project": 983,
    "FinancingDemand": 1633,
    "LibraryMembership": 287,
    "Certification": 141,
    "CertificationReview": 282,
    "CertificationEvent": 1210,
}
PINNED_LATER_DIGEST = "300923838b04570b5e0ad0c8bb8bca98318684bf08b2be9c3a0ff362c9b868eb"
