"""Largest-remainder splits and scaling: exact integers and exact money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.seed.apportion import scaled_count, scaled_money, split_money


def test_the_reports_category_shares_split_2918_enterprises_exactly() -> None:
    # 节能环保 39, 清洁生产 11, 清洁能源 13, 生态环境 10, 基础设施绿色升级 21, 绿色服务 6 (%)
    assert largest_remainder(2918, [39, 11, 13, 10, 21, 6]) == [1138, 321, 379, 292, 613, 175]


def test_the_reports_title_shares_split_154_experts_exactly() -> None:
    assert largest_remainder(154, [41, 24, 16, 10, 9]) == [63, 37, 25, 15, 14]


def test_leftover_units_go_to_the_largest_remainders_and_ties_to_the_earlier_index() -> None:
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    assert largest_remainder(7, [5, 0, 2]) == [5, 0, 2]


def test_a_minimum_is_given_first_even_to_zero_weights() -> None:
    assert largest_remainder(10, [0, 1, 1], minimum=1) == [1, 5, 4]
    assert largest_remainder(3, [5, 9, 1], minimum=1) == [1, 1, 1]


def test_zero_total_and_no_parts() -> None:
    assert largest_remainder(0, [3, 4]) == [0, 0]
    assert largest_remainder(0, []) == []
    assert largest_remainder(0, [0, 0]) == [0, 0]


@pytest.mark.parametrize(
    ("total", "weights", "minimum"),
    [(-1, [1], 0), (5, [1, -1], 0), (5, [0, 0], 0), (1, [1, 1], 1), (3, [], 0)],
)
def test_impossible_splits_are_refused(total: int, weights: list[int], minimum: int) -> None:
    with pytest.raises(ValueError, match=r"."):
        largest_remainder(total, weights, minimum=minimum)


def test_the_reports_financing_by_year_splits_in_wan_exactly() -> None:
    parts = split_money(Decimal("6719000000.00"), [760, 2141, 3818], unit=Decimal("10000"))
    assert parts == [Decimal("760000000.00"), Decimal("2141000000.00"), Decimal("3818000000.00")]


def test_a_money_split_adds_up_to_the_fen() -> None:
    assert split_money(Decimal("100.00"), [1, 1, 1]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_odd_fen_outside_the_unit_go_to_the_largest_weight() -> None:
    parts = split_money(Decimal("100000.05"), [1, 3], unit=Decimal("10000"))
    assert parts == [Decimal("30000.00"), Decimal("70000.05")]


def test_every_money_part_gets_its_minimum_units() -> None:
    parts = split_money(Decimal("50000.00"), [1, 1_000_000], unit=Decimal("10000"), minimum_units=1)
    assert parts == [Decimal("10000.00"), Decimal("40000.00")]


def test_money_that_is_not_whole_fen_is_refused() -> None:
    with pytest.raises(ValueError, match="fen"):
        split_money(Decimal("1.005"), [1])


def test_scaling_rounds_half_up_in_decimal() -> None:
    assert scaled_count(2918, 0.1) == 292
    assert scaled_count(2918, 100) == 291800
    assert scaled_count(63, 0.01) == 1
    assert scaled_count(71, 0.005) == 0
    assert scaled_count(71, 0.005, minimum=1) == 1
    assert scaled_money(Decimal("23920000000.00"), 0.1) == Decimal("2392000000.00")
    assert scaled_money(Decimal("0.05"), 0.5) == Decimal("0.03")
    assert scaled_money(Decimal("6719000000.00"), 1.0) == Decimal("6719000000.00")
