from __future__ import annotations

from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.domain.kit.listing import Kind, Listing, SortKey

FI, P, D = FinancialInstitution, FinancialProduct, FinancingDemand

INSTITUTIONS = Listing(
    model=FI,
    filters={
        "id": (FI.id, Kind.ID),
        "name": (FI.name, Kind.TEXT),
        "kind": (FI.kind, Kind.ENUM),
        "region_code": (FI.region_code, Kind.TEXT),
    },
    orders={"name": FI.name, "created_at": FI.created_at},
    default_order=(SortKey("name"),),
)

PRODUCTS = Listing(
    model=P,
    filters={
        "id": (P.id, Kind.ID),
        "institution_id": (P.institution_id, Kind.ID),
        "name": (P.name, Kind.TEXT),
        "kind": (P.kind, Kind.ENUM),
        "min_amount": (P.min_amount, Kind.NUMBER),
        "max_amount": (P.max_amount, Kind.NUMBER),
        "min_rate": (P.min_rate, Kind.NUMBER),
        "max_term_months": (P.max_term_months, Kind.NUMBER),
        "eligible_green_categories": (P.eligible_green_categories, Kind.TAGS),
        "accepted_collateral": (P.accepted_collateral, Kind.TAGS),
        "min_green_level": (P.min_green_level, Kind.ENUM),
        "active": (P.active, Kind.BOOL),
    },
    orders={
        "name": P.name,
        "min_rate": P.min_rate,
        "max_amount": P.max_amount,
        "created_at": P.created_at,
    },
    default_order=(SortKey("name"),),
)

DEMANDS = Listing(
    model=D,
    filters={
        "id": (D.id, Kind.ID),
        "enterprise_id": (D.enterprise_id, Kind.ID),
        "project_id": (D.project_id, Kind.ID),
        "product_id": (D.product_id, Kind.ID),
        "amount": (D.amount, Kind.NUMBER),
        "term_months": (D.term_months, Kind.NUMBER),
        "purpose": (D.purpose, Kind.TEXT),
        "status": (D.status, Kind.ENUM),
        "collateral_offered": (D.collateral_offered, Kind.TAGS),
        "submitted_at": (D.submitted_at, Kind.NUMBER),
        "financed_at": (D.financed_at, Kind.NUMBER),
    },
    orders={"submitted_at": D.submitted_at, "amount": D.amount, "created_at": D.created_at},
    default_order=(SortKey("submitted_at"),),
)
