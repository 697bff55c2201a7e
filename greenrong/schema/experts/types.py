from __future__ import annotations

import datetime

import strawberry

from greenrong.domain.experts.models import ExpertTitle
from greenrong.schema.kit.guard import guarded
from greenrong.schema.kit.relay import Node, RowBacked
from greenrong.schema.reference.types import Region, region_of


@strawberry.type(description="An expert who reviews certifications and advises on green finance.")
class Expert(Node, RowBacked):
    entity_type = "Expert"

    name: str = strawberry.field(description="Name.")
    field: str = strawberry.field(description="Industry field.")
    title: ExpertTitle = strawberry.field(description="Professional title.")
    affiliation: str = strawberry.field(description="Affiliation.")
    specialties: list[str] = strawberry.field(description="Specialties.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    bio: str = strawberry.field(description="Biography.")
    contact_email: str | None = strawberry.field(
        description="Contact e-mail (signed-in callers only).", extensions=guarded()
    )
    created_at: datetime.datetime = strawberry.field(
        description="When the record was created (UTC)."
    )
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    @strawberry.field(description="Its region.")
    def region(self) -> Region | None:
        return region_of(self.region_code)
