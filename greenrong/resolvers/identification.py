"""identifyGreen, the review mutations, identificationStatistics and the project's suggestion:
thin glue over ``domain/identification`` and the engine (``indexers/catalogue/engine``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import ValidationFailed
from greenrong.domain.identification import repository, service
from greenrong.domain.identification.models import GreenIdentification as IdentificationRow
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.indexers.catalogue.engine import identify
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.resolvers.common import mutate
from greenrong.resolvers.loaders import RequestLoader
from greenrong.schema.identification.inputs import (
    AcceptGreenIdentificationInput,
    CorrectGreenIdentificationInput,
    IdentifyGreenInput,
)
from greenrong.schema.identification.payloads import (
    AcceptGreenIdentificationPayload,
    CorrectGreenIdentificationPayload,
    GreenIdentificationSuccess,
)
from greenrong.schema.identification.types import (
    CatalogueLevel,
    CorrectionCount,
    GreenCandidate,
    GreenIdentificationCorrection,
    GreenIdentificationResult,
    IdentificationStatistics,
    IdentifyGreenResult,
    ProjectGreenIdentification,
    statistics_of,
)
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.cost import cost
from greenrong.schema.kit.errors import ValidationError, to_error
from greenrong.schema.kit.ids import expect_global_id
from greenrong.schema.search.types import SearchUnavailable

#: how many candidates identifyGreen returns at most
MAX_CANDIDATES = 10


def validation_error(error: ValidationFailed) -> ValidationError:
    typed = to_error(error)
    if not isinstance(typed, ValidationError):  # to_error maps ValidationFailed to this type
        raise TypeError(f"unexpected error type {type(typed).__name__}")
    return typed


def _success(row: IdentificationRow) -> GreenIdentificationSuccess:
    return GreenIdentificationSuccess(identification=ProjectGreenIdentification(row=row))


@strawberry.type(description="Green identification (绿色智能识别).")
class IdentificationQuery:
    @strawberry.field(
        description="Rank the level-4 items of the 2021 green bond catalogue against a project "
        "description, with the statistics each counts toward (docs/IDENTIFICATION.md).",
        metadata=cost(5),
    )
    async def identify_green(
        self,
        info: Info,
        input: Annotated[IdentifyGreenInput, strawberry.argument(description="The description.")],
        first: Annotated[
            int, strawberry.argument(description=f"How many candidates (1-{MAX_CANDIDATES}).")
        ] = 5,
    ) -> IdentifyGreenResult:
        try:
            request = service.validate_request(
                IdentifyRequest(
                    text=input.text, amount=input.amount, region_code=input.region_code
                ),
                size=first,
                max_size=MAX_CANDIDATES,
            )
        except ValidationFailed as error:
            return validation_error(error)
        try:
            ranked = await identify(info.context.search, request, size=first)
        except SearchUnavailableError as error:
            return SearchUnavailable(code=error.reason, message=error.message)
        return GreenIdentificationResult(
            candidates=[
                GreenCandidate(
                    rank=rank,
                    code=c.item.code,
                    name=c.item.name,
                    path=[CatalogueLevel(level=p.level, code=p.code, name=p.name) for p in c.path],
                    confidence=c.confidence,
                    matched_terms=list(c.matched_terms),
                    statistics=statistics_of(c.item.code, request.amount),
                )
                for rank, c in enumerate(ranked, start=1)
            ],
            engine_version=service.engine_version(),
        )

    @strawberry.field(
        description="How the engine's suggestions on projects fared in review: suggested, "
        "accepted, corrected, and the most frequent corrections.",
        metadata=cost(3),
    )
    async def identification_statistics(self, info: Info) -> IdentificationStatistics:
        async with info.context.sessionmaker() as session:
            counts = await service.identification_counts(session, principal=info.context.principal)
        return IdentificationStatistics(
            suggested=counts.suggested,
            accepted=counts.accepted,
            corrected=counts.corrected,
            corrections=counts.corrections,
            top_corrections=[
                CorrectionCount(from_code=c.from_code, to_code=c.to_code, count=c.count)
                for c in counts.top_corrections
            ],
        )


@strawberry.type(description="Review the engine's suggestions on projects.")
class IdentificationMutation:
    @strawberry.mutation(
        description="Accept the project's current suggestion (ADMIN, REGULATOR, or an EXPERT "
        "assigned to the project)."
    )
    async def accept_green_identification(
        self,
        info: Info,
        input: Annotated[
            AcceptGreenIdentificationInput, strawberry.argument(description="The project.")
        ],
    ) -> AcceptGreenIdentificationPayload:
        async def action(session: AsyncSession) -> IdentificationRow:
            project_id = expect_global_id(input.project_id, "Project", field="project_id")
            return await service.accept(session, project_id=project_id)

        return await mutate(info, action, _success)

    @strawberry.mutation(
        description="Set the project's identification to another level-4 code with a reason; "
        "the correction is kept and counted (ADMIN, REGULATOR, or an assigned EXPERT)."
    )
    async def correct_green_identification(
        self,
        info: Info,
        input: Annotated[
            CorrectGreenIdentificationInput,
            strawberry.argument(description="The project, the code and the reason."),
        ],
    ) -> CorrectGreenIdentificationPayload:
        async def action(session: AsyncSession) -> IdentificationRow:
            project_id = expect_global_id(input.project_id, "Project", field="project_id")
            return await service.correct(
                session, project_id=project_id, code=input.code, reason=input.reason
            )

        return await mutate(info, action, _success)


async def project_identification(
    info: Info, project_id: uuid.UUID
) -> ProjectGreenIdentification | None:
    """Project.greenIdentification: the newest suggestion of every project on the page in one
    statement (a DataLoader)."""
    return await info.context.loaders.get(LatestIdentifications, info.context).load(project_id)


class LatestIdentifications(RequestLoader[uuid.UUID, ProjectGreenIdentification | None]):
    """Per project id: its newest identification, or None (one statement per batch)."""

    async def load_batch(self, ids: Sequence[uuid.UUID]) -> list[ProjectGreenIdentification | None]:
        async with self.read() as session:
            found = await repository.latest_for_projects(session, ids)
        return [None if i not in found else ProjectGreenIdentification(row=found[i]) for i in ids]


async def corrections_of(
    info: Info, identification_id: uuid.UUID
) -> list[GreenIdentificationCorrection]:
    """The corrections of every identification on the page in one statement (a DataLoader)."""
    return await info.context.loaders.get(Corrections, info.context).load(identification_id)


class Corrections(RequestLoader[uuid.UUID, list[GreenIdentificationCorrection]]):
    """Per identification id: its corrections, oldest first (one statement per batch)."""

    async def load_batch(
        self, ids: Sequence[uuid.UUID]
    ) -> list[list[GreenIdentificationCorrection]]:
        async with self.read() as session:
            rows = await repository.corrections_for(session, ids)
        by_id: dict[uuid.UUID, list[GreenIdentificationCorrection]] = defaultdict(list)
        for row in rows:
            by_id[row.identification_id].append(
                GreenIdentificationCorrection(
                    from_code=row.from_code,
                    to_code=row.to_code,
                    reason=row.reason,
                    actor_role=row.actor_role,
                    corrected_at=row.created_at,
                )
            )
        return [by_id.get(i, []) for i in ids]
