"""The demo seed's memberships at scale 1 reproduce the report's library counts and shares."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from greenrong.domain.kit.clock import today
from greenrong.domain.libraries.models import Library, LibraryMembership
from greenrong.domain.libraries.reference import pboc_sub_areas, strand_problem
from greenrong.domain.libraries.service import open_libraries
from greenrong.domain.projects.models import ClimateType, Project
from greenrong.domain.seed.demo import seed_demo

STATISTICS = """
query($on: Date) { platformStatistics { libraries(on: $on) {
  library count byGreenCategory { category count share sharePercent } } } }"""
#: the report's counts
COUNTS = {
    "GREEN_ENTERPRISE": 225,
    "GREEN_PROJECT": 84,
    "CULTIVATION": 338,
    "CLIMATE_INVESTMENT": 186,
    "CLIMATE_FRIENDLY": 184,
    "PBOC_CARBON_REDUCTION": 33,
}
#: the report's shares, in per cent, in GreenCategory order (节能环保, 清洁生产, 清洁能源,
#: 生态环境, 基础设施绿色升级, 绿色服务)
ENTERPRISE_SHARES = [39, 11, 13, 10, 21, 6]
PROJECT_SHARES = [20, 7, 17, 16, 38, 2]


async def test_seeded_libraries_reproduce_the_report(gql, sessionmaker) -> None:
    # given
    await seed_demo(sessionmaker, scale=1, progress=False)

    # when: today, and at the report's cut-off
    now = await gql(STATISTICS, {"on": None})
    cutoff = await gql(STATISTICS, {"on": "2022-05-31"})

    # then
    assert "errors" not in now, now
    for body in (now, cutoff):
        libraries = {x["library"]: x for x in body["data"]["platformStatistics"]["libraries"]}
        assert {k: v["count"] for k, v in libraries.items()} == COUNTS
        green_enterprises = libraries["GREEN_ENTERPRISE"]["byGreenCategory"]
        assert [c["sharePercent"] for c in green_enterprises] == ENTERPRISE_SHARES
        assert [c["count"] for c in green_enterprises] == [88, 25, 29, 23, 47, 13]
        green_projects = libraries["GREEN_PROJECT"]["byGreenCategory"]
        assert [c["sharePercent"] for c in green_projects] == PROJECT_SHARES
        assert [c["count"] for c in green_projects] == [17, 6, 14, 13, 32, 2]
        assert [c["share"] for c in green_projects] == [
            "0.2024",
            "0.0714",
            "0.1667",
            "0.1548",
            "0.3810",
            "0.0238",
        ]
        for library in libraries.values():
            assert sum(c["sharePercent"] for c in library["byGreenCategory"]) == 100

    async with sessionmaker() as session:
        # 143 mitigation (MITIGATION or BOTH) + 43 adaptation climate-investment projects
        by_type = dict(
            (
                await session.execute(
                    select(LibraryMembership.climate_type, func.count())
                    .where(LibraryMembership.library == Library.CLIMATE_INVESTMENT)
                    .group_by(LibraryMembership.climate_type)
                )
            ).all()
        )
        assert by_type.get(ClimateType.MITIGATION, 0) + by_type.get(ClimateType.BOTH, 0) == 143
        assert by_type[ClimateType.ADAPTATION] == 43
        # Project.libraries is exactly the open memberships, for every project
        projects = (await session.execute(select(Project.id, Project.libraries))).all()
        in_libraries = [(pid, libs) for pid, libs in projects if libs]
        assert len(in_libraries) > 700
        for pid, libs in in_libraries[:300]:
            assert await open_libraries(session, pid, today()) == libs
        held = await session.scalar(select(func.count(func.distinct(LibraryMembership.project_id))))
        assert held == len(in_libraries)
        # the seeded library fields obey the rules admit applies
        climate = (
            await session.execute(
                select(LibraryMembership.climate_type, LibraryMembership.climate_scope).where(
                    LibraryMembership.library == Library.CLIMATE_INVESTMENT
                )
            )
        ).all()
        assert [strand_problem(t, s) for t, s in climate] == [None] * 186
        pboc = (
            await session.execute(
                select(LibraryMembership.pboc_area, LibraryMembership.pboc_sub_area).where(
                    LibraryMembership.library == Library.PBOC_CARBON_REDUCTION
                )
            )
        ).all()
        assert all(sub is None or sub in pboc_sub_areas()[area] for area, sub in pboc)
        assert sum(sub is not None for _, sub in pboc) == 33
        # every membership starts by the report's cut-off
        latest = await session.scalar(select(func.max(LibraryMembership.since)))
        assert latest is not None
        assert latest <= date(2022, 5, 31)
