from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from greenrong.domain.disclosure.models import Disclosure as DisclosureRow
from greenrong.domain.disclosure.repository import DISCLOSURES
from greenrong.domain.enterprises.models import EnterpriseSize
from greenrong.domain.finance.models import FinancingDemand as DemandRow
from greenrong.domain.finance.repository import DEMANDS
from greenrong.domain.kit.clock import today
from greenrong.domain.libraries.models import LibraryMembership as MembershipRow
from greenrong.domain.libraries.repository import memberships
from greenrong.domain.projects.models import Project as ProjectRow
from greenrong.domain.projects.repository import PROJECTS
from greenrong.domain.reference.vocab import GreenCategory, GreenLevel
from greenrong.domain.technology.models import TechnologyListing as ListingRow
from greenrong.domain.technology.models import TechnologyNeed as NeedRow
from greenrong.domain.technology.repository import LISTINGS, NEEDS
from greenrong.resolvers.relations import child_list
from greenrong.schema.certification.subjects import EnterpriseCertificationFields
from greenrong.schema.disclosure.inputs import DisclosureOrderArg, DisclosureWhereArg
from greenrong.schema.finance.inputs import DemandOrderArg, DemandWhereArg
from greenrong.schema.kit.guard import guarded
from greenrong.schema.kit.relay import Node, RowBacked
from greenrong.schema.libraries.inputs import LibraryMemberOrderArg, LibraryMemberWhereArg
from greenrong.schema.projects.inputs import ProjectOrderArg, ProjectWhereArg
from greenrong.schema.reference.types import Industry, Region, industry_of, region_of
from greenrong.schema.technology.inputs import (
    ListingOrderArg,
    ListingWhereArg,
    NeedOrderArg,
    NeedWhereArg,
)

if TYPE_CHECKING:
    from greenrong.schema.disclosure.types import Disclosure
    from greenrong.schema.finance.types import FinancingDemand
    from greenrong.schema.libraries.types import LibraryMembership
    from greenrong.schema.projects.types import Project
    from greenrong.schema.technology.types import TechnologyListing, TechnologyNeed

_PROJECT = strawberry.lazy("greenrong.schema.projects.types")
_FINANCE = strawberry.lazy("greenrong.schema.finance.types")
_TECH = strawberry.lazy("greenrong.schema.technology.types")
_DISCLOSURE = strawberry.lazy("greenrong.schema.disclosure.types")
_LIBRARIES = strawberry.lazy("greenrong.schema.libraries.types")


@strawberry.type(description="A company on the platform; a 绿色企业 when it holds a green level.")
class Enterprise(Node, RowBacked, EnterpriseCertificationFields):
    entity_type = "Enterprise"

    name: str = strawberry.field(description="Registered name.")
    credit_code: str = strawberry.field(description="统一社会信用代码 (GB 32100-2015).")
    region_code: str = strawberry.field(description="GB/T 2260 code of its region.")
    industry_section: str = strawberry.field(description="GB/T 4754-2017 section letter.")
    industry_division: str = strawberry.field(description="GB/T 4754-2017 division code.")
    size: EnterpriseSize = strawberry.field(description="Size class.")
    green_category: GreenCategory = strawberry.field(description="Green industry category.")
    green_level: GreenLevel = strawberry.field(description="Current green level.")
    green_level_valid_until: datetime.date | None = strawberry.field(
        description="Last day the green level is valid."
    )
    description: str = strawberry.field(description="Free description.")
    contact_person: str | None = strawberry.field(
        description="Contact person (the owner, regulators, admins, institutions with consent).",
        extensions=guarded(),
    )
    contact_phone: str | None = strawberry.field(
        description="Contact phone (the owner, regulators, admins, institutions with consent).",
        extensions=guarded(),
    )
    created_at: datetime.datetime = strawberry.field(
        description="When the record was created (UTC)."
    )
    updated_at: datetime.datetime = strawberry.field(
        description="When the record last changed (UTC)."
    )
    version: int = strawberry.field(description="Edit version; pass it back when updating.")

    @strawberry.field(description="Its region, with the region's name.")
    def region(self) -> Region | None:
        return region_of(self.region_code)

    @strawberry.field(description="Its industry, with names.")
    def industry(self) -> Industry:
        return industry_of(self.industry_section, self.industry_division)

    projects = child_list(
        PROJECTS,
        ProjectRow.enterprise_id,
        Annotated["Project", _PROJECT],
        description="Projects the enterprise owns.",
        where=ProjectWhereArg,
        order_by=ProjectOrderArg,
    )
    financing_demands = child_list(
        DEMANDS,
        DemandRow.enterprise_id,
        Annotated["FinancingDemand", _FINANCE],
        description="Financing demands the enterprise submitted.",
        where=DemandWhereArg,
        order_by=DemandOrderArg,
    )
    technology_listings = child_list(
        LISTINGS,
        ListingRow.owner_enterprise_id,
        Annotated["TechnologyListing", _TECH],
        description="Technology listings the enterprise offers.",
        where=ListingWhereArg,
        order_by=ListingOrderArg,
    )
    technology_needs = child_list(
        NEEDS,
        NeedRow.enterprise_id,
        Annotated["TechnologyNeed", _TECH],
        description="Technology needs the enterprise published.",
        where=NeedWhereArg,
        order_by=NeedOrderArg,
    )
    disclosures = child_list(
        DISCLOSURES,
        DisclosureRow.subject_enterprise_id,
        Annotated["Disclosure", _DISCLOSURE],
        description="Disclosures about the enterprise.",
        where=DisclosureWhereArg,
        order_by=DisclosureOrderArg,
    )
    library_memberships = child_list(
        lambda: memberships(today()),  # `open` is as of today
        MembershipRow.enterprise_id,
        Annotated["LibraryMembership", _LIBRARIES],
        description="Its library memberships (入库记录), current and past; "
        "`where: {open: {eq: true}}` for the current ones.",
        where=LibraryMemberWhereArg,
        order_by=LibraryMemberOrderArg,
    )
