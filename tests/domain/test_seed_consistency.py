"""Seeded rows agree with each other: financing, projects, regions, industries, sizes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from greenrong.core.db import SessionMaker
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.finance.models import (
    DemandStatus,
    FinancialProduct,
    FinancingDemand,
    ProductKind,
)
from greenrong.domain.projects.models import Project
from greenrong.domain.reference.vocab import GreenLevel
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.seed.reference import sichuan
from greenrong.domain.technology.models import TechnologyListing

OPEN = datetime(2020, 1, 1, tzinfo=UTC)
CUTOFF = datetime(2022, 5, 31, 23, 59, 59, tzinfo=UTC)


async def test_seeded_financing_demands_are_consistent(sessionmaker: SessionMaker) -> None:
    # given
    await seed_demo(sessionmaker, scale=0.1, progress=False)

    # when
    async with sessionmaker() as session:
        demands = (await session.scalars(select(FinancingDemand))).all()
        products = {p.id: p for p in (await session.scalars(select(FinancialProduct))).all()}
        projects = {p.id: p for p in (await session.scalars(select(Project))).all()}

    # then
    financed = [d for d in demands if d.status is DemandStatus.FINANCED]
    assert len(financed) == 14 + 39 + 52
    for d in demands:
        assert OPEN <= d.submitted_at <= CUTOFF
        assert d.amount >= 10000
        if d.project_id is not None:
            project = projects[d.project_id]
            assert project.enterprise_id == d.enterprise_id
            assert project.created_at < d.submitted_at
    for d in financed:
        assert d.financed_amount is not None
        assert d.financed_at is not None
        assert d.financed_amount <= d.amount
        assert d.submitted_at < d.financed_at <= CUTOFF
        assert d.product_id is not None
        product = products[d.product_id]
        assert product.kind is not ProductKind.INSURANCE
        assert product.min_term_months <= d.term_months <= product.max_term_months
        assert d.max_rate is not None
        assert d.max_rate >= product.min_rate
    assert all(d.financed_amount is None for d in demands if d.status is not DemandStatus.FINANCED)


async def test_seeded_enterprises_are_consistent_with_the_reference_data(
    sessionmaker: SessionMaker,
) -> None:
    # given
    await seed_demo(sessionmaker, scale=0.1, progress=False)
    geography = sichuan()

    # when
    async with sessionmaker() as session:
        enterprises = (await session.scalars(select(Enterprise))).all()
        institution_listings = await session.scalar(
            select(func.count())
            .select_from(TechnologyListing)
            .where(TechnologyListing.owner_institution_id.is_not(None))
        )

    # then
    for e in enterprises:
        assert e.region_code in geography.regions
        assert e.region_code != "510000"
        assert geography.divisions[e.industry_division].section == e.industry_section
        assert e.name.endswith("公司")
        assert (e.green_level is GreenLevel.NONE) == (e.green_level_valid_until is None)
    assert sum(e.region_code.startswith("5101") for e in enterprises) > len(enterprises) // 3
    assert sum(e.region_code.endswith("00") for e in enterprises) > 0  # some prefecture codes
    assert 0 < (institution_listings or 0) < 100 // 2


async def test_the_smallest_scale_seeds_and_shows_progress_bars(
    sessionmaker: SessionMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    report = await seed_demo(sessionmaker, scale=0.01, progress=True)

    # then
    assert report.count("Enterprise") == 29
    assert report.count("FinancialInstitution") == 1
    assert "Enterprise" in capsys.readouterr().err
