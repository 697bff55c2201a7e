from __future__ import annotations

from greenrong.domain.experts.models import Expert
from greenrong.domain.kit.listing import Kind, Listing, SortKey

X = Expert
EXPERTS = Listing(
    model=X,
    filters={
        "id": (X.id, Kind.ID),
        "name": (X.name, Kind.TEXT),
        "field": (X.field, Kind.TEXT),
        "title": (X.title, Kind.ENUM),
        "affiliation": (X.affiliation, Kind.TEXT),
        "region_code": (X.region_code, Kind.TEXT),
    },
    orders={"name": X.name, "created_at": X.created_at},
    default_order=(SortKey("name"),),
)
