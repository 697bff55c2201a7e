"""The demo seed's accepted kinds: plausible, deterministic, and consistent with its products."""

from __future__ import annotations

from collections import Counter

from greenrong.domain.finance.models import FinancialProduct, FinancingDemand, ProductKind
from greenrong.domain.seed.dataset import DemoDataset
from greenrong.domain.seed.plan import SeedPlan


def _rows(seed: int) -> tuple[dict[object, ProductKind], list[dict[str, object]]]:
    kinds: dict[object, ProductKind] = {}
    demands: list[dict[str, object]] = []
    for batch in DemoDataset(SeedPlan.at_scale(0.1), seed).batches():
        if batch.model is FinancialProduct:
            kinds.update({row["id"]: ProductKind(row["kind"]) for row in batch.rows})
        elif batch.model is FinancingDemand:
            demands.extend(batch.rows)
    return kinds, demands


def test_seeded_demands_accept_plausible_kinds_including_their_products() -> None:
    # when
    kinds, demands = _rows(7)
    again = [d["accepted_product_kinds"] for d in _rows(7)[1]]

    # then
    accepted = [list(d["accepted_product_kinds"]) for d in demands]  # type: ignore[call-overload]
    assert again == accepted
    assert all(set(a) <= {k.value for k in ProductKind} for a in accepted)
    assert all(a == sorted(set(a)) for a in accepted)
    empty = sum(not a for a in accepted) / len(accepted)
    assert 0.4 < empty < 0.6  # about half accept any financing kind
    with_product = [d for d in demands if d["product_id"] is not None]
    assert with_product
    for demand in with_product:
        listed = demand["accepted_product_kinds"]
        assert not listed or kinds[demand["product_id"]].value in listed  # type: ignore[operator]
    shares = Counter(k for a in accepted for k in a)
    assert shares["LOAN"] > shares["PLEDGE_FINANCING"] > shares["LEASE"] > 0
