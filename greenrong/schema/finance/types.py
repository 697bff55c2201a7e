from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.finance.models import (
    Collateral,
    DemandStatus,
    InstitutionKind,
    ProductKind,
)
from greenrong.domain.finance.models import (
    FinancialProduct as ProductRow,
)
from greenrong.domain.finance.models import (
    FinancingDemand as DemandRow,
)
from greenrong.domain.finance.repository import DEMANDS, PRODUCTS
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.resolvers.relations import child_list, to_one
from greenrong.schema.finance.inputs import (
    DemandOrderArg,
    DemandWhereArg,
    ProductOrderArg,
    ProductWhereArg,
)
from greenrong.schema.kit.context import Info
from greenrong.schema.kit.guard import guarded
from greenrong.schema.kit.relay import Node, RowBacked
from greenrong.schema.reference.types import Region, region_of

if TYPE_CHECKING:
    from greenrong.schema.enterprises.types import Enterprise
    from greenrong.schema.matching.finance import DemandMatchConnection, ProductMatchesResult
    from greenrong.schema.projects.types import Project

_CREATED = "When the record was created (UTC)."
_UPDATED = "When the record last changed (UTC)."
_VERSION = "Edit version; pass it back when updating."


@strawberry.type(description="A bank, insurer, fund, leasing or guarantee company.")
class FinancialInstitution(Node, RowBacked):
    entity_type = "FinancialInstitution"

    name: str = strawberry.field(description="Name.")
    kind: InstitutionKind = strawberry.field(description="Kind.")
    region_code: str = strawberry.field(description="GB/T 2260 region code.")
    description: str = strawberry.field(description="Description.")
    created_at: datetime.datetime = strawberry.field(description=_CREATED)
    updated_at: datetime.datetime = strawberry.field(description=_UPDATED)
    version: int = strawberry.field(description=_VERSION)

    @strawberry.field(description="Its region.")
    def region(self) -> Region | None:
        return region_of(self.region_code)

    products = child_list(
        PRODUCTS,
        ProductRow.institution_id,
        Annotated["FinancialProduct", strawberry.lazy(__name__)],
        description="Products the institution offers.",
        where=ProductWhereArg,
        order_by=ProductOrderArg,
    )


@strawberry.type(description="A green financial product (贷款, 债券, 保险…).")
class FinancialProduct(Node, RowBacked):
    entity_type = "FinancialProduct"

    name: str = strawberry.field(description="Name, e.g. 碳汇贷.")
    kind: ProductKind = strawberry.field(description="Kind.")
    min_amount: Decimal = strawberry.field(description="Smallest amount, CNY.")
    max_amount: Decimal = strawberry.field(description="Largest amount, CNY.")
    min_term_months: int = strawberry.field(description="Shortest term, months.")
    max_term_months: int = strawberry.field(description="Longest term, months.")
    min_rate: Decimal = strawberry.field(
        description="Lowest annual rate, as a fraction (0.0345 = 3.45 %)."
    )
    max_rate: Decimal = strawberry.field(description="Highest annual rate, as a fraction.")
    eligible_green_categories: list[GreenCategory] = strawberry.field(
        description="Eligible categories; empty means every category."
    )
    eligible_region_codes: list[str] = strawberry.field(
        description="Eligible regions; 510000 is all of Sichuan."
    )
    accepted_collateral: list[Collateral] = strawberry.field(description="Accepted collateral.")
    min_green_level: GreenLevel = strawberry.field(
        description="Minimum green level of the borrower."
    )
    description: str = strawberry.field(description="Description.")
    active: bool = strawberry.field(description="Offered now.")
    institution_id: strawberry.Private[uuid.UUID]
    created_at: datetime.datetime = strawberry.field(description=_CREATED)
    updated_at: datetime.datetime = strawberry.field(description=_UPDATED)
    version: int = strawberry.field(description=_VERSION)

    institution = to_one(
        ProductRow.institution_id,
        FinancialInstitution,
        description="The institution that offers it.",
    )
    financing_demands = child_list(
        DEMANDS,
        DemandRow.product_id,
        Annotated["FinancingDemand", strawberry.lazy(__name__)],
        description="Demands this product financed.",
        where=DemandWhereArg,
        order_by=DemandOrderArg,
    )

    @strawberry.field(
        description="Open financing demands this product fits under every eligibility rule, "
        "best first, with the reasons (the same rules and weights as productMatches)."
    )
    async def demand_matches(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="How many demands, at most (0 to the page limit).")
        ] = 10,
    ) -> Annotated[DemandMatchConnection, strawberry.lazy("greenrong.schema.matching.finance")]:
        from greenrong.resolvers.matching_finance import demand_matches

        return await demand_matches(info, self.pk, first=first)


@strawberry.type(description="An enterprise's request for financing (融资需求).")
class FinancingDemand(Node, RowBacked):
    entity_type = "FinancingDemand"

    amount: Decimal = strawberry.field(description="Amount sought, CNY.")
    term_months: int = strawberry.field(description="Term, months.")
    purpose: str | None = strawberry.field(
        description="What the money is for (private: the owner, regulators, admins, and "
        "institutions with FINANCING_DEMANDS consent).",
        extensions=guarded(),
    )
    collateral_offered: list[Collateral] | None = strawberry.field(
        description="Collateral offered (private, as `purpose`).", extensions=guarded()
    )
    accepted_product_kinds: list[ProductKind] = strawberry.field(
        name="acceptedKinds",
        description="Kinds of product accepted; empty means any financing kind (not insurance).",
    )
    max_rate: Decimal | None = strawberry.field(
        description="Highest acceptable annual rate, fraction (private, as `purpose`).",
        extensions=guarded(),
    )
    status: DemandStatus = strawberry.field(description="Status.")
    financed_amount: Decimal | None = strawberry.field(description="Amount financed, CNY.")
    submitted_at: datetime.datetime = strawberry.field(description="When it was submitted (UTC).")
    financed_at: datetime.datetime | None = strawberry.field(
        description="When it was financed (UTC)."
    )
    enterprise_id: strawberry.Private[uuid.UUID]
    project_id: strawberry.Private[uuid.UUID | None]
    product_id: strawberry.Private[uuid.UUID | None]
    created_at: datetime.datetime = strawberry.field(description=_CREATED)
    updated_at: datetime.datetime = strawberry.field(description=_UPDATED)
    version: int = strawberry.field(description=_VERSION)

    enterprise = to_one(
        DemandRow.enterprise_id,
        Annotated["Enterprise", strawberry.lazy("greenrong.schema.enterprises.types")],
        description="The enterprise seeking financing.",
    )
    project = to_one(
        DemandRow.project_id,
        Annotated["Project", strawberry.lazy("greenrong.schema.projects.types")],
        description="The project it finances, if any.",
    )
    product = to_one(
        DemandRow.product_id, FinancialProduct, description="The product that financed it, if any."
    )

    @strawberry.field(
        description="Financial products this demand is eligible for, ranked by fit with the "
        "reasons; optionally the near misses (products failing exactly one rule)."
    )
    async def product_matches(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(description="How many products, at most (0 to the page limit)."),
        ] = 10,
        include_near_misses: Annotated[
            bool,
            strawberry.argument(description="Also list products that fail exactly one rule."),
        ] = False,
    ) -> Annotated[ProductMatchesResult, strawberry.lazy("greenrong.schema.matching.finance")]:
        from greenrong.resolvers.matching_finance import product_matches

        return await product_matches(
            info, self.row, first=first, include_near_misses=include_near_misses
        )
