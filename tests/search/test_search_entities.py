"""The other five search fields: each entity's own filters, facets, sorts and suggestions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.finance.models import Collateral, InstitutionKind, ProductKind
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import NeedStatus, TechnologyDomain
from greenrong.indexers.disclosures.document import DISCLOSURES
from greenrong.indexers.enterprises.document import ENTERPRISES
from greenrong.indexers.experts.document import EXPERTS
from greenrong.indexers.needs.document import NEEDS
from greenrong.indexers.products.document import PRODUCTS
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_disclosure,
    create_enterprise,
    create_expert,
    create_institution,
    create_need,
    create_product,
)
from tests.search.helpers import facet, index, search, titles


async def test_needs_by_text_budget_and_deadline(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        buyer = await create_enterprise(session)
        for title, budget, deadline, status, maturity in [
            ("印染废水深度处理技术需求", "800000", date(2025, 6, 30), NeedStatus.OPEN, 7),
            ("生活污水一体化设备采购", "200000", date(2025, 3, 31), NeedStatus.OPEN, 4),
            ("固体废物资源化利用方案", None, None, NeedStatus.CLOSED, None),
        ]:
            await create_need(
                session,
                enterprise_id=buyer.id,
                title=title,
                description="",
                budget=None if budget is None else Decimal(budget),
                deadline=deadline,
                status=status,
                min_maturity=maturity,
                domain=TechnologyDomain.WATER if "水" in title else TechnologyDomain.SOLID_WASTE,
            )
    await index(app, sessionmaker, NEEDS)
    selection = "totalCount edges { node { title } } facets { field buckets { value label count } }"

    by_text = await search(
        gql, "searchTechnologyNeeds", selection, query="废水", sort="DEADLINE_ASC"
    )
    by_budget = await search(
        gql, "searchTechnologyNeeds", selection, filter={"budget": {"min": "500000"}}
    )
    by_deadline = await search(
        gql, "searchTechnologyNeeds", selection, filter={"deadline": {"max": "2025-04-01"}}
    )
    by_synonym = await search(gql, "searchTechnologyNeeds", selection, query="固废")
    # the needs a listing of readiness level 5 satisfies: a minimum at or below 5, or none
    by_maturity = await search(
        gql, "searchTechnologyNeeds", selection, filter={"acceptsMaturity": 5}
    )
    too_high = await gql("{ searchTechnologyNeeds(filter: {acceptsMaturity: 10}) { __typename } }")

    assert titles(by_text) == ["生活污水一体化设备采购", "印染废水深度处理技术需求"]
    assert titles(by_budget) == ["印染废水深度处理技术需求"]
    assert titles(by_deadline) == ["生活污水一体化设备采购"]
    assert titles(by_synonym) == ["固体废物资源化利用方案"]
    assert facet(by_text, "status") == [("OPEN", "征集中", 2)]
    assert sorted(titles(by_maturity)) == ["固体废物资源化利用方案", "生活污水一体化设备采购"]
    (error,) = too_high["errors"]
    assert (error["extensions"]["code"], error["message"]) == (
        "OUT_OF_RANGE",
        "filter.accepts_maturity: a readiness level is 1 to 9",
    )


async def test_products_a_borrower_can_use(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="成都银行")
        insurer = await create_institution(session, name="锦城保险", kind=InstitutionKind.INSURER)
        await create_product(
            session,
            institution_id=bank.id,
            name="碳汇贷",
            description="以林业碳汇未来收益权质押",
            eligible_region_codes=["510000"],
            accepted_collateral=[Collateral.CARBON_SINK_INCOME],
            min_rate=Decimal("0.0320"),
        )
        await create_product(
            session,
            institution_id=bank.id,
            name="光伏贷",
            eligible_green_categories=[GreenCategory.CLEAN_ENERGY],
            eligible_region_codes=["510700"],
            min_green_level=GreenLevel.DEEP_GREEN,
            min_amount=Decimal("1000000"),
            min_rate=Decimal("0.0300"),
        )
        await create_product(
            session,
            institution_id=insurer.id,
            name="环责险",
            kind=ProductKind.INSURANCE,
            eligible_green_categories=[GreenCategory.ECOLOGICAL_ENVIRONMENT],
            eligible_region_codes=["510104"],
            min_rate=Decimal("0.0100"),
        )
    await index(app, sessionmaker, PRODUCTS)
    selection = "totalCount edges { node { name } } facets { field buckets { value label count } }"

    async def names(**variables) -> list[str]:
        return titles(await search(gql, "searchFinancialProducts", selection, **variables), "name")

    assert await names(sort="RATE_ASC") == ["环责险", "光伏贷", "碳汇贷"]
    # 510100 is served by the province-wide product and by the one for its district 510104
    assert await names(filter={"region": ["510100"]}, sort="RATE_ASC") == ["环责险", "碳汇贷"]
    # open to CLEAN_ENERGY: the product for it and the one open to every category
    assert await names(filter={"greenCategory": ["CLEAN_ENERGY"]}, sort="RATE_ASC") == [
        "光伏贷",
        "碳汇贷",
    ]
    assert await names(filter={"amount": "500000"}, sort="RATE_ASC") == ["环责险", "碳汇贷"]
    assert await names(filter={"greenLevel": "GREEN"}, sort="RATE_ASC") == ["环责险", "碳汇贷"]
    assert await names(query="成都银行", sort="RATE_ASC") == ["光伏贷", "碳汇贷"]
    assert await names(query="碳汇") == ["碳汇贷"]
    result = await search(gql, "searchFinancialProducts", selection, filter={"kind": ["LOAN"]})
    assert facet(result, "kind") == [("LOAN", "贷款", 2), ("INSURANCE", "保险", 1)]
    assert facet(result, "institutionKind") == [("BANK", "银行", 2)]


async def test_experts_by_specialty_title_and_region(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        await create_expert(
            session,
            name="李清源",
            field="环境工程",
            specialties=["污水处理", "膜技术"],
            region_code="510107",
        )
        await create_expert(
            session,
            name="王光明",
            field="新能源",
            title=ExpertTitle.SENIOR_ENGINEER,
            specialties=["光伏发电"],
            region_code="510700",
        )
    await index(app, sessionmaker, EXPERTS)
    selection = "edges { node { name } } facets { field buckets { value label count } }"

    by_text = await search(gql, "searchExperts", selection, query="废水")
    by_pv = await search(gql, "searchExperts", selection, query="PV")
    by_filter = await search(gql, "searchExperts", selection, filter={"specialty": ["光伏发电"]})
    everyone = await search(gql, "searchExperts", selection, sort="NAME")

    assert titles(by_text, "name") == ["李清源"]
    assert titles(by_pv, "name") == ["王光明"]
    assert titles(by_filter, "name") == ["王光明"]
    assert titles(everyone, "name") == ["李清源", "王光明"]
    assert facet(everyone, "title") == [
        ("PROFESSOR", "教授", 1),
        ("SENIOR_ENGINEER", "高级工程师", 1),
    ]
    assert facet(everyone, "region") == [("510100", "成都市", 1), ("510700", "绵阳市", 1)]
    assert facet(everyone, "specialty") == [
        ("光伏发电", "光伏发电", 1),
        ("污水处理", "污水处理", 1),
        ("膜技术", "膜技术", 1),
    ]


async def test_disclosures_by_year_kind_and_subject(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        a = await create_enterprise(session)
        b = await create_enterprise(session)
        for subject, year, kind, title in [
            (a, 2021, DisclosureKind.ENTERPRISE_ENVIRONMENTAL, "2021年度环境信息披露报告"),
            (a, 2022, DisclosureKind.CSR_ESG_REPORT, "2022年度ESG报告"),
            (b, 2022, DisclosureKind.ENTERPRISE_ENVIRONMENTAL, "2022年度温室气体排放报告"),
        ]:
            await create_disclosure(
                session, subject_enterprise_id=subject.id, year=year, kind=kind, title=title
            )
    await index(app, sessionmaker, DISCLOSURES)
    selection = "edges { node { title } } facets { field buckets { value label count } }"

    by_year = await search(
        gql, "searchDisclosures", selection, filter={"year": {"min": 2022}}, sort="YEAR_DESC"
    )
    by_subject = await search(
        gql,
        "searchDisclosures",
        selection,
        filter={"subjectEnterpriseId": to_global_id("Enterprise", a.id)},
        sort="YEAR_DESC",
    )
    by_synonym = await search(gql, "searchDisclosures", selection, query="GHG")

    assert sorted(titles(by_year)) == ["2022年度ESG报告", "2022年度温室气体排放报告"]
    assert facet(by_year, "year") == [("2022", "2022年", 2), ("2021", "2021年", 1)]
    assert titles(by_subject) == ["2022年度ESG报告", "2021年度环境信息披露报告"]
    assert titles(by_synonym) == ["2022年度温室气体排放报告"]


async def test_enterprises_by_green_level_and_category(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        await create_enterprise(
            session, name="四川光伏新能源有限公司", green_level=GreenLevel.EXCELLENT_GREEN
        )
        await create_enterprise(
            session,
            name="成都水务环保股份有限公司",
            green_category=GreenCategory.ENERGY_SAVING_ENVIRONMENTAL,
            green_level=GreenLevel.GREEN,
            size=EnterpriseSize.LARGE,
        )
        await create_enterprise(session, name="绵阳风电科技有限公司", region_code="510703")
    await index(app, sessionmaker, ENTERPRISES)
    selection = "edges { node { name } } facets { field label buckets { value label count } }"

    ranked = await search(gql, "searchEnterprises", selection, sort="GREEN_LEVEL_DESC")
    deep = await search(
        gql, "searchEnterprises", selection, filter={"minGreenLevel": "GREEN"}, sort="NAME"
    )
    by_synonym = await search(gql, "searchEnterprises", selection, query="风力发电")

    assert titles(ranked, "name") == [
        "四川光伏新能源有限公司",
        "成都水务环保股份有限公司",
        "绵阳风电科技有限公司",
    ]
    assert sorted(titles(deep, "name")) == ["四川光伏新能源有限公司", "成都水务环保股份有限公司"]
    assert titles(by_synonym, "name") == ["绵阳风电科技有限公司"]
    assert facet(ranked, "greenCategory") == [
        ("CLEAN_ENERGY", "清洁能源", 2),
        ("ENERGY_SAVING_ENVIRONMENTAL", "节能环保", 1),
    ]
    assert facet(ranked, "greenLevel") == [
        ("EXCELLENT_GREEN", "优绿", 1),
        ("GREEN", "绿", 1),
        ("NONE", "无等级", 1),
    ]
    assert facet(ranked, "industrySection")[0][:2] == ("D", "电力、热力、燃气及水生产和供应业")


async def test_suggest_names_of_each_entity(app, sessionmaker, gql) -> None:
    async with sessionmaker.begin() as session:
        await create_expert(session, name="李清源")
        await create_expert(session, name="李明")
        await create_expert(session, name="王光明")
    await index(app, sessionmaker, EXPERTS)

    body = await gql(
        '{ suggest(prefix: "李", entity: EXPERT, first: 5) { ... on Suggestions { items { text } } } }'
    )

    assert sorted(i["text"] for i in body["data"]["suggest"]["items"]) == ["李明", "李清源"]
