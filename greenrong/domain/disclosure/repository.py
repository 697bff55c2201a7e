from __future__ import annotations

from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.kit.listing import Kind, Listing, SortKey

D = Disclosure
DISCLOSURES = Listing(
    model=D,
    filters={
        "id": (D.id, Kind.ID),
        "subject_enterprise_id": (D.subject_enterprise_id, Kind.ID),
        "subject_institution_id": (D.subject_institution_id, Kind.ID),
        "kind": (D.kind, Kind.ENUM),
        "year": (D.year, Kind.NUMBER),
        "title": (D.title, Kind.TEXT),
        "status": (D.status, Kind.ENUM),
    },
    orders={"year": D.year, "title": D.title, "created_at": D.created_at},
    default_order=(SortKey("year", descending=True),),
)
