"""TechnologyListing.buyerMatches: posted needs under the same rules, and enterprise leads with
the evidence that makes them leads (industry, disclosed metrics, environmental evaluation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greenrong.domain.disclosure.models import DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.matching.technology import buyer_signals
from greenrong.domain.technology.models import ListingStatus, NeedStatus
from greenrong.domain.technology.models import TechnologyDomain as D
from greenrong.schema.kit.ids import to_global_id
from tests.factories.entities import (
    create_disclosure,
    create_enterprise,
    create_listing,
    create_need,
)
from tests.factories.statements import count_statements

BUYERS = """
query($id: ID!, $first: Int) {
  node(id: $id) {
    ... on TechnologyListing {
      buyerMatches(first: $first) {
        edges {
          rank score
          node {
            __typename
            ... on TechnologyNeed { title }
            ... on EnterpriseLead { enterprise { name } }
          }
          reasons { code message weight }
        }
      }
    }
  }
}"""


def _name(edge: dict[str, Any]) -> str:
    node = edge["node"]
    return str(
        node["title"] if node["__typename"] == "TechnologyNeed" else node["enterprise"]["name"]
    )


async def _buyers(gql: Any, listing: Any, first: int = 10) -> list[dict[str, Any]]:
    body = await gql(BUYERS, {"id": to_global_id("TechnologyListing", listing.id), "first": first})
    assert "errors" not in body, body["errors"]
    edges: list[dict[str, Any]] = body["data"]["node"]["buyerMatches"]["edges"]
    return edges


def _codes(edge: dict[str, Any]) -> list[str]:
    return [r["code"] for r in edge["reasons"]]


async def test_open_needs_match_on_both_sides_of_each_boundary(sessionmaker, gql) -> None:
    # given: a ¥50万, maturity-7 water technology
    async with sessionmaker.begin() as session:
        listing = await create_listing(
            session,
            title="MBR膜生物反应器废水处理技术",
            domain=D.WATER,
            maturity=7,
            asking_price=Decimal("500000.00"),
            region_code="510104",
        )
        buyer = await create_enterprise(session, name="成都啤酒有限公司", industry_division="51")

        async def need(title: str, **overrides: Any) -> None:
            values: dict[str, Any] = {
                "title": title,
                "description": "处理酿造废水",
                "domain": D.WATER,
                "budget": Decimal("500000.00"),
                "min_maturity": 7,
            }
            await create_need(session, enterprise_id=buyer.id, **(values | overrides))

        await need("预算等于报价的需求")
        await need("预算少一分的需求", budget=Decimal("499999.99"))
        await need("要求八级成熟度的需求", min_maturity=8)
        await need("无预算无要求的需求", budget=None, min_maturity=None)
        await need("大气领域的需求", domain=D.AIR)
        await need("已关闭的需求", status=NeedStatus.CLOSED)

    # when
    edges = await _buyers(gql, listing)

    # then
    assert sorted(_name(e) for e in edges) == ["无预算无要求的需求", "预算等于报价的需求"]
    exact = next(e for e in edges if _name(e) == "预算等于报价的需求")
    assert _codes(exact)[:4] == ["POSTED_NEED", "DOMAIN", "BUDGET", "MATURITY"]
    assert {"message": "预算¥50万可覆盖报价¥50万", "code": "BUDGET", "weight": 0.0} in exact[
        "reasons"
    ]
    assert {"DOMAIN_TERM", "SAME_COUNTY"} <= set(_codes(exact))


async def test_leads_come_with_the_evidence_that_makes_them_leads(sessionmaker, gql) -> None:
    # given: a carbon-reduction technology, and four enterprises without a need
    async with sessionmaker.begin() as session:
        listing = await create_listing(
            session,
            title="水泥窑烟气二氧化碳捕集技术",
            domain=D.CARBON_REDUCTION,
            region_code="510700",
        )
        await create_enterprise(
            session,
            name="绵阳水泥有限公司",
            industry_section="C",
            industry_division="30",
            region_code="510703",
        )
        emitter = await create_enterprise(
            session, name="宜宾综合物流有限公司", industry_section="G", industry_division="54"
        )
        await create_disclosure(
            session,
            subject_enterprise_id=emitter.id,
            year=2021,
            metrics={"scope1_tco2e": "26000.00"},  # at the threshold
        )
        below = await create_enterprise(
            session, name="雅安茶业有限公司", industry_section="C", industry_division="15"
        )
        await create_disclosure(
            session, subject_enterprise_id=below.id, metrics={"scope1_tco2e": "25999.99"}
        )
        draft = await create_enterprise(
            session, name="广元运输有限公司", industry_section="G", industry_division="54"
        )
        await create_disclosure(
            session,
            subject_enterprise_id=draft.id,
            metrics={"scope1_tco2e": "900000.00"},
            status=DisclosureStatus.DRAFT,
        )

    # when
    edges = await _buyers(gql, listing)

    # then: the industry lead and the emitter; not one below the threshold or with a draft
    assert [_name(e) for e in edges] == ["绵阳水泥有限公司", "宜宾综合物流有限公司"]
    by_name = {_name(e): e for e in edges}
    cement_reasons = by_name["绵阳水泥有限公司"]["reasons"]
    assert cement_reasons[0] == {
        "code": "INDUSTRY",
        "message": "所属行业“非金属矿物制品业”（30）常需减碳技术",
        "weight": 1.5,
    }
    assert cement_reasons[1]["code"] == "SAME_PREFECTURE"
    assert by_name["宜宾综合物流有限公司"]["reasons"] == [
        {
            "code": "DISCLOSED_METRIC",
            "message": "2021年披露：直接排放26,000吨二氧化碳当量，达到全国碳市场重点排放单位规模",
            "weight": 2.0,
        }
    ]
    assert by_name["宜宾综合物流有限公司"]["node"]["__typename"] == "EnterpriseLead"


async def test_a_low_environmental_evaluation_makes_a_lead(sessionmaker, gql) -> None:
    # given: the threshold is 70 points; 69.9 is a lead, 70.0 is not
    assert buyer_signals()[D.WATER].evaluation_below == Decimal("70")
    async with sessionmaker.begin() as session:
        listing = await create_listing(session, domain=D.WATER, title="工业园区污水处理技术")
        for name, score in (("自贡盐化有限公司", "69.9"), ("内江食品有限公司", "70.0")):
            firm = await create_enterprise(
                session,
                name=name,
                industry_section="F",
                industry_division="51",
                region_code="510302",
            )
            await create_disclosure(
                session,
                subject_enterprise_id=firm.id,
                kind=DisclosureKind.ENVIRONMENTAL_EVALUATION,
                year=2021,
                metrics={"evaluation_score": score},
            )

    # when
    edges = await _buyers(gql, listing)

    # then
    assert [_name(e) for e in edges] == ["自贡盐化有限公司"]
    assert edges[0]["reasons"] == [
        {
            "code": "EVALUATION",
            "message": "2021年环境评价得分69.9，低于70分，有待治理",
            "weight": 1.5,
        }
    ]


async def test_a_posted_need_outranks_a_lead_and_replaces_it(sessionmaker, gql) -> None:
    # given: a paper mill with an industry signal and a posted need, another without a need
    async with sessionmaker.begin() as session:
        listing = await create_listing(session, domain=D.WATER, title="造纸废水处理技术")
        with_need = await create_enterprise(
            session, name="夹江造纸有限公司", industry_section="C", industry_division="22"
        )
        await create_need(
            session, enterprise_id=with_need.id, title="造纸废水提标需求", budget=None
        )
        await create_enterprise(
            session, name="犍为纸业有限公司", industry_section="C", industry_division="22"
        )

    # when
    edges = await _buyers(gql, listing)

    # then: the mill with a need appears once, as its need, first
    assert [_name(e) for e in edges] == ["造纸废水提标需求", "犍为纸业有限公司"]
    assert [e["node"]["__typename"] for e in edges] == ["TechnologyNeed", "EnterpriseLead"]
    assert edges[0]["score"] > edges[1]["score"]


async def test_an_unpublished_listing_has_no_buyers_and_the_owner_is_never_one(
    sessionmaker, gql
) -> None:
    # given
    async with sessionmaker.begin() as session:
        owner = await create_enterprise(
            session, name="攀钢节能有限公司", industry_section="C", industry_division="31"
        )
        draft = await create_listing(
            session, domain=D.ENERGY_SAVING, status=ListingStatus.DRAFT, title="高炉余热回收技术"
        )
        own = await create_listing(
            session, domain=D.ENERGY_SAVING, owner_enterprise_id=owner.id, title="转炉煤气回收技术"
        )
        await create_need(session, enterprise_id=owner.id, domain=D.ENERGY_SAVING)
        draft_owner = await session.get(Enterprise, draft.owner_enterprise_id)
        assert draft_owner is not None

    # then: the owner's own need and its industry make it no buyer of its own listing (the
    # draft's owner, a power company, is a lead for it)
    assert await _buyers(gql, draft) == []
    assert [_name(e) for e in await _buyers(gql, own)] == [draft_owner.name]


async def test_buyers_of_many_listings_take_a_fixed_number_of_statements(
    app, sessionmaker, gql
) -> None:
    # given: five listings, and two needs that are buyers of them
    async with sessionmaker.begin() as session:
        for n in range(5):
            await create_listing(session, title=f"废水处理技术{n}", domain=D.WATER)
        buyer = await create_enterprise(session, name="眉山食品有限公司")
        for title in ("食品废水处理需求", "养殖废水处理需求"):
            await create_need(session, enterprise_id=buyer.id, title=title, budget=None)
    # when
    with count_statements(app.state.resources.engine) as statements:
        body = await gql(
            """{ technologyListings(first: 10) { edges { node { buyerMatches(first: 3) {
                 edges { node { __typename } } } } } } }"""
        )

    # then: the page, the open needs that may be buyers (their ranked columns), the leads that
    # may rank, the needs that reach a page (whole rows); the batch's listings are the page's
    # rows, not read again
    assert "errors" not in body
    assert len(statements) == 4, statements
    assert all(
        len(node["node"]["buyerMatches"]["edges"]) == 2
        for node in body["data"]["technologyListings"]["edges"]
    )
