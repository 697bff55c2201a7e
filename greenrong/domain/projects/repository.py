from __future__ import annotations

from greenrong.domain.kit.listing import Kind, Listing, SortKey
from greenrong.domain.projects.models import Project

P = Project
PROJECTS = Listing(
    model=P,
    filters={
        "id": (P.id, Kind.ID),
        "enterprise_id": (P.enterprise_id, Kind.ID),
        "title": (P.title, Kind.TEXT),
        "green_category": (P.green_category, Kind.ENUM),
        "total_investment": (P.total_investment, Kind.NUMBER),
        "region_code": (P.region_code, Kind.TEXT),
        "climate_type": (P.climate_type, Kind.ENUM),
        "status": (P.status, Kind.ENUM),
        "libraries": (P.libraries, Kind.TAGS),
        "created_at": (P.created_at, Kind.NUMBER),
    },
    orders={"title": P.title, "total_investment": P.total_investment, "created_at": P.created_at},
    default_order=(SortKey("created_at"),),
)
