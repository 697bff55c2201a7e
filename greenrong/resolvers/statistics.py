"""`platformStatistics`."""

from __future__ import annotations

import strawberry

from greenrong.domain.statistics.service import (
    FIGURES_REVISION,
    platform_statistics,
    shared_scope,
)
from greenrong.schema.kit.answers import shared_answer
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.cost import cost
from greenrong.schema.statistics.types import (
    CategoryCount,
    DisclosureKindCount,
    PlatformStatistics,
    TitleCount,
    YearAmount,
)


@strawberry.type(description="Platform statistics.")
class StatisticsQuery:
    @strawberry.field(
        description=(
            "Platform figures over the rows the caller may see: counts, financing by year,"
            " breakdowns. Anonymous callers get the figures of public rows."
        ),
        metadata={
            **cost(10),  # priced as when it recomputed (a read of kept figures now)
            # callers of one scope share the answer until a kept figure changes
            **shared_answer(revisions=(FIGURES_REVISION,), scope=shared_scope),
        },
    )
    async def platform_statistics(self, info: Info) -> PlatformStatistics:
        async with info.context.sessionmaker() as session:
            if session.bind.dialect.name == "postgresql":
                # a read of one or two statements, each its own snapshot under READ COMMITTED
                # anyway: no BEGIN/ROLLBACK round trips around them (SQLite's driver opens no
                # transaction for a read, and setting and resetting the level costs two more
                # trips to its thread)
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            stats = await platform_statistics(session, principal=info.context.principal)
        return PlatformStatistics(
            enterprise_count=stats.enterprise_count,
            institution_count=stats.institution_count,
            product_count=stats.product_count,
            expert_count=stats.expert_count,
            listing_count=stats.listing_count,
            demand_received_total=stats.demand_received_total,
            financing_facilitated_total=stats.financing_facilitated_total,
            demand_received_by_year=[
                YearAmount(year=y.year, amount=y.amount, count=y.count)
                for y in stats.demand_received_by_year
            ],
            financing_facilitated_by_year=[
                YearAmount(year=y.year, amount=y.amount, count=y.count)
                for y in stats.financing_facilitated_by_year
            ],
            enterprises_by_green_category=[
                CategoryCount(category=c, count=n) for c, n in stats.enterprises_by_green_category
            ],
            experts_by_title=[TitleCount(title=t, count=n) for t, n in stats.experts_by_title],
            disclosures_by_kind=[
                DisclosureKindCount(kind=k, count=n) for k, n in stats.disclosures_by_kind
            ],
            matching_service_count=stats.matching_service_count,
            match_financed_total=stats.match_financed_total,
            match_financed_by_year=[
                YearAmount(year=y.year, amount=y.amount, count=y.count)
                for y in stats.match_financed_by_year
            ],
        )
