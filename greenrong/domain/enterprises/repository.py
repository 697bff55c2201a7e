"""Enterprise queries: the listing declaration and the uniqueness check."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.listing import Kind, Listing, SortKey

E = Enterprise
ENTERPRISES = Listing(
    model=E,
    filters={
        "id": (E.id, Kind.ID),
        "name": (E.name, Kind.TEXT),
        "credit_code": (E.credit_code, Kind.TEXT),
        "region_code": (E.region_code, Kind.TEXT),
        "industry_section": (E.industry_section, Kind.TEXT),
        "industry_division": (E.industry_division, Kind.TEXT),
        "size": (E.size, Kind.ENUM),
        "green_category": (E.green_category, Kind.ENUM),
        "green_level": (E.green_level, Kind.ENUM),
        "green_level_valid_until": (E.green_level_valid_until, Kind.NUMBER),
        "created_at": (E.created_at, Kind.NUMBER),
    },
    orders={"name": E.name, "created_at": E.created_at, "region_code": E.region_code},
    default_order=(SortKey("name"),),
)


async def credit_code_taken(
    session: AsyncSession, credit_code: str, *, except_id: uuid.UUID | None
) -> bool:
    statement = select(E.id).where(E.credit_code == credit_code)
    if except_id is not None:
        statement = statement.where(E.id != except_id)
    return (await session.scalar(statement.limit(1))) is not None
