"""Purpose fit in demand ↔ product matching: a product made for another technology or use ranks
below the products made for the demand's purpose, the category's general products and the
generic green products, and says why."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greenrong.domain.matching.finance_weights import FINANCE_WEIGHTS
from greenrong.domain.matching.purpose import made_for, named
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_demand,
    create_enterprise,
    create_institution,
    create_product,
    create_project,
)
from tests.matching.finance_helpers import demand_matches, index_products, names, product_matches

_TERMS: dict[str, Any] = {
    "min_amount": Decimal("1000000.00"),
    "max_amount": Decimal("300000000.00"),
    "min_term_months": 12,
    "max_term_months": 180,
}
CLEAN_ENERGY = [GreenCategory.CLEAN_ENERGY.value]


def _purpose_reasons(edge: dict[str, Any]) -> list[tuple[str, str, float]]:
    return [
        (r["code"], r["message"], r["weight"])
        for r in edge["reasons"]
        if r["code"].startswith("PURPOSE")
    ]


def _edge(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in result["edges"] if e["node"]["name"] == name)


async def test_products_for_other_technologies_rank_last_and_say_why(
    app, sessionmaker, gql
) -> None:
    # given a solar demand in 成都 and six eligible products: one made for solar, the category's
    # general one (it gives technologies as examples), a generic green loan, and three made for
    # other technologies, offered locally and more cheaply than the rest
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(
            session, region_code="510107", green_category=GreenCategory.CLEAN_ENERGY
        )
        project = await create_project(
            session,
            enterprise_id=firm.id,
            title="武侯区8MW屋顶分布式光伏项目",
            description="利用园区厂房屋顶建设8MW分布式光伏电站，自发自用、余电上网。",
        )
        local = await create_institution(session, name="成都绿色金融银行", region_code="510107")
        distant = await create_institution(session, name="乐山商业银行", region_code="511102")
        for name, description, bank, categories, rate in [
            ("光伏电站贷", "支持集中式和分布式光伏电站建设。", distant, CLEAN_ENERGY, "0.0420"),
            (
                "清洁能源综合贷",
                "支持光伏、风电、水电等清洁能源项目建设和运营。",
                distant,
                CLEAN_ENERGY,
                "0.0400",
            ),
            ("绿色发展贷", "支持企业绿色低碳转型的项目贷款。", distant, [], "0.0450"),
            ("风电项目贷", "支持风电项目建设。", local, CLEAN_ENERGY, "0.0330"),
            ("水电站增效贷", "支持中小水电站增效扩容改造。", local, CLEAN_ENERGY, "0.0340"),
            ("氢能产业贷", "支持制氢、储氢和加氢站项目建设。", local, CLEAN_ENERGY, "0.0350"),
        ]:
            await create_product(
                session,
                institution_id=bank.id,
                name=name,
                description=description,
                eligible_green_categories=categories,
                min_rate=Decimal(rate),
                max_rate=Decimal(rate) + Decimal("0.0100"),
                **_TERMS,
            )
        demand = await create_demand(
            session,
            enterprise_id=firm.id,
            project_id=project.id,
            purpose="用于屋顶分布式光伏电站建设",
            amount=Decimal("12000000.00"),
            term_months=96,
        )
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id)

    # then made for solar, general, generic, and the other technologies last
    assert names(result) == [
        "光伏电站贷",
        "清洁能源综合贷",
        "绿色发展贷",
        "水电站增效贷",  # shares 电站 with the demand's text
        "风电项目贷",
        "氢能产业贷",
    ]
    fit, open_ = FINANCE_WEIGHTS.purpose_fit, FINANCE_WEIGHTS.purpose_open
    assert _purpose_reasons(_edge(result, "光伏电站贷")) == [
        ("PURPOSE_FIT", "产品面向光伏电站、分布式光伏项目，与融资用途相符", fit)
    ]
    assert _purpose_reasons(_edge(result, "清洁能源综合贷")) == [
        ("PURPOSE_OPEN", "产品不限定技术或用途", open_)
    ]
    assert _purpose_reasons(_edge(result, "绿色发展贷")) == [
        ("PURPOSE_OPEN", "产品不限定技术或用途", open_)
    ]
    assert _purpose_reasons(_edge(result, "风电项目贷")) == [
        ("PURPOSE_MISMATCH", "产品面向风电项目，与融资用途不符", 0.0)
    ]
    assert _purpose_reasons(_edge(result, "水电站增效贷")) == [
        ("PURPOSE_MISMATCH", "产品面向水电站项目，与融资用途不符", 0.0)
    ]
    assert _purpose_reasons(_edge(result, "氢能产业贷")) == [
        ("PURPOSE_MISMATCH", "产品面向氢能、制氢、储氢项目，与融资用途不符", 0.0)
    ]
    # the mismatch is the only weightless reason before the standing ones
    assert [r["code"] for r in _edge(result, "风电项目贷")["reasons"]][-2:] == [
        "PURPOSE_MISMATCH",
        "ELIGIBLE",
    ]


async def test_a_demand_naming_no_purpose_is_not_judged(app, sessionmaker, gql) -> None:
    # given a working-capital demand, which names no catalogue item, and two products
    async with sessionmaker.begin() as session:
        firm = await create_enterprise(session, green_category=GreenCategory.CLEAN_ENERGY)
        bank = await create_institution(session, region_code="510100")
        for name, description, rate in [
            ("风电项目贷", "支持风电项目建设。", "0.0330"),
            ("绿色发展贷", "支持企业绿色低碳转型的项目贷款。", "0.0450"),
        ]:
            await create_product(
                session,
                institution_id=bank.id,
                name=name,
                description=description,
                min_rate=Decimal(rate),
                max_rate=Decimal(rate) + Decimal("0.0100"),
                **_TERMS,
            )
        demand = await create_demand(session, enterprise_id=firm.id, purpose="补充流动资金")
    await index_products(app, sessionmaker)

    # when
    result = await product_matches(gql, demand.id)

    # then the cheaper product first, and no purpose reason on either
    assert names(result) == ["风电项目贷", "绿色发展贷"]
    assert [_purpose_reasons(e) for e in result["edges"]] == [[], []]


async def test_the_reverse_view_puts_demands_for_other_purposes_last(
    app, sessionmaker, gql
) -> None:
    # given a wind loan and two eligible demands: a nearby solar plant and a distant wind farm
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, region_code="510107")
        product = await create_product(
            session,
            institution_id=bank.id,
            name="风电项目贷",
            description="支持风电项目建设。",
            eligible_green_categories=CLEAN_ENERGY,
            **_TERMS,
        )
        near = await create_enterprise(
            session, region_code="510107", green_category=GreenCategory.CLEAN_ENERGY
        )
        far = await create_enterprise(
            session, region_code="510703", green_category=GreenCategory.CLEAN_ENERGY
        )
        solar = await create_demand(
            session, enterprise_id=near.id, purpose="用于屋顶分布式光伏电站建设"
        )
        wind = await create_demand(session, enterprise_id=far.id, purpose="用于山地风电场建设")

    # when
    result = await demand_matches(gql, product.id)

    # then
    assert [e["node"]["id"] for e in result["edges"]] == [
        to_global_id("FinancingDemand", wind.id),
        to_global_id("FinancingDemand", solar.id),
    ]
    assert _purpose_reasons(result["edges"][0]) == [
        ("PURPOSE_FIT", "产品面向风电项目，与融资用途相符", FINANCE_WEIGHTS.purpose_fit)
    ]
    assert _purpose_reasons(result["edges"][1]) == [
        ("PURPOSE_MISMATCH", "产品面向风电项目，与融资用途不符", 0.0)
    ]


def test_what_a_text_names_in_the_catalogue() -> None:
    # a demand: every item its words name, the words in the text's order
    solar = named("武侯区8MW屋顶分布式光伏项目：在厂房屋顶建设光伏电站")
    assert solar.items == {"3.2.2.2"}
    assert solar.words == ("分布式光伏", "光伏电站")
    # a product made for making solar equipment and running solar plants
    leasing = made_for("光伏设备融资租赁：支持光伏组件、逆变器等发电设备融资租赁。")
    assert leasing.items == {"3.2.1.2", "3.2.2.2"}
    assert leasing.fits(solar)
    # examples of a whole field make a general product: three technologies, or fields
    assert not made_for("清洁能源综合贷：支持光伏、风电、水电等清洁能源项目。")
    assert not made_for("绿色贷：支持绿色建筑、清洁能源、节能环保等项目。")
    # named without 等, they are what the product finances
    assert made_for("清洁能源基金：投资水电、光伏、风电项目。").items == {
        "3.2.2.1",
        "3.2.2.2",
        "3.2.2.4",
    }
    # a pledge names no purpose, nor does a place or a generic phrase
    assert not made_for("排污权抵押贷款：以排污权、碳排放权或CCER质押的贷款。")
    assert not named("长江上游岷江沿岸企业申请技术服务费用")
