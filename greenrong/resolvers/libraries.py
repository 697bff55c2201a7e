"""Root fields of the green libraries: the member lists, the four mutations, nested lists."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from greenrong.domain.libraries import cultivation, service
from greenrong.domain.libraries.models import (
    CultivationRecommendation as RecommendationRow,
)
from greenrong.domain.libraries.models import Library, RecommendationStatus
from greenrong.domain.libraries.models import LibraryMembership as MembershipRow
from greenrong.domain.libraries.repository import RECOMMENDATIONS, memberships
from greenrong.domain.libraries.statistics import library_statistics
from greenrong.resolvers.common import list_query, mutate, root_connection
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.ids import expect_global_id, from_global_id
from greenrong.schema.kit.relay import After, Before, Connection, First, Last
from greenrong.schema.libraries.inputs import (
    AdmitToLibraryInput,
    CultivationDecision,
    CultivationRecommendationWhereArg,
    EndLibraryMembershipInput,
    LibraryMemberOrderArg,
    LibraryMemberWhereArg,
    RecommendForCultivationInput,
    ReviewCultivationRecommendationInput,
)
from greenrong.schema.libraries.payloads import (
    AdmitToLibraryPayload,
    CultivationRecommendationSuccess,
    EndLibraryMembershipPayload,
    LibraryMembershipSuccess,
    RecommendForCultivationPayload,
    ReviewCultivationRecommendationPayload,
)
from greenrong.schema.libraries.types import CultivationRecommendation, LibraryMembership
from greenrong.schema.statistics.types import LibraryCategoryShare, LibraryCount

_INPUT = strawberry.argument(description="What to do.")
_DECISIONS = {
    CultivationDecision.ACCEPT: RecommendationStatus.ACCEPTED,
    CultivationDecision.REJECT: RecommendationStatus.REJECTED,
}


def _membership(row: MembershipRow) -> LibraryMembershipSuccess:
    return LibraryMembershipSuccess(membership=LibraryMembership.from_row(row))


def _recommendation(row: RecommendationRow) -> CultivationRecommendationSuccess:
    return CultivationRecommendationSuccess(recommendation=CultivationRecommendation.from_row(row))


async def library_counts(info: Info, on: datetime.date | None) -> list[LibraryCount]:
    """``platformStatistics.libraries``: one grouped statement."""
    async with info.context.sessionmaker() as session:
        figures = await library_statistics(
            session, on=on or info.context.clock.today(), principal=info.context.principal
        )
    return [
        LibraryCount(
            library=f.library,
            count=f.count,
            by_green_category=[
                LibraryCategoryShare(
                    category=s.category, count=s.count, share=s.share, share_percent=s.share_percent
                )
                for s in f.by_green_category
            ],
        )
        for f in figures
    ]


@strawberry.type(description="Read the green libraries.")
class LibraryQuery:
    @strawberry.field(
        description="The memberships of one library (入库名单), filtered, ordered and paged; "
        "`where: {open: {eq: true}}` for the current members."
    )
    async def library_members(
        self,
        info: Info,
        library: Annotated[Library, strawberry.argument(description="The library.")],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        where: LibraryMemberWhereArg = None,
        order_by: LibraryMemberOrderArg = None,
    ) -> Connection[LibraryMembership]:
        query = list_query(
            info, where=where, order_by=order_by, first=first, after=after, last=last, before=before
        )
        return await root_connection(
            info,
            memberships(info.context.clock.today()),
            query,
            LibraryMembership.from_row,
            scope=MembershipRow.library == library,
        )

    @strawberry.field(description="Cultivation recommendations, oldest first.")
    async def cultivation_recommendations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        where: CultivationRecommendationWhereArg = None,
    ) -> Connection[CultivationRecommendation]:
        query = list_query(
            info, where=where, order_by=None, first=first, after=after, last=last, before=before
        )
        return await root_connection(
            info, RECOMMENDATIONS, query, CultivationRecommendation.from_row
        )


@strawberry.type(description="Change the green libraries.")
class LibraryMutation:
    @strawberry.mutation(
        description="Admit a project to a screening list (ADMIN, REGULATOR); source SCREENING."
    )
    async def admit_to_library(
        self, info: Info, input: Annotated[AdmitToLibraryInput, _INPUT]
    ) -> AdmitToLibraryPayload:
        subject_id = from_global_id(input.subject_id, field="subjectId")[1]
        return await mutate(
            info,
            lambda session: service.screen_in(
                session,
                library=input.library,
                subject_id=subject_id,
                reason=input.reason,
                since=input.since,
                until=input.until,
                climate_type=input.climate_type,
                climate_scope=input.climate_scope,
                pboc_area=input.pboc_area,
                pboc_sub_area=input.pboc_sub_area,
            ),
            _membership,
        )

    @strawberry.mutation(
        description="End a membership on a day (ADMIN, REGULATOR for screening lists; ADMIN "
        "otherwise)."
    )
    async def end_library_membership(
        self, info: Info, input: Annotated[EndLibraryMembershipInput, _INPUT]
    ) -> EndLibraryMembershipPayload:
        id = expect_global_id(input.id, "LibraryMembership")
        return await mutate(
            info,
            lambda session: service.end_membership(
                session, id=id, version=input.version, on=input.on, reason=input.reason
            ),
            _membership,
        )

    @strawberry.mutation(
        description="A department (REGULATOR) recommends a project for the cultivation library."
    )
    async def recommend_for_cultivation(
        self, info: Info, input: Annotated[RecommendForCultivationInput, _INPUT]
    ) -> RecommendForCultivationPayload:
        project_id = from_global_id(input.project_id, field="projectId")[1]
        return await mutate(
            info,
            lambda session: cultivation.recommend(
                session, project_id=project_id, department=input.department, reason=input.reason
            ),
            _recommendation,
        )

    @strawberry.mutation(
        description="The platform (ADMIN) accepts a recommendation, opening a CULTIVATION "
        "membership, or rejects it with reasons."
    )
    async def review_cultivation_recommendation(
        self, info: Info, input: Annotated[ReviewCultivationRecommendationInput, _INPUT]
    ) -> ReviewCultivationRecommendationPayload:
        id = expect_global_id(input.id, "CultivationRecommendation")
        return await mutate(
            info,
            lambda session: cultivation.review(
                session,
                id=id,
                version=input.version,
                status=_DECISIONS[input.decision],
                reason=input.reason,
                since=input.since,
            ),
            _recommendation,
        )
