"""``technology.buyer_matches`` for a batch of listings of several domains at once: exact names,
scores and reasons, pinned on the ranking that loaded every open need of the batch's domains
(before the needs were pre-filtered in SQL and scored before their reasons were written)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from greenrong.domain.matching import repository
from greenrong.domain.matching.technology import BuyerMatch, buyer_matches
from greenrong.domain.technology.models import ListingStatus, NeedStatus
from greenrong.domain.technology.models import TechnologyDomain as D
from greenrong.indexers.matching.technology import canonical_terms
from tests.factories.entities import create_enterprise, create_listing, create_need

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
RULES = ["POSTED_NEED", "DOMAIN"]


def _rows(matches: list[BuyerMatch], names: dict[Any, str]) -> list[tuple[str, float, list[str]]]:
    return [
        (
            m.need.title if m.need is not None else names[m.enterprise_id],
            m.score,
            [r.code.value for r in m.reasons],
        )
        for m in matches
    ]


async def test_a_batch_ranks_each_listing_by_its_own_rules_terms_and_place(sessionmaker) -> None:
    # given: three published listings of two domains and a draft, in one batch
    async with sessionmaker.begin() as session:
        names: dict[Any, str] = {}

        async def firm(name: str, **overrides: Any) -> Any:
            row = await create_enterprise(session, name=name, **overrides)
            names[row.id] = name
            return row

        steel = await firm("攀枝花钢铁有限公司", industry_section="C", industry_division="31")
        lab = await firm("成都环保科技有限公司", industry_section="M", industry_division="75")
        membrane = await create_listing(
            session,
            title="MBR膜生物反应器废水处理技术",
            description="适用于印染、造纸废水，出水达到一级A标准",
            domain=D.WATER,
            maturity=7,
            asking_price=Decimal("500000.00"),
            region_code="510104",  # 锦江区
            owner_enterprise_id=lab.id,
        )
        sludge = await create_listing(
            session,
            title="污泥低温干化技术",
            description="市政污泥减量，热泵干化",
            domain=D.WATER,
            maturity=5,
            asking_price=None,
            region_code="510703",  # 涪城区
            owner_enterprise_id=lab.id,
        )
        desulphur = await create_listing(
            session,
            title="烧结烟气脱硫脱硝一体化技术",
            description="钢铁烧结机烟气超低排放改造",
            domain=D.AIR,
            maturity=8,
            asking_price=Decimal("3000000.00"),
            region_code="510402",
            owner_enterprise_id=steel.id,
        )
        draft = await create_listing(
            session,
            title="草稿技术",
            domain=D.WATER,
            status=ListingStatus.DRAFT,
            owner_enterprise_id=lab.id,
        )
        brewery = await firm("成都啤酒有限公司", industry_section="C", industry_division="15")
        paper = await firm(
            "夹江造纸有限公司", industry_section="C", industry_division="22", region_code="511126"
        )
        dye = await firm(
            "绵阳印染有限公司", industry_section="C", industry_division="17", region_code="510703"
        )
        await firm(
            "犍为纸业有限公司", industry_section="C", industry_division="22", region_code="511123"
        )
        await firm(
            "德阳火电有限公司", industry_section="D", industry_division="44", region_code="510603"
        )

        async def need(firm_row: Any, title: str, days: int, **overrides: Any) -> None:
            values: dict[str, Any] = {
                "title": title,
                "description": "",
                "domain": D.WATER,
                "budget": None,
                "min_maturity": None,
                "region_code": firm_row.region_code,
                "created_at": NOW - timedelta(days=days),
            }
            await create_need(session, enterprise_id=firm_row.id, **(values | overrides))

        await need(
            brewery,
            "酿造废水膜处理需求",
            10,
            description="膜生物反应器，预算充足",
            budget=Decimal("500000.00"),
            min_maturity=7,
        )
        await need(brewery, "预算不足的废水需求", 20, budget=Decimal("499999.99"))
        await need(paper, "造纸废水提标改造", 400, description="造纸废水深度处理", min_maturity=6)
        await need(
            paper,
            "污泥处置需求",
            30,
            description="污泥干化减量",
            min_maturity=5,
            budget=Decimal("100.00"),
        )
        await need(
            dye,
            "印染废水回用需求",
            200,
            description="印染废水膜处理回用",
            region_code="510703",
            min_maturity=8,
        )
        await need(dye, "已关闭的需求", 1, status=NeedStatus.CLOSED)
        await need(steel, "钢厂烟气治理需求", 5, domain=D.AIR, description="烧结烟气脱硫")
        await need(
            dye,
            "燃煤锅炉脱硝需求",
            700,
            domain=D.AIR,
            description="锅炉烟气脱硝",
            budget=Decimal("3000000.00"),
            region_code="510402",
        )
        await need(dye, "大气预算不足", 3, domain=D.AIR, budget=Decimal("2999999.99"))
        await need(dye, "节能领域的需求", 1, domain=D.ENERGY_SAVING)
        await need(dye, "污泥干化处置需求", 60, description="印染污泥处置", region_code="510704")
        await need(
            paper,
            "脱硫脱硝改造需求",
            90,
            domain=D.AIR,
            min_maturity=8,
            budget=Decimal("3000000.00"),
        )
        await need(brewery, "锅炉脱硫需求", 2, domain=D.AIR, description="燃气锅炉烟气脱硫")
        await need(brewery, "成熟度要求过高", 2, domain=D.AIR, min_maturity=9)
        await need(paper, "大气治理综合需求", 1000, domain=D.AIR)
        await need(dye, "多年前的大气需求", 1500, domain=D.AIR)

    # when
    async with sessionmaker() as session:
        found = await buyer_matches(
            session,
            [membrane, sludge, desulphur, draft],
            first=4,
            terms_of=canonical_terms,
            now=NOW,
        )

    # then
    # then: SQL reads only the needs some listing can meet (not 印染废水回用需求, maturity 8 > 7;
    # not 大气预算不足 or 成熟度要求过高; no closed need, none of another domain)
    async with sessionmaker() as session:
        candidates = await repository.open_needs(session, [membrane, sludge, desulphur])
    assert sorted(n.title for n in candidates) == sorted(
        [
            "酿造废水膜处理需求",
            "预算不足的废水需求",
            "造纸废水提标改造",
            "污泥处置需求",
            "污泥干化处置需求",
            "钢厂烟气治理需求",
            "燃煤锅炉脱硝需求",
            "脱硫脱硝改造需求",
            "锅炉脱硫需求",
            "大气治理综合需求",
            "多年前的大气需求",
        ]
    )
    # per listing, its own rules (budget, maturity, owner), terms and place
    assert found[draft.id] == []
    assert _rows(found[membrane.id], names) == [
        (
            "酿造废水膜处理需求",
            8.9997,
            [*RULES, "BUDGET", "MATURITY", "DOMAIN_TERM", "SAME_COUNTY", "RECENT"],
        ),
        ("造纸废水提标改造", 7.21749, [*RULES, "MATURITY", "DOMAIN_TERM"]),
        ("污泥干化处置需求", 5.4907, [*RULES, "RECENT"]),
        ("犍为纸业有限公司", 1.5, ["INDUSTRY"]),
    ]
    assert _rows(found[sludge.id], names) == [
        ("污泥干化处置需求", 6.4907, [*RULES, "SAME_PREFECTURE", "RECENT"]),
        ("预算不足的废水需求", 5.499, [*RULES, "RECENT"]),
        ("污泥处置需求", 5.4977, [*RULES, "MATURITY", "RECENT"]),
        ("犍为纸业有限公司", 1.5, ["INDUSTRY"]),
    ]
    # the owner's own need is no buyer; the fifth (多年前的大气需求) and the lead are cut
    assert _rows(found[desulphur.id], names) == [
        (
            "脱硫脱硝改造需求",
            9.4794,
            [*RULES, "BUDGET", "MATURITY", "DOMAIN_TERM", "DOMAIN_TERM", "RECENT"],
        ),
        ("燃煤锅炉脱硝需求", 8.539065, [*RULES, "BUDGET", "DOMAIN_TERM", "SAME_COUNTY"]),
        ("锅炉脱硫需求", 7.5, [*RULES, "DOMAIN_TERM", "RECENT"]),
        ("大气治理综合需求", 5.00275, RULES),
    ]
    assert [(r.message, r.weight) for r in found[desulphur.id][1].reasons] == [
        ("已发布技术需求“燃煤锅炉脱硝需求”", 5.0),
        ("技术领域相符：大气污染治理", 0.0),
        ("预算¥300万可覆盖报价¥300万", 0.0),
        ("需求提到“脱硝”", 2.0),
        ("同在东区", 1.5),
    ]
    assert [(r.message, r.weight) for r in found[sludge.id][0].reasons] == [
        ("已发布技术需求“污泥干化处置需求”", 5.0),
        ("技术领域相符：水污染治理", 0.0),
        ("同在绵阳市", 1.0),
        ("近期发布的需求", 0.4907),
    ]
