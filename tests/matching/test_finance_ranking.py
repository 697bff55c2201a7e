"""Ranking and reasons of demand ↔ product matching, both ways, on small Chinese fixtures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from greenrong.domain.finance.models import Collateral, DemandStatus
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
    create_project,
)
from tests.matching.finance_helpers import (
    demand_matches,
    index_products,
    names,
    product_matches,
)

_SAME_TERMS: dict[str, Any] = {
    "min_amount": Decimal("1000000.00"),
    "max_amount": Decimal("30000000.00"),
    "min_rate": Decimal("0.0400"),
    "max_rate": Decimal("0.0500"),
}


def _reasons(result: dict[str, Any], name: str) -> list[tuple[str, str]]:
    edge = next(e for e in result["edges"] if e["node"]["name"] == name)
    return [(r["code"], r["message"]) for r in edge["reasons"]]


async def test_products_about_the_purpose_rank_first_synonyms_included(
    app, sessionmaker, gql
) -> None:
    # given a solar project in 成都 and five eligible products
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, green_category=GreenCategory.CLEAN_ENERGY)
        project = await create_project(
            session,
            enterprise_id=firm.id,
            title="武侯区5MW分布式光伏发电项目",
            description="在厂房屋顶建设分布式光伏电站，自发自用余电上网。",
        )
        bank = await create_institution(session, name="成都农商银行", region_code="510100")
        for name, description in [
            ("光伏贷", "支持分布式光伏电站建设。"),
            ("阳光贷", "支持太阳能发电设备购置。"),
            ("绿色建筑贷", "支持取得绿色建筑标识的新建和改造项目。"),
            ("生态修复贷", "支持矿山修复和水土保持项目。"),
            ("流动资金贷", "补充企业日常经营流动资金。"),
        ]:
            await create_product(
                session, institution_id=bank.id, name=name, description=description, **_SAME_TERMS
            )
        demand = await create_demand(
            session,
            enterprise_id=firm.id,
            project_id=project.id,
            purpose="用于屋顶光伏电站设备购置",
            amount=Decimal("5000000.00"),
        )
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id)

    # then the product about 光伏 first, the one about its synonym 太阳能发电 second
    assert names(result)[:2] == ["光伏贷", "阳光贷"]
    assert set(names(result)) == {"光伏贷", "阳光贷", "绿色建筑贷", "生态修复贷", "流动资金贷"}
    assert ("DOMAIN_TERM", "产品涉及“光伏”") in _reasons(result, "光伏贷")
    assert ("DOMAIN_TERM", "产品涉及“太阳能发电”（即“光伏”）") in _reasons(result, "阳光贷")
    assert "DOMAIN_TERM" not in {code for code, _ in _reasons(result, "流动资金贷")}
    # every edge explains itself, strongest reason first
    for edge in result["edges"]:
        weights = [r["weight"] for r in edge["reasons"]]
        assert weights == sorted(weights, reverse=True)


@pytest.mark.dated
async def test_a_local_specialised_cheaper_product_ranks_above_a_distant_generic_one(
    app, sessionmaker, gql
) -> None:
    # given two products alike but for where the institution is, what it is for and its rate
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(
            session,
            region_code="510107",
            green_category=GreenCategory.CLEAN_ENERGY,
            green_level=GreenLevel.GREEN,
        )
        chengdu = await create_institution(session, name="成都银行", region_code="510107")
        mianyang = await create_institution(session, name="绵阳商业银行", region_code="510700")
        await create_product(
            session,
            institution_id=mianyang.id,
            name="普惠贷",
            min_rate=Decimal("0.0480"),
            max_rate=Decimal("0.0600"),
        )
        await create_product(
            session,
            institution_id=chengdu.id,
            name="清洁能源贷",
            eligible_green_categories=[GreenCategory.CLEAN_ENERGY],
            eligible_region_codes=["510100"],
            min_green_level=GreenLevel.GREEN,
            min_rate=Decimal("0.0330"),
            max_rate=Decimal("0.0500"),
        )
        demand = await create_demand(
            session, enterprise_id=firm.id, purpose="补充流动资金", amount=Decimal("5000000.00")
        )
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id)

    # then
    assert names(result) == ["清洁能源贷", "普惠贷"]
    reasons = _reasons(result, "清洁能源贷")
    assert ("CATEGORY", "专门支持清洁能源类企业") in reasons
    assert ("LOCAL_INSTITUTION", "机构位于本地（成都市）") in reasons
    assert ("LOCAL_PRODUCT", "面向成都市武侯区等地的区域性产品") in reasons
    assert ("RATE", "利率较低：最低 3.30%") in reasons
    assert ("GREEN_LEVEL", "产品面向绿及以上企业，企业的绿等级有效") in reasons
    general = _reasons(result, "普惠贷")
    assert {code for code, _ in general[:-2]} <= {"AMOUNT_FIT", "TEXT"}
    # every ranked product says why it is there at all: the rules it meets, and, when it is
    # open to every category, that it is a general product (weight 0, after the scored parts)
    eligible = (
        "ELIGIBLE",
        "满足准入条件：产品在售、产品类型、融资金额、融资期限、服务地区、绿色产业类别、"
        "绿色等级、担保方式、利率",
    )
    assert general[-2:] == [eligible, ("GENERAL", "通用绿色产品：不限企业绿色类别")]
    assert reasons[-1] == eligible
    assert "GENERAL" not in {code for code, _ in reasons}


async def test_first_limits_the_page_and_bad_sizes_are_refused(app, sessionmaker, gql) -> None:
    # given
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session)
        bank = await create_institution(session)
        for i in range(3):
            await create_product(session, institution_id=bank.id, name=f"贷款{i}")
        demand = await create_demand(session, enterprise_id=firm.id)
    await index_products(app, sessionmaker)

    # when
    two = await product_matches(gql, demand.id, first=2)
    refused = await gql(
        "query ($id: ID!) { node(id: $id) { ... on FinancingDemand { "
        "productMatches(first: -1) { __typename } } } }",
        {"id": to_global_id("FinancingDemand", demand.id)},
    )

    # then
    assert len(two["edges"]) == 2
    assert two["totalCount"] == 3
    assert two["nearMisses"] is None
    assert refused["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_the_reverse_view_ranks_the_open_demands_a_product_fits(
    app, sessionmaker, gql
) -> None:
    # given a forestry carbon-sink product and four demands
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, region_code="510100")
        product = await create_product(
            session,
            institution_id=bank.id,
            name="林业碳汇贷",
            description="以林业碳汇未来收益权质押，支持国家储备林建设。",
            eligible_green_categories=[GreenCategory.ECOLOGICAL_ENVIRONMENT],
            accepted_collateral=[Collateral.CARBON_SINK_INCOME],
        )
        forest = await create_enterprise(
            session, green_category=GreenCategory.ECOLOGICAL_ENVIRONMENT, region_code="510107"
        )
        far = await create_enterprise(
            session, green_category=GreenCategory.ECOLOGICAL_ENVIRONMENT, region_code="511102"
        )
        solar = await create_enterprise(session, green_category=GreenCategory.CLEAN_ENERGY)
        offered = [Collateral.CARBON_SINK_INCOME]
        seedlings = await create_demand(
            session, enterprise_id=far.id, purpose="苗木采购", collateral_offered=offered
        )
        carbon_sink = await create_demand(
            session,
            enterprise_id=forest.id,
            purpose="用于林业碳汇开发项目建设",
            collateral_offered=offered,
        )
        await create_demand(  # not open any more
            session,
            enterprise_id=forest.id,
            purpose="林业碳汇开发",
            collateral_offered=offered,
            status=DemandStatus.MATCHED,
        )
        await create_demand(  # wrong category
            session, enterprise_id=solar.id, purpose="碳汇开发", collateral_offered=offered
        )

    # when
    result = await demand_matches(gql, product.id)

    # then
    assert result["totalCount"] == 2
    assert [e["node"]["id"] for e in result["edges"]] == [
        to_global_id("FinancingDemand", carbon_sink.id),
        to_global_id("FinancingDemand", seedlings.id),
    ]
    assert [e["rank"] for e in result["edges"]] == [1, 2]
    first = [(r["code"], r["message"]) for r in result["edges"][0]["reasons"]]
    assert ("DOMAIN_TERM", "产品涉及“林业碳汇”") in first
    assert ("LOCAL_INSTITUTION", "机构位于本地（成都市）") in first
