from __future__ import annotations

from greenrong.domain.kit.listing import Kind, Listing, SortKey
from greenrong.domain.technology.models import TechnologyListing, TechnologyNeed

L, N = TechnologyListing, TechnologyNeed

LISTINGS = Listing(
    model=L,
    filters={
        "id": (L.id, Kind.ID),
        "owner_enterprise_id": (L.owner_enterprise_id, Kind.ID),
        "owner_institution_id": (L.owner_institution_id, Kind.ID),
        "title": (L.title, Kind.TEXT),
        "domain": (L.domain, Kind.ENUM),
        "maturity": (L.maturity, Kind.NUMBER),
        "trade_mode": (L.trade_mode, Kind.ENUM),
        "asking_price": (L.asking_price, Kind.NUMBER),
        "region_code": (L.region_code, Kind.TEXT),
        "status": (L.status, Kind.ENUM),
        "created_at": (L.created_at, Kind.NUMBER),
    },
    orders={"title": L.title, "maturity": L.maturity, "created_at": L.created_at},
    default_order=(SortKey("created_at", descending=True),),
)

NEEDS = Listing(
    model=N,
    filters={
        "id": (N.id, Kind.ID),
        "enterprise_id": (N.enterprise_id, Kind.ID),
        "title": (N.title, Kind.TEXT),
        "domain": (N.domain, Kind.ENUM),
        "budget": (N.budget, Kind.NUMBER),
        "min_maturity": (N.min_maturity, Kind.NUMBER),
        "region_code": (N.region_code, Kind.TEXT),
        "deadline": (N.deadline, Kind.NUMBER),
        "status": (N.status, Kind.ENUM),
    },
    orders={"title": N.title, "created_at": N.created_at},
    default_order=(SortKey("created_at", descending=True),),
)
