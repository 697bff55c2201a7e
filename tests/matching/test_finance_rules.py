"""Every eligibility rule of demand ↔ product matching, on both sides of each boundary, through
productMatches (the engine's filters) and the Python rules (near misses), which must agree."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from greenrong.domain.finance.models import Collateral, ProductKind
from greenrong.domain.kit.clock import today
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
)
from tests.matching.finance_helpers import index_products, names, near_misses, product_matches

#: name -> product overrides; the demand: ¥500万, 36 months, at most 4.50 %, offers property,
#: from a 深绿 clean-energy firm in 成都市武侯区 (510107) whose certification ends today
PRODUCTS: dict[str, dict[str, Any]] = {
    "基准产品": {},
    "上限恰好": {"max_amount": Decimal("5000000.00")},
    "上限少一分": {"max_amount": Decimal("4999999.99")},
    "下限恰好": {"min_amount": Decimal("5000000.00")},
    "下限多一分": {"min_amount": Decimal("5000000.01"), "max_amount": Decimal("9000000.00")},
    "期限上限恰好": {"max_term_months": 36},
    "期限上限少一月": {"max_term_months": 35},
    "期限下限恰好": {"min_term_months": 36},
    "期限下限多一月": {"min_term_months": 37},
    "利率恰好": {"min_rate": Decimal("0.0450"), "max_rate": Decimal("0.0500")},
    "利率高一基点": {"min_rate": Decimal("0.0451"), "max_rate": Decimal("0.0500")},
    "全省": {"eligible_region_codes": ["510000"]},
    "成都市": {"eligible_region_codes": ["510100"]},
    "武侯区": {"eligible_region_codes": ["510107"]},
    "锦江区": {"eligible_region_codes": ["510104"]},
    "绵阳市": {"eligible_region_codes": ["510700"]},
    "清洁能源专属": {"eligible_green_categories": [GreenCategory.CLEAN_ENERGY]},
    "绿色服务专属": {"eligible_green_categories": [GreenCategory.GREEN_SERVICES]},
    "深绿门槛": {"min_green_level": GreenLevel.DEEP_GREEN},
    "优绿门槛": {"min_green_level": GreenLevel.EXCELLENT_GREEN},
    "接受不动产": {"accepted_collateral": [Collateral.PROPERTY]},
    "信用": {"accepted_collateral": [Collateral.NONE]},
    "只收CCER": {"accepted_collateral": [Collateral.CCER]},
    "债券": {"kind": ProductKind.BOND},
    "保险": {"kind": ProductKind.INSURANCE},
    "已下架": {"active": False},
    "两条不符": {"max_amount": Decimal("4000000.00"), "max_term_months": 24},
}
ELIGIBLE = {
    "基准产品",
    "上限恰好",
    "下限恰好",
    "期限上限恰好",
    "期限下限恰好",
    "利率恰好",
    "全省",
    "成都市",
    "武侯区",
    "清洁能源专属",
    "深绿门槛",
    "接受不动产",
    "信用",
    "债券",
}
NEAR_MISSES = {
    "上限少一分": ("AMOUNT", "金额超过上限 ¥4,999,999.99，超出 ¥0.01"),
    "下限多一分": ("AMOUNT", "金额低于下限 ¥5,000,000.01，相差 ¥0.01"),
    "期限上限少一月": ("TERM", "期限超过上限 35个月，超出 1个月"),
    "期限下限多一月": ("TERM", "期限低于下限 37个月，相差 1个月"),
    "利率高一基点": ("RATE", "最低利率 4.51% 高于可接受上限 4.50%，高出 0.01个百分点"),
    "锦江区": ("REGION", "不覆盖企业所在地成都市武侯区（仅限成都市锦江区）"),
    "绵阳市": ("REGION", "不覆盖企业所在地成都市武侯区（仅限绵阳市）"),
    "绿色服务专属": ("GREEN_CATEGORY", "不支持清洁能源类企业（仅限绿色服务）"),
    "优绿门槛": ("GREEN_LEVEL", "需要优绿等级，企业当前为深绿"),
    "只收CCER": ("COLLATERAL", "需要提供以下担保之一：CCER 质押"),
}


async def _world(sessionmaker: Any, **demand: Any) -> Any:
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(
            session,
            region_code="510107",
            green_category=GreenCategory.CLEAN_ENERGY,
            green_level=GreenLevel.DEEP_GREEN,
            green_level_valid_until=today(),
        )
        bank = await create_institution(session, region_code="510100")
        base = {
            "min_amount": Decimal("1000000.00"),
            "max_amount": Decimal("10000000.00"),
            "min_term_months": 12,
            "max_term_months": 60,
            "min_rate": Decimal("0.0400"),
            "max_rate": Decimal("0.0500"),
            "accepted_collateral": [Collateral.PROPERTY, Collateral.GUARANTEE],
        }
        for name, overrides in PRODUCTS.items():
            await create_product(
                session, institution_id=bank.id, name=name, **{**base, **overrides}
            )
        values = {
            "amount": Decimal("5000000.00"),
            "term_months": 36,
            "max_rate": Decimal("0.0450"),
            "collateral_offered": [Collateral.PROPERTY],
            "purpose": "购置光伏组件",
        }
        return await create_demand(session, enterprise_id=firm.id, **{**values, **demand})


@pytest.mark.dated
async def test_each_rule_on_both_sides_of_its_boundary(app, sessionmaker, gql) -> None:
    # given
    demand = await _world(sessionmaker)
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id, near=True)

    # then: exactly the eligible products are ranked, ranks 1..n
    assert result["__typename"] == "ProductMatchConnection"
    assert set(names(result)) == ELIGIBLE
    assert result["totalCount"] == len(ELIGIBLE)
    assert [e["rank"] for e in result["edges"]] == list(range(1, len(ELIGIBLE) + 1))
    scores = [e["score"] for e in result["edges"]]
    assert scores == sorted(scores, reverse=True)
    # and the products failing exactly one rule are near misses, with the gap
    assert near_misses(result) == NEAR_MISSES


@pytest.mark.dated
async def test_an_expired_certification_counts_as_no_level(app, sessionmaker, gql) -> None:
    # given a certification that ended yesterday
    demand = await _world(sessionmaker)
    async with sessionmaker.begin() as session:
        from greenrong.domain.enterprises.models import Enterprise

        firm = await session.get(Enterprise, demand.enterprise_id)
        firm.green_level_valid_until = today() - timedelta(days=1)
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id, near=True)

    # then
    assert set(names(result)) == ELIGIBLE - {"深绿门槛"}
    assert near_misses(result)["深绿门槛"] == (
        "GREEN_LEVEL",
        "需要深绿及以上等级，企业的深绿等级认证已过期",
    )
    assert near_misses(result)["优绿门槛"] == (
        "GREEN_LEVEL",
        "需要优绿等级，企业的深绿等级认证已过期",
    )


async def test_accepted_kinds_limit_the_kinds_and_can_take_insurance(
    app, sessionmaker, gql
) -> None:
    # given
    loans_only = await _world(sessionmaker, accepted_product_kinds=["LOAN"])
    async with sessionmaker.begin() as session:
        insurance = await create_demand(
            session,
            enterprise_id=loans_only.enterprise_id,
            amount=Decimal("5000000.00"),
            term_months=36,
            collateral_offered=[Collateral.PROPERTY],
            accepted_product_kinds=["INSURANCE"],
            purpose="投保",
        )
    await index_products(app, sessionmaker)

    # when
    loans = await product_matches(gql, loans_only.id, near=True)
    cover = await product_matches(gql, insurance.id)

    # then
    assert set(names(loans)) == ELIGIBLE - {"债券"}
    assert near_misses(loans)["债券"] == ("KIND", "产品类型为债券，需求只接受贷款")
    assert names(cover) == ["保险"]


async def test_a_demand_without_a_maximum_rate_takes_any_rate(app, sessionmaker, gql) -> None:
    # given
    demand = await _world(sessionmaker, max_rate=None)
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id, near=True)

    # then
    assert set(names(result)) == ELIGIBLE | {"利率高一基点"}
    assert "RATE" not in {rule for rule, _ in near_misses(result).values()}


async def test_no_collateral_offered_fits_only_products_that_need_none(
    app, sessionmaker, gql
) -> None:
    # given
    demand = await _world(sessionmaker, collateral_offered=[])
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id)

    # then
    assert set(names(result)) == {"信用"}
