"""Certification fields of Enterprise and Project, as mixins their types inherit, so the two
shared types change by one line each."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from greenrong.domain.certification.models import Certification as CertificationRow
from greenrong.domain.certification.repository import CERTIFICATIONS
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.reference.vocab import GreenLevel
from greenrong.resolvers.relations import child_list
from greenrong.schema.certification.inputs import CertificationOrderArg, CertificationWhereArg
from greenrong.schema.certification.types import Certification
from greenrong.schema.kit.context import Info

if TYPE_CHECKING:
    from greenrong.schema.matching.reviewers import ReviewerMatchResult


@strawberry.type
class EnterpriseCertificationFields:
    if TYPE_CHECKING:
        pk: uuid.UUID
        row: Any

    certifications = child_list(
        CERTIFICATIONS,
        CertificationRow.enterprise_id,
        Certification,
        description="Its certifications (its own and its projects'), oldest first, as the "
        "caller may see them.",
        where=CertificationWhereArg,
        order_by=CertificationOrderArg,
    )

    @strawberry.field(
        description="Experts to review its certification, best first: field and specialties "
        "that fit its category and description; experts affiliated with it, and experts at the "
        "open-review limit (project reviews and certification reviews together), are left out."
    )
    async def reviewer_matches(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(description="How many, best first (0 to the maximum page size)."),
        ] = 5,
    ) -> Annotated[ReviewerMatchResult, strawberry.lazy("greenrong.schema.matching.reviewers")]:
        from greenrong.resolvers.certification_reviewers import enterprise_reviewer_matches

        return await enterprise_reviewer_matches(info, self.pk, first)

    @strawberry.field(description="Its issued enterprise certificate in force; null if none.")
    async def current_certification(self, info: Info) -> Certification | None:
        from greenrong.resolvers.certification import current_certification

        return await current_certification(info, CertificationSubject.ENTERPRISE, self.pk)


@strawberry.type
class ProjectCertificationFields:
    if TYPE_CHECKING:
        pk: uuid.UUID
        row: Any

    @strawberry.field(description="Current green level from its certification (NONE if none).")
    def green_level(self) -> GreenLevel:
        level: GreenLevel = self.row.green_level
        return level

    @strawberry.field(description="Last day its green level is valid; null without a level.")
    def green_level_valid_until(self) -> datetime.date | None:
        until: datetime.date | None = self.row.green_level_valid_until
        return until

    certifications = child_list(
        CERTIFICATIONS,
        CertificationRow.project_id,
        Certification,
        description="Its certifications, oldest first, as the caller may see them.",
        where=CertificationWhereArg,
        order_by=CertificationOrderArg,
    )

    @strawberry.field(description="Its issued project certificate in force; null if none.")
    async def current_certification(self, info: Info) -> Certification | None:
        from greenrong.resolvers.certification import current_certification

        return await current_certification(info, CertificationSubject.PROJECT, self.pk)
