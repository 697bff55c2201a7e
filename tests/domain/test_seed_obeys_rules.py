"""The demo data obeys the same rules as data entered through the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import select

from greenrong.core.db import SessionMaker
from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.disclosure.service import validate_disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.enterprises.service import validate_enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.experts.service import validate_expert
from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.domain.finance.service import (
    validate_demand,
    validate_institution,
    validate_product,
)
from greenrong.domain.kit.service import current_values
from greenrong.domain.projects.models import Project
from greenrong.domain.projects.service import validate_project
from greenrong.domain.seed.demo import seed_demo
from greenrong.domain.technology.models import TechnologyListing, TechnologyNeed
from greenrong.domain.technology.service import validate_listing, validate_need

Validator = Callable[[Any, Mapping[str, Any]], Awaitable[None]]
RULES: list[tuple[type[Any], Validator]] = [
    (Enterprise, validate_enterprise),
    (FinancialInstitution, validate_institution),
    (FinancialProduct, validate_product),
    (FinancingDemand, validate_demand),
    (Project, validate_project),
    (Expert, validate_expert),
    (TechnologyListing, validate_listing),
    (TechnologyNeed, validate_need),
    (Disclosure, validate_disclosure),
]


@pytest.mark.parametrize(("model", "validate"), RULES, ids=[m.__name__ for m, _ in RULES])
async def test_seeded_rows_pass_the_domain_validators(
    sessionmaker: SessionMaker, model: type[Any], validate: Validator
) -> None:
    # given
    await seed_demo(sessionmaker, scale=0.05, progress=False)

    # when every row (at most 300) is checked by its create/update validator
    async with sessionmaker() as session:
        rows = (await session.scalars(select(model).order_by(model.id).limit(300))).all()
        for row in rows:
            await validate(session, current_values(row))  # raises ValidationFailed

    # then
    assert len(rows) > 0
