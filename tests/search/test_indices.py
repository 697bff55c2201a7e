"""Every index: its strict mapping is accepted, a hand-made row round-trips exactly, and a Chinese
query on each text field finds its row by bigrams."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from opensearchpy.exceptions import RequestError

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.core.search import SearchEngine, open_search
from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.finance.models import Collateral, InstitutionKind, ProductKind
from greenrong.domain.projects.models import ClimateType, ProjectLibrary, ProjectStatus
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import TechnologyDomain
from greenrong.indexers.kit.spec import COMMON_PROPERTIES, DEPENDENT_VERSION_SCALE, IndexSpec
from greenrong.indexers.kit.store import rebuild
from greenrong.indexers.registry import INDEXES, by_name
from tests.factories.entities import (
    create_disclosure,
    create_enterprise,
    create_expert,
    create_institution,
    create_listing,
    create_need,
    create_product,
    create_project,
)

INDEX_NAMES = sorted(spec.name for spec in INDEXES.values())


@pytest.fixture
async def search(settings: Settings) -> AsyncIterator[SearchEngine]:
    engine = open_search(settings)
    yield engine
    await engine.close()


async def indexed_source(
    search: SearchEngine, sessionmaker: SessionMaker, spec: IndexSpec[Any], id: uuid.UUID
) -> dict[str, Any]:
    await rebuild(search, sessionmaker, spec)
    document = await search.client.get(index=search.alias(spec.name), id=str(id))
    assert document["_version"] == document["_source"]["version"]
    source: dict[str, Any] = document["_source"]
    return source


def test_every_searchable_entity_has_one_index() -> None:
    assert sorted(INDEXES) == [
        "Disclosure",
        "Enterprise",
        "Expert",
        "FinancialProduct",
        "Project",
        "TechnologyListing",
        "TechnologyNeed",
    ]
    assert INDEX_NAMES == [
        "disclosures",
        "enterprises",
        "experts",
        "listings",
        "needs",
        "products",
        "projects",
    ]


@pytest.mark.parametrize("name", INDEX_NAMES)
async def test_the_engine_accepts_the_strict_flat_mapping(search, sessionmaker, name) -> None:
    spec = by_name(name)

    await rebuild(search, sessionmaker, spec)

    mappings = await search.client.indices.get_mapping(index=search.alias(name))
    (mapping,) = (m["mappings"] for m in mappings.values())
    assert mapping["dynamic"] == "strict"
    assert set(mapping["properties"]) == set(COMMON_PROPERTIES) | set(spec.properties)
    assert all(field["type"] != "nested" for field in mapping["properties"].values())
    suggest = [f for f, m in spec.properties.items() if m["type"] == "completion"]
    assert len(suggest) == 1
    assert suggest[0].endswith("_suggest")
    with pytest.raises(RequestError):  # dynamic: strict refuses unknown fields
        await search.client.index(index=search.alias(name), body={"surprise": 1})


async def test_an_enterprise_round_trips(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        row = await create_enterprise(
            session,
            name="成都天府光伏新能源有限公司",
            credit_code="91510107MA6CUQ0X1A",
            description="专注分布式光伏电站运维",
            region_code="510107",
            industry_section="D",
            industry_division="44",
            size=EnterpriseSize.MEDIUM,
            green_category=GreenCategory.CLEAN_ENERGY,
            green_level=GreenLevel.DEEP_GREEN,
            green_level_valid_until=date(2026, 6, 30),
        )

    source = await indexed_source(search, sessionmaker, by_name("enterprises"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1,
        "name": "成都天府光伏新能源有限公司",
        "credit_code": "91510107MA6CUQ0X1A",
        "description": "专注分布式光伏电站运维",
        "region_code": "510107",
        "region_path": ["510107", "510100", "510000"],
        "industry_section": "D",
        "industry_division": "44",
        "size": "MEDIUM",
        "green_category": "CLEAN_ENERGY",
        "green_level": "DEEP_GREEN",
        "green_level_rank": 2,
        "green_level_valid_until": "2026-06-30",
        "created_at": row.created_at.isoformat(),
        "name_suggest": {"input": ["成都天府光伏新能源有限公司"]},
    }


async def test_a_product_round_trips_with_its_institution(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        bank = await create_institution(session, name="成都农商银行", kind=InstitutionKind.BANK)
        row = await create_product(
            session,
            institution_id=bank.id,
            name="林业碳汇收益权质押贷",
            description="以林业碳汇未来收益权作为质押",
            kind=ProductKind.PLEDGE_FINANCING,
            min_amount=Decimal("500000.00"),
            max_amount=Decimal("30000000.55"),
            min_term_months=12,
            max_term_months=96,
            min_rate=Decimal("0.0385"),
            max_rate=Decimal("0.0520"),
            eligible_green_categories=[GreenCategory.ECOLOGICAL_ENVIRONMENT.value],
            eligible_region_codes=["510100", "511800"],
            accepted_collateral=[Collateral.CARBON_SINK_INCOME.value],
            min_green_level=GreenLevel.GREEN,
            active=True,
        )

    source = await indexed_source(search, sessionmaker, by_name("products"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1 * DEPENDENT_VERSION_SCALE + 1,  # own v1, institution v1
        "name": "林业碳汇收益权质押贷",
        "description": "以林业碳汇未来收益权作为质押",
        "kind": "PLEDGE_FINANCING",
        "institution_id": str(bank.id),
        "institution_name": "成都农商银行",
        "institution_kind": "BANK",
        "institution_region_path": ["510100", "510000"],
        "min_amount_fen": 50_000_000,
        "max_amount_fen": 3_000_000_055,
        "amount_middle": pytest.approx(6.588045633508873),  # log10 of ¥50万–¥3,000万's middle
        "min_term_months": 12,
        "max_term_months": 96,
        "min_rate_bp": 385,
        "max_rate_bp": 520,
        "eligible_green_categories": ["ECOLOGICAL_ENVIRONMENT"],
        "eligible_region_codes": ["510100", "511800"],
        "accepted_collateral": ["CARBON_SINK_INCOME"],
        "min_green_level": "GREEN",
        "min_green_level_rank": 1,
        "active": True,
        # the catalogue item its words name: 4.2.2.3 碳汇林、植树种草及林木种苗花卉 (林业碳汇)
        "purposes": ["4.2.2.3"],
        "created_at": row.created_at.isoformat(),
        "name_suggest": {"input": ["林业碳汇收益权质押贷"]},
    }


async def test_an_expert_round_trips(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        row = await create_expert(
            session,
            name="李红梅",
            field="固体废物资源化",
            title=ExpertTitle.PROFESSORIAL_SENIOR_ENGINEER,
            affiliation="西南交通大学环境科学与工程学院",
            specialties=["危险废物处置", "土壤修复"],
            bio="长期从事固废资源化研究",
            region_code="510106",
            contact_email="li@example.org",
        )

    source = await indexed_source(search, sessionmaker, by_name("experts"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1,
        "name": "李红梅",
        "field": "固体废物资源化",
        "title": "PROFESSORIAL_SENIOR_ENGINEER",
        "affiliation": "西南交通大学环境科学与工程学院",
        "specialties": ["危险废物处置", "土壤修复"],
        "bio": "长期从事固废资源化研究",
        "region_code": "510106",
        "region_path": ["510106", "510100", "510000"],
        "created_at": row.created_at.isoformat(),
        "name_suggest": {"input": ["李红梅"]},
    }


async def test_a_disclosure_round_trips(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        bank = await create_institution(session)
        row = await create_disclosure(
            session,
            subject_enterprise_id=None,
            subject_institution_id=bank.id,
            kind=DisclosureKind.FI_ENVIRONMENTAL,
            year=2022,
            title="2022年度绿色信贷环境信息披露",
            body="绿色贷款余额同比增长",
            metrics={"green_loan_share": "0.12"},
        )

    source = await indexed_source(search, sessionmaker, by_name("disclosures"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1,
        "kind": "FI_ENVIRONMENTAL",
        "year": 2022,
        "title": "2022年度绿色信贷环境信息披露",
        "body": "绿色贷款余额同比增长",
        "status": "PUBLISHED",
        "subject_enterprise_id": None,
        "subject_institution_id": str(bank.id),
        "created_at": row.created_at.isoformat(),
        "title_suggest": {"input": ["2022年度绿色信贷环境信息披露"]},
    }


async def test_a_need_round_trips(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        row = await create_need(
            session,
            enterprise_id=owner.id,
            title="餐厨垃圾厌氧发酵技术需求",
            description="需要日处理百吨级的餐厨垃圾处理工艺",
            domain=TechnologyDomain.SOLID_WASTE,
            budget=Decimal("2500000.10"),
            region_code="510681",
            deadline=date(2023, 12, 31),
            min_maturity=6,
        )

    source = await indexed_source(search, sessionmaker, by_name("needs"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1,
        "title": "餐厨垃圾厌氧发酵技术需求",
        "description": "需要日处理百吨级的餐厨垃圾处理工艺",
        "domain": "SOLID_WASTE",
        "budget_fen": 250_000_010,
        "min_maturity": 6,
        "region_code": "510681",
        "region_path": ["510681", "510600", "510000"],
        "deadline": "2023-12-31",
        "status": "OPEN",
        "enterprise_id": str(owner.id),
        "created_at": row.created_at.isoformat(),
        "title_suggest": {"input": ["餐厨垃圾厌氧发酵技术需求"]},
    }


async def test_a_project_round_trips(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        row = await create_project(
            session,
            enterprise_id=owner.id,
            title="岷江流域生态修复工程",
            description="包括湿地恢复与水土保持",
            green_category=GreenCategory.ECOLOGICAL_ENVIRONMENT,
            total_investment=Decimal("123456789.12"),
            region_code="511102",
            climate_type=ClimateType.ADAPTATION,
            status=ProjectStatus.PLANNING,
            libraries=[ProjectLibrary.GREEN_PROJECT.value, ProjectLibrary.CLIMATE_INVESTMENT.value],
        )

    source = await indexed_source(search, sessionmaker, by_name("projects"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1,
        "title": "岷江流域生态修复工程",
        "description": "包括湿地恢复与水土保持",
        "green_category": "ECOLOGICAL_ENVIRONMENT",
        "climate_type": "ADAPTATION",
        "status": "PLANNING",
        "libraries": ["GREEN_PROJECT", "CLIMATE_INVESTMENT"],
        "total_investment_fen": 12_345_678_912,
        "region_code": "511102",
        "region_path": ["511102", "511100", "510000"],
        "enterprise_id": str(owner.id),
        "created_at": row.created_at.isoformat(),
        "title_suggest": {"input": ["岷江流域生态修复工程"]},
    }


async def test_a_listing_round_trips(search, sessionmaker) -> None:
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        row = await create_listing(
            session,
            owner_enterprise_id=owner.id,
            title="工业余热回收发电技术",
            description="利用余热驱动有机朗肯循环",
            domain=TechnologyDomain.ENERGY_SAVING,
            maturity=6,
            asking_price=None,
            region_code="511181",
        )

    source = await indexed_source(search, sessionmaker, by_name("listings"), row.id)

    assert source == {
        "id": str(row.id),
        "version": 1,
        "title": "工业余热回收发电技术",
        "description": "利用余热驱动有机朗肯循环",
        "domain": "ENERGY_SAVING",
        "maturity": 6,
        "trade_mode": "LICENCE",
        "asking_price_fen": None,
        "region_code": "511181",
        "region_path": ["511181", "511100", "510000"],
        "status": "PUBLISHED",
        "owner_enterprise_id": str(owner.id),
        "owner_institution_id": None,
        "created_at": row.created_at.isoformat(),
        "title_suggest": {"input": ["工业余热回收发电技术"]},
    }


async def seed_targets_and_decoys(sessionmaker: SessionMaker) -> dict[str, uuid.UUID]:
    """One distinctive row per index, next to a factory-default row of the same entity."""
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(session)
        bank = await create_institution(session, name="成都农商银行")
        decoy_bank = await create_institution(session)
        await create_product(session, institution_id=decoy_bank.id)
        await create_expert(session)
        await create_disclosure(session, subject_enterprise_id=owner.id)
        await create_need(session, enterprise_id=owner.id)
        await create_project(session, enterprise_id=owner.id)
        await create_listing(session, owner_enterprise_id=owner.id)
        targets = {
            "enterprises": await create_enterprise(
                session, name="成都天府光伏新能源有限公司", description="专注分布式光伏电站运维"
            ),
            "products": await create_product(
                session,
                institution_id=bank.id,
                name="林业碳汇收益权质押贷",
                description="以林业碳汇未来收益权作为质押",
            ),
            "experts": await create_expert(
                session,
                name="李红梅",
                field="固体废物资源化",
                affiliation="西南交通大学环境科学与工程学院",
                specialties=["危险废物处置", "土壤修复"],
                bio="长期从事固废资源化研究",
            ),
            "disclosures": await create_disclosure(
                session,
                subject_enterprise_id=owner.id,
                title="2022年度绿色信贷环境信息披露",
                body="绿色贷款余额同比增长",
            ),
            "needs": await create_need(
                session,
                enterprise_id=owner.id,
                title="餐厨垃圾厌氧发酵技术需求",
                description="需要日处理百吨级的餐厨垃圾处理工艺",
            ),
            "projects": await create_project(
                session,
                enterprise_id=owner.id,
                title="岷江流域生态修复工程",
                description="包括湿地恢复与水土保持",
            ),
            "listings": await create_listing(
                session,
                owner_enterprise_id=owner.id,
                title="工业余热回收发电技术",
                description="利用余热驱动有机朗肯循环",
            ),
        }
    return {name: row.id for name, row in targets.items()}


TEXT_QUERIES = [
    ("enterprises", "name", "光伏新能"),
    ("enterprises", "description", "电站运维"),
    ("products", "name", "收益权质押"),
    ("products", "description", "未来收益"),
    ("products", "institution_name", "农商"),
    ("experts", "name", "红梅"),
    ("experts", "field", "资源化"),
    ("experts", "affiliation", "西南交通"),
    ("experts", "specialties", "土壤修复"),
    ("experts", "bio", "固废"),
    ("disclosures", "title", "绿色信贷"),
    ("disclosures", "body", "同比增长"),
    ("needs", "title", "厌氧发酵"),
    ("needs", "description", "百吨级"),
    ("projects", "title", "生态修复"),
    ("projects", "description", "湿地恢复"),
    ("listings", "title", "余热回收"),
    ("listings", "description", "朗肯循环"),
]


def test_every_text_field_has_a_chinese_query() -> None:
    text_fields = {
        (spec.name, field)
        for spec in INDEXES.values()
        for field, mapping in spec.properties.items()
        if mapping["type"] == "text"
    }
    assert {(index, field) for index, field, _ in TEXT_QUERIES} == text_fields


@pytest.mark.parametrize(("name", "field", "query"), TEXT_QUERIES)
async def test_a_chinese_query_finds_its_row_by_bigrams(
    search, sessionmaker, name, field, query
) -> None:
    # given a distinctive row and a decoy of the same entity
    targets = await seed_targets_and_decoys(sessionmaker)
    await rebuild(search, sessionmaker, by_name(name))

    # when a Chinese phrase (no whole word of the text, only its bigrams) is searched
    response = await search.client.search(
        index=search.alias(name), body={"query": {"match": {field: query}}}
    )

    # then exactly the target comes back
    assert [hit["_id"] for hit in response["hits"]["hits"]] == [str(targets[name])]
