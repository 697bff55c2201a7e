"""The demo data depends on the seed only: same seed, same rows; another seed, other rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from greenrong.core.db import SessionMaker
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import FinancingDemand
from greenrong.domain.kit.models import Entity
from greenrong.domain.seed.dataset import DemoDataset
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.seed.plan import SeedPlan

SCALE = 0.1


def _generated(seed: int, model: type[Entity], *columns: str) -> list[tuple[Any, ...]]:
    dataset = DemoDataset(SeedPlan.at_scale(SCALE), seed)
    return [
        tuple(row[c] for c in columns)
        for batch in dataset.batches()
        if batch.model is model
        for row in batch.rows
    ]


def test_the_same_seed_generates_the_same_enterprises_and_amounts() -> None:
    # when
    first = _generated(7, Enterprise, "id", "name", "credit_code", "created_at")
    second = _generated(7, Enterprise, "id", "name", "credit_code", "created_at")
    amounts = _generated(7, FinancingDemand, "id", "amount", "financed_amount", "submitted_at")

    # then
    assert len(first) == 292
    assert first == second
    assert amounts == _generated(
        7, FinancingDemand, "id", "amount", "financed_amount", "submitted_at"
    )


def test_another_seed_generates_other_enterprises_and_amounts() -> None:
    # when
    first = _generated(7, Enterprise, "name", "credit_code")
    other = _generated(8, Enterprise, "name", "credit_code")
    amounts = _generated(7, FinancingDemand, "amount")
    other_amounts = _generated(8, FinancingDemand, "amount")

    # then: nothing in common beyond chance, yet the same exact total
    assert {code for _, code in first}.isdisjoint({code for _, code in other})
    assert len({name for name, _ in first} & {name for name, _ in other}) < 15
    assert amounts != other_amounts
    assert (
        sum(a for (a,) in amounts) == sum(a for (a,) in other_amounts) == Decimal("2392000000.00")
    )


async def test_the_database_holds_exactly_the_generated_rows(sessionmaker: SessionMaker) -> None:
    # given
    await seed_demo(sessionmaker, scale=SCALE, seed=7, progress=False)

    # when
    async with sessionmaker() as session:
        enterprises = (
            await session.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code))
        ).all()
        demands = (
            await session.execute(
                select(
                    FinancingDemand.id,
                    FinancingDemand.amount,
                    FinancingDemand.financed_amount,
                    FinancingDemand.submitted_at,
                    FinancingDemand.financed_at,
                )
            )
        ).all()

    # then
    assert sorted(map(tuple, enterprises)) == sorted(
        _generated(7, Enterprise, "id", "name", "credit_code")
    )
    assert sorted(map(tuple, demands)) == sorted(
        _generated(
            7, FinancingDemand, "id", "amount", "financed_amount", "submitted_at", "financed_at"
        )
    )
