"""`node(id:)`: any object by its global id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from greenrong.domain.kit.registry import ENTITIES
from greenrong.resolvers.common import load_one
from greenrong.resolvers.matching_finance import DemandsWithParties
from greenrong.schema.access.types import DataConsent
from greenrong.schema.certification.types import (
    Certification,
    CertificationEvent,
    CertificationReview,
)
from greenrong.schema.disclosure.types import Disclosure
from greenrong.schema.enterprises.types import Enterprise
from greenrong.schema.experts.types import Expert
from greenrong.schema.finance.types import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.ids import from_global_id
from greenrong.schema.kit.relay import Node
from greenrong.schema.libraries.types import CultivationRecommendation, LibraryMembership
from greenrong.schema.matching.deals import FinancingMatch, TechnologyDeal
from greenrong.schema.projects.types import Project
from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

NODE_TYPES: dict[str, Any] = {
    t.entity_type: t
    for t in (
        Enterprise,
        Project,
        FinancialInstitution,
        FinancialProduct,
        FinancingDemand,
        Expert,
        TechnologyListing,
        TechnologyNeed,
        Disclosure,
        FinancingMatch,
        TechnologyDeal,
        DataConsent,
        Certification,
        CertificationReview,
        CertificationEvent,
        LibraryMembership,
        CultivationRecommendation,
    )
}


@strawberry.type(description="Fetch by global id.")
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        type_name, pk = from_global_id(id)
        if type_name not in NODE_TYPES:
            return None
        if type_name == "FinancingDemand" and _selects(info, type_name, "productMatches"):
            # the ranking needs the demand's enterprise and project: read with the demand
            demand = await info.context.loaders.get(DemandsWithParties, info.context).load(pk)
            return None if demand is None else FinancingDemand.from_row(demand)
        node: Node | None = await load_one(
            info, ENTITIES[type_name], pk, NODE_TYPES[type_name].from_row
        )
        return node


def _selects(info: Info, type_name: str, field: str) -> bool:
    """Whether the node's selection asks for ``field`` of a ``type_name``: in a fragment on
    that type (inline or named, however nested) or on an interface of it."""

    def within(selections: Sequence[Selection]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == field:
                    return True
            elif selection.type_condition in (None, type_name, "Node") and within(
                selection.selections
            ):
                return True
        return False

    return any(within(selected.selections) for selected in info.selected_fields)
