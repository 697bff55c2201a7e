"""The alerts consumer's matching (a scratch index of the batch, each distinct condition
searched once) finds exactly what the previous method found: every saved search run against
the whole listings index with an ``ids`` filter of the batch. The previous method lives only
here (and in no production code), as the reference."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from greenrong.core.config import Settings
from greenrong.core.db import SessionMaker
from greenrong.domain.access.principal import Role
from greenrong.domain.partners import saved_searches
from greenrong.domain.technology.models import ListingStatus, TechnologyDomain
from greenrong.domain.technology.service import create_listing
from greenrong.workers import alerts
from greenrong.workers.runtime import Runtime, open_runtime
from tests.factories.entities import create_enterprise
from tests.partners.saved import caller, pk, save
from tests.pipeline.conftest import eventually, settled

#: title | description | domain | maturity | price in CNY | region | status | owner
LISTINGS = [
    line.split(" | ")
    for line in """\
膜生物反应器污水处理技术 | 适用于工业废水的膜生物反应器工艺 | WATER | 7 | 800000 | 510104 | PUBLISHED | other
MBR一体化污水处理设备 | 集装箱式MBR设备，日处理500吨 | WATER | 8 | 1200000 | 510107 | PUBLISHED | other
光伏组件回收技术 | 晶硅光伏组件的拆解与回收 | CLEAN_ENERGY | 5 | 3000000 | 510603 | PUBLISHED | other
工业余热回收利用系统 | 钢铁行业余热回收发电 | ENERGY_SAVING | 9 | 25000000 | 510300 | PUBLISHED | other
脱硫脱硝一体化技术 | 燃煤锅炉烟气脱硫脱硝 | AIR | 6 | 4500000 | 510104 | PUBLISHED | other
污染土壤修复技术 | 重金属污染土壤的原位修复 | SOIL | 4 | 600000 | 511102 | PUBLISHED | other
在线监测系统 | 污水排放口水质自动监测 | MONITORING | 7 | 350000 | 510104 | PUBLISHED | other
膜生物反应器中水回用技术 | 中水回用的膜工艺 | WATER | 3 | 150000 | 510104 | DRAFT | mine
储能电池梯次利用 | 退役动力电池储能 | CLEAN_ENERGY | 6 | 9000000 | 510681 | DRAFT | other
碳捕集与封存示范 | 燃煤电厂烟气二氧化碳捕集 | CARBON_REDUCTION | 5 | 80000000 | 510500 | PUBLISHED | mine
""".splitlines()
]

#: (role, query, filter): text, filters, ranges, regions, Chinese and Latin words, synonyms
SEARCHES: list[tuple[Role, str | None, dict[str, Any] | None]] = [
    (Role.PARTNER, "膜生物反应器", None),
    (Role.PARTNER, "膜生物反应器", {"domain": ["WATER"]}),
    (Role.PARTNER, "污水处理", {"maturity": {"min": 7}}),
    (Role.PARTNER, "MBR", None),
    (Role.PARTNER, "mbr设备", None),
    (Role.PARTNER, "在线监测", None),
    (Role.PARTNER, "自动监测", {"region": ["510100"]}),
    (Role.PARTNER, None, {"domain": ["CLEAN_ENERGY", "ENERGY_SAVING", "AIR"]}),
    (Role.PARTNER, None, {"askingPrice": {"min": "500000", "max": "5000000"}}),
    (Role.PARTNER, None, {"maturity": {"min": 5, "max": 6}, "region": ["510000"]}),
    (Role.PARTNER, "回收", {"tradeMode": ["LICENCE"]}),
    (Role.PARTNER, "余热 回收 发电", None),
    (Role.PARTNER, "烟气", {"status": ["PUBLISHED"]}),
    (Role.PARTNER, "光伏组件", {"domain": ["WATER"]}),
    (Role.PARTNER, "土壤修复", {"askingPrice": {"max": "600000"}}),
    (Role.ENTERPRISE, "膜生物反应器", None),
    (
        Role.ENTERPRISE,
        None,
        {"domain": ["CARBON_REDUCTION", "CLEAN_ENERGY"], "maturity": {"max": 5}},
    ),
    (Role.ENTERPRISE, "储能", None),
]


async def old_matches(
    runtime: Runtime, listing_ids: list[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """The previous method: each active saved search against the listings index, with an
    ``ids`` filter of the batch, 200 per msearch."""
    alias = runtime.search.alias("listings")
    await runtime.search.client.indices.refresh(index=alias)
    scopes = alerts._Scopes(runtime)
    async with runtime.sessionmaker() as session:
        rows = await saved_searches.active_chunk(session, after_id=None, limit=10_000)
    ids = [str(i) for i in listing_ids]
    bodies = [
        alerts.matching_body(r, await scopes.of(r), size=len(ids), document_ids=ids) for r in rows
    ]
    matched: dict[uuid.UUID, set[uuid.UUID]] = {}
    for start in range(0, len(bodies), 200):
        lines = alerts.msearch_lines(alias, bodies[start : start + 200])
        answer = await runtime.search.client.msearch(body=lines)
        for row, result in zip(rows[start : start + 200], answer["responses"], strict=True):
            assert "error" not in result, result
            matched[row.id] = {uuid.UUID(hit["_id"]) for hit in result["hits"]["hits"]}
    return matched


async def test_the_scratch_index_finds_exactly_what_the_whole_index_found(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: SessionMaker
) -> None:
    # given listings of two enterprises (one of which saves searches and owns drafts) ...
    async with sessionmaker.begin() as session:
        other = (await create_enterprise(session, name="清源环保")).id
        mine = (await create_enterprise(session, name="蓝天水务")).id
        created = []
        for title, text, domain, maturity, price, region, status, owner in LISTINGS:
            values = {
                "owner_enterprise_id": mine if owner == "mine" else other,
                "title": title,
                "description": text,
                "domain": TechnologyDomain(domain),
                "maturity": int(maturity),
                "trade_mode": "LICENCE" if int(maturity) % 2 else "TRANSFER",
                "asking_price": Decimal(price),
                "region_code": region,
                "status": ListingStatus(status),
            }
            created.append((await create_listing(session, values=values)).id)
    # ... saved searches of a partner and of that enterprise, all indexed and settled
    partner = caller(client, settings, Role.PARTNER, subject="银行甲")
    enterprise = caller(client, settings, Role.ENTERPRISE, subject="企业乙", org_id=mine)
    saved = [
        await save(partner if role is Role.PARTNER else enterprise, query, filter)
        for role, query, filter in SEARCHES
    ]
    await eventually(lambda: settled(sessionmaker), what="the listings to be indexed")

    runtime = open_runtime(settings)
    try:
        for batch in (created, created[:3], created[6:]):
            # when the batch is matched both ways
            old = await old_matches(runtime, batch)
            new, failures = await alerts.current_matches(runtime, batch)
            # then the same saved searches match the same listings
            assert failures == []
            assert new == old
        whole, _ = await alerts.current_matches(runtime, created)
    finally:
        await runtime.close()

    # and they are the matches each search is meant to have
    found = {n: sorted(created.index(i) for i in whole[pk(s)]) for n, s in enumerate(saved)}
    assert found == {
        0: [0],
        1: [0],
        2: [0, 1],  # 在线监测系统 has 污水 but not 污水处理
        3: [1],
        4: [1],
        5: [6],
        6: [6],
        7: [2, 3, 4],
        8: [0, 1, 2, 4, 5],
        9: [2, 4, 9],  # not 8: a draft of another enterprise
        10: [2, 3],
        11: [3],
        12: [4, 9],
        13: [],
        14: [5],
        15: [0, 7],
        16: [2, 9],
        17: [],
    }
    assert sum(len(v) for v in whole.values()) == 29
