"""The precomputed technology leads (``technology_lead``): after every change through the
enterprise and disclosure services they equal a recomputation from the evidence, and buyer
matches read from them equal a full scan of every lead."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select

from greenrong.core.db import SessionMaker
from greenrong.domain.disclosure import service as disclosures
from greenrong.domain.disclosure.models import DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises import service as enterprises
from greenrong.domain.enterprises.models import Enterprise, EnterpriseSize
from greenrong.domain.kit.types import utcnow
from greenrong.domain.matching.lead_repository import Lead, TechnologyLead
from greenrong.domain.matching.leads import compute_leads
from greenrong.domain.matching.technology import (
    TECHNOLOGY_WEIGHTS,
    BuyerMatch,
    _lead_match,
    _need_match,
    buyer_matches,
    failures,
)
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.technology.models import (
    ListingStatus,
    NeedStatus,
    TechnologyListing,
    TechnologyNeed,
)
from greenrong.indexers.matching.technology import canonical_terms
from greenrong.migrations.runner import upgrade
from tests.factories.entities import credit_code


async def _table(session: Any) -> set[tuple[Any, ...]]:
    rows = await session.scalars(select(TechnologyLead))
    return {
        (r.domain.value, r.enterprise_id, r.score, r.region_code, r.prefecture_code, str(r.reasons))
        for r in rows
    }


async def _recomputed(session: Any) -> set[tuple[Any, ...]]:
    ids = list(await session.scalars(select(Enterprise.id)))
    return {
        (
            r["domain"].value,
            r["enterprise_id"],
            r["score"],
            r["region_code"],
            r["prefecture_code"],
            str(r["reasons"]),
        )
        for r in await compute_leads(session, ids)
    }


async def _leads_of(session: Any, enterprise_id: uuid.UUID) -> dict[str, list[str]]:
    rows = await session.scalars(
        select(TechnologyLead).where(TechnologyLead.enterprise_id == enterprise_id)
    )
    return {r.domain.value: [reason["message"] for reason in r.reasons] for r in rows}


def _enterprise(name: str, section: str, division: str, region: str) -> dict[str, Any]:
    return {
        "name": name,
        "credit_code": credit_code(region),
        "region_code": region,
        "industry_section": section,
        "industry_division": division,
        "size": EnterpriseSize.MEDIUM,
        "green_category": GreenCategory.CLEAN_PRODUCTION,
        "green_level": GreenLevel.NONE,
    }


def _disclosure(subject: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {
        "subject_enterprise_id": subject,
        "kind": DisclosureKind.ENTERPRISE_ENVIRONMENTAL,
        "year": 2021,
        "title": "2021年度环境信息披露报告",
        "body": "报告期内排放情况",
        "metrics": {},
        "status": DisclosureStatus.PUBLISHED,
        **values,
    }


async def test_the_leads_follow_every_change_of_their_evidence(sessionmaker) -> None:
    # given: a logistics firm (no industry signal) and a paper mill (a water lead by industry)
    async with sessionmaker.begin() as session:
        logistics = await enterprises.create_enterprise(
            session, values=_enterprise("宜宾综合物流有限公司", "G", "54", "511502")
        )
        mill = await enterprises.create_enterprise(
            session, values=_enterprise("夹江造纸有限公司", "C", "22", "511126")
        )
        assert await _leads_of(session, logistics.id) == {}
        assert await _leads_of(session, mill.id) == {
            "WATER": ["所属行业“造纸和纸制品业 ”（22）常需水污染治理技术"]
        }

    # when: each change in its own transaction, the table checked against a recomputation
    steps: list[str] = []
    async with sessionmaker.begin() as session:
        emission = await disclosures.create_disclosure(
            session, values=_disclosure(logistics.id, metrics={"scope1_tco2e": "26000.00"})
        )
        steps.append("a disclosure at the threshold")
        assert await _table(session) == await _recomputed(session)
        assert await _leads_of(session, logistics.id) == {
            "CARBON_REDUCTION": [
                "2021年披露：直接排放26,000吨二氧化碳当量，达到全国碳市场重点排放单位规模"
            ]
        }
    async with sessionmaker.begin() as session:
        emission = await disclosures.update_disclosure(
            session,
            id=emission.id,
            version=emission.version,
            changes={"metrics": {"scope1_tco2e": "25999.99"}},
        )
        steps.append("its metric below the threshold")
        assert await _leads_of(session, logistics.id) == {}
        assert await _table(session) == await _recomputed(session)
    async with sessionmaker.begin() as session:
        emission = await disclosures.update_disclosure(
            session,
            id=emission.id,
            version=emission.version,
            changes={"metrics": {"scope1_tco2e": "90000"}, "subject_enterprise_id": mill.id},
        )
        steps.append("moved to the mill, above the threshold")
        assert await _leads_of(session, logistics.id) == {}
        assert set(await _leads_of(session, mill.id)) == {"WATER", "CARBON_REDUCTION"}
        assert await _table(session) == await _recomputed(session)
    async with sessionmaker.begin() as session:
        evaluation = await disclosures.create_disclosure(
            session,
            values=_disclosure(
                mill.id,
                kind=DisclosureKind.ENVIRONMENTAL_EVALUATION,
                year=2022,
                metrics={"evaluation_score": "61.5"},
            ),
        )
        steps.append("a low evaluation")
        found = await _leads_of(session, mill.id)
        assert found["WATER"] == [
            "所属行业“造纸和纸制品业 ”（22）常需水污染治理技术",
            "2022年环境评价得分61.5，低于70分，有待治理",
        ]
        assert found["CARBON_REDUCTION"] == [
            "2021年披露：直接排放90,000吨二氧化碳当量，达到全国碳市场重点排放单位规模"
        ]
        assert await _table(session) == await _recomputed(session)
    async with sessionmaker.begin() as session:
        await disclosures.update_disclosure(
            session,
            id=evaluation.id,
            version=evaluation.version,
            changes={"status": DisclosureStatus.WITHDRAWN},
        )
        emission = await disclosures.update_disclosure(
            session,
            id=emission.id,
            version=emission.version,
            changes={"status": DisclosureStatus.DRAFT},
        )
        steps.append("both withdrawn or back to draft")
        assert await _table(session) == await _recomputed(session)
    async with sessionmaker.begin() as session:
        moved = await enterprises.update_enterprise(
            session,
            id=mill.id,
            version=(await session.get(Enterprise, mill.id)).version,
            changes={"industry_section": "G", "industry_division": "54", "region_code": "510104"},
        )
        steps.append("the mill became a logistics firm in 锦江区")
        assert moved.region_code == "510104"
        assert await _table(session) == await _recomputed(session)

    # then: nothing is left of either firm's evidence
    async with sessionmaker() as session:
        assert await _leads_of(session, mill.id) == {}
        assert await _leads_of(session, logistics.id) == {}
        assert await _table(session) == await _recomputed(session)
    assert len(steps) == 6


def _full_scan(
    listing: TechnologyListing,
    needs: list[TechnologyNeed],
    leads: list[Lead],
    *,
    first: int,
    now: Any,
) -> list[BuyerMatch]:
    """Every open need and every lead of the listing's domain, scored and sorted: no bound."""
    w = TECHNOLOGY_WEIGHTS
    offered = canonical_terms(f"{listing.title} {listing.description}")
    ranked = [
        _need_match(
            listing, n, canonical_terms(f"{n.title} {n.description}") & offered, now=now, w=w
        )
        for n in needs
        if not failures(listing, n)
    ]
    with_need = {n.enterprise_id for n in needs if n.domain is listing.domain}
    ranked += [
        _lead_match(listing, lead, w)
        for lead in leads
        if lead.domain is listing.domain
        and lead.enterprise_id not in with_need
        and lead.enterprise_id != listing.owner_enterprise_id
    ]
    ranked.sort(key=lambda m: (-m.score, m.key))
    return ranked[:first]


async def test_buyers_from_the_table_equal_a_full_scan(sessionmaker: SessionMaker) -> None:
    # given: the demo data at a tenth of the report's scale (its leads built by the seed)
    await seed_demo(sessionmaker, scale=0.1, progress=False)
    now = utcnow()
    async with sessionmaker() as session:
        assert await _table(session) == await _recomputed(session)
        listings = list(
            await session.scalars(
                select(TechnologyListing)
                .where(TechnologyListing.status == ListingStatus.PUBLISHED)
                .order_by(TechnologyListing.id)
                .limit(40)
            )
        )
        needs = list(
            await session.scalars(
                select(TechnologyNeed)
                .where(TechnologyNeed.status == NeedStatus.OPEN)
                .order_by(TechnologyNeed.created_at.desc(), TechnologyNeed.id)
            )
        )
        ids = list(await session.scalars(select(Enterprise.id)))
        every_lead = [
            Lead(
                r["domain"],
                r["enterprise_id"],
                r["score"],
                r["region_code"],
                json.dumps(r["reasons"], ensure_ascii=False),
            )
            for r in await compute_leads(session, ids)
        ]
        by_domain: dict[Any, int] = defaultdict(int)
        for lead in every_lead:
            by_domain[lead.domain] += 1

        # when
        found = {
            first: await buyer_matches(
                session, listings, first=first, terms_of=canonical_terms, now=now
            )
            for first in (1, 3, 10)
        }

    # then: the same buyers, scores, reasons and order as scoring every lead of the domain
    assert len(listings) == 40
    assert min(by_domain.values()) > 10  # many more leads than any page
    for first, matches in found.items():
        for listing in listings:
            expected = _full_scan(listing, needs, every_lead, first=first, now=now)
            assert matches[listing.id] == expected, (first, listing.title)


async def test_migrate_builds_the_leads_of_a_database_that_has_none(
    sessionmaker: SessionMaker, database_url: str
) -> None:
    # given: a paper mill and an emitter, their leads kept by their writes; then the table
    # emptied, as a database upgraded to the release that brings it finds it
    async with sessionmaker.begin() as session:
        mill = await enterprises.create_enterprise(
            session, values=_enterprise("夹江造纸有限公司", "C", "22", "511126")
        )
        emitter = await enterprises.create_enterprise(
            session, values=_enterprise("宜宾综合物流有限公司", "G", "54", "511502")
        )
        await disclosures.create_disclosure(
            session, values=_disclosure(emitter.id, metrics={"scope1_tco2e": "26000.00"})
        )
    async with sessionmaker() as session:
        kept = await _table(session)
    async with sessionmaker.begin() as session:
        await session.execute(delete(TechnologyLead))

    # when: the operator runs the release's migrations (nothing left to apply but the upkeep)
    await asyncio.to_thread(upgrade, database_url)

    # then: the leads are back, as the writes had kept them
    async with sessionmaker() as session:
        assert await _table(session) == kept
        assert sorted(await _leads_of(session, mill.id)) == ["WATER"]
        assert sorted(await _leads_of(session, emitter.id)) == ["CARBON_REDUCTION"]

    # and a migrate with the leads in place leaves them as they are
    await asyncio.to_thread(upgrade, database_url)
    async with sessionmaker() as session:
        assert await _table(session) == kept
