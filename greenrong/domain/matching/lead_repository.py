"""The precomputed enterprise leads of ``TechnologyListing.buyerMatches``, and how they are read.

A lead is an enterprise with evidence that it has the problem a technology domain solves
(``technology._lead_evidence``: its industry, its published disclosures' metrics, its latest
environmental evaluation). The evidence does not depend on the listing, so it is kept per
(domain, enterprise) in ``technology_lead``: its score, its reasons, and where the enterprise
is. ``leads.refresh_leads`` keeps it current in the transaction that changes an enterprise or
a disclosure; ``leads.rebuild_leads`` recomputes all of it (the seed, ``greenrong leads
rebuild`` after an upgrade or a change of ``technology_buyers.json`` or the weights).

Reading (``lead_candidates``): a listing adds at most ``same_county`` (same county) or
``same_prefecture`` (same prefecture) to a lead's evidence score, so only three groups can
hold its best leads: the best of its county, of its prefecture and of the whole domain. Each
group's best ``first`` (plus the batch's listing owners of that domain, who are never their
own leads) by score and id, among enterprises without an open need in the domain, are a
superset of every listing's best leads: one indexed range per group, one statement for a
whole batch of listings.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    bindparam,
    column,
    delete,
    exists,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import TextualSelect

from greenrong.domain.disclosure.models import Disclosure, DisclosureKind, DisclosureStatus
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.kit.models import Base, enum_column
from greenrong.domain.reference.catalog import regions
from greenrong.domain.technology.models import (
    NeedStatus,
    TechnologyDomain,
    TechnologyListing,
)


class TechnologyLead(Base):
    """One enterprise's evidence for one technology domain (derived data, no outbox event)."""

    __tablename__ = "technology_lead"

    domain: Mapped[TechnologyDomain] = mapped_column(
        enum_column(TechnologyDomain, "technology_domain"), primary_key=True
    )
    enterprise_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    #: the evidence's weight (``TechnologyWeights``: industry, disclosed metrics, evaluation)
    score: Mapped[float] = mapped_column(Float)
    region_code: Mapped[str] = mapped_column(String(6))
    #: the prefecture the enterprise lies in (itself for a prefecture), None for the province
    prefecture_code: Mapped[str | None] = mapped_column(String(6))
    #: the evidence's reasons, strongest first: ``{"code", "message", "weight"}`` each
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


_T = TechnologyLead
# best first within a domain, a prefecture or a county: the three groups ``lead_candidates`` reads
Index("ix_technology_lead_best", _T.domain, _T.score.desc(), _T.enterprise_id)
Index(
    "ix_technology_lead_prefecture",
    _T.domain,
    _T.prefecture_code,
    _T.score.desc(),
    _T.enterprise_id,
)
Index("ix_technology_lead_county", _T.domain, _T.region_code, _T.score.desc(), _T.enterprise_id)


@dataclass(frozen=True)
class Lead:
    """A row of ``technology_lead`` as read for a batch of listings."""

    domain: TechnologyDomain
    enterprise_id: uuid.UUID
    score: float
    region_code: str
    #: the reasons' JSON text as stored: most leads read reach no page, and only those that do
    #: have it decoded (``reasons``)
    reasons_json: str

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The evidence's reasons, strongest first: ``{"code", "message", "weight"}`` each."""
        found: list[dict[str, Any]] = json.loads(self.reasons_json)
        return found


def prefecture_of(code: str) -> str | None:
    """The prefecture a region lies in (itself for a prefecture), None for the province or an
    unknown code (``technology.prefecture``'s rule)."""
    region = regions().get(code)
    if region is None:
        return None
    if region.level == "county":
        return region.parent
    return code if region.level == "prefecture" else None


def is_county(code: str) -> bool:
    region = regions().get(code)
    return region is not None and region.level == "county"


#: one group's best leads: a range of one of the three indexes, without the enterprises that
#: posted an open need in the domain (their need is the buyer)
_GROUP = (
    "SELECT * FROM (SELECT domain, enterprise_id, score, region_code,"
    " CAST(reasons AS TEXT) AS reasons"
    " FROM technology_lead WHERE domain = :domain_{i} AND {where} AND NOT EXISTS ("
    "SELECT 1 FROM technology_need WHERE technology_need.enterprise_id ="
    " technology_lead.enterprise_id AND technology_need.domain = :domain_{i}"
    " AND technology_need.status = :open)"
    " ORDER BY score DESC, enterprise_id LIMIT :limit_{i}) AS group_{i}"
)
_WHERE = {
    "domain": "1 = 1",
    "prefecture": "prefecture_code = :value_{i}",
    "county": "region_code = :value_{i}",
}


@lru_cache(maxsize=256)
def _statement(kinds: tuple[str, ...]) -> TextualSelect:
    """The statement of these groups (``_WHERE``'s kinds, in order), its values left to the
    call: the same batch shape is written, parsed and typed once."""
    parts = [_GROUP.format(i=i, where=_WHERE[kind].format(i=i)) for i, kind in enumerate(kinds)]
    binds: list[BindParameter[Any]] = [bindparam("open", type_=String)]
    for i, kind in enumerate(kinds):
        binds += [bindparam(f"domain_{i}", type_=String), bindparam(f"limit_{i}", type_=Integer)]
        if kind != "domain":
            binds.append(bindparam(f"value_{i}", type_=String))
    return (
        text(" UNION ALL ".join(parts))
        .bindparams(*binds)
        .columns(
            _T.__table__.c.domain,
            _T.__table__.c.enterprise_id,
            _T.__table__.c.score,
            _T.__table__.c.region_code,
            column("reasons", String),
        )
    )


async def lead_candidates(
    session: AsyncSession, listings: Sequence[TechnologyListing], *, first: int
) -> dict[TechnologyDomain, list[Lead]]:
    """Per domain of ``listings``: the leads that may be among any listing's best ``first``,
    best first (score, then enterprise id); enterprises with an open need in the domain are
    left out (their need is the buyer). One statement, written out: it has a part per group,
    and building that many Core subqueries cost more than reading them; its text is kept per
    shape of batch (``_statement``)."""
    by_domain: dict[TechnologyDomain, list[TechnologyListing]] = {}
    for listing in listings:
        by_domain.setdefault(listing.domain, []).append(listing)
    kinds: list[str] = []
    values: dict[str, Any] = {"open": NeedStatus.OPEN.value}
    for domain, batch in by_domain.items():
        owners = {x.owner_enterprise_id for x in batch if x.owner_enterprise_id is not None}
        prefectures = {prefecture_of(x.region_code) for x in batch}
        counties = {x.region_code for x in batch if is_county(x.region_code)}
        groups: list[tuple[str, str | None]] = [("domain", None)]
        groups += [("prefecture", p) for p in sorted(p for p in prefectures if p)]
        groups += [("county", c) for c in sorted(counties)]
        for kind, value in groups:
            i = len(kinds)
            kinds.append(kind)
            values |= {f"domain_{i}": domain.value, f"limit_{i}": first + len(owners)}
            if value is not None:
                values[f"value_{i}"] = value
    found: dict[TechnologyDomain, list[Lead]] = {d: [] for d in by_domain}
    if not kinds:
        return found
    seen: set[tuple[TechnologyDomain, uuid.UUID]] = set()
    for row in await session.execute(_statement(tuple(kinds)), values):
        lead = Lead(
            domain=TechnologyDomain(row.domain),
            enterprise_id=row.enterprise_id,
            score=float(row.score),
            region_code=row.region_code,
            reasons_json=row.reasons,
        )
        if (lead.domain, lead.enterprise_id) not in seen:
            seen.add((lead.domain, lead.enterprise_id))
            found[lead.domain].append(lead)
    for leads in found.values():
        leads.sort(key=lambda lead: (-lead.score, lead.enterprise_id))
    return found


async def delete_leads(session: AsyncSession, enterprise_ids: Sequence[uuid.UUID] | None) -> None:
    """Delete the leads of these enterprises (every lead with None)."""
    statement = delete(TechnologyLead)
    if enterprise_ids is not None:
        statement = statement.where(TechnologyLead.enterprise_id.in_(list(enterprise_ids)))
    await session.execute(statement)


async def insert_leads(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(TechnologyLead), list(rows))


async def leads_missing(session: AsyncSession) -> bool:
    """No lead at all while an enterprise exists (one statement, two probes of a row each)."""
    statement = select(~exists(select(TechnologyLead.enterprise_id)), exists(select(Enterprise.id)))
    no_lead, some_enterprise = (await session.execute(statement)).one()
    return bool(no_lead and some_enterprise)


async def enterprise_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Every enterprise's id, in id order (the rebuild's chunks)."""
    return list(await session.scalars(select(Enterprise.id).order_by(Enterprise.id)))


async def enterprises(
    session: AsyncSession, enterprise_ids: Sequence[uuid.UUID]
) -> Sequence[Enterprise]:
    found = await session.scalars(select(Enterprise).where(Enterprise.id.in_(list(enterprise_ids))))
    return found.all()


async def published_disclosures(
    session: AsyncSession, enterprise_ids: Sequence[uuid.UUID]
) -> Sequence[Row[tuple[uuid.UUID, DisclosureKind, int, dict[str, Any] | None]]]:
    """(subject enterprise, kind, year, metrics) of these enterprises' published disclosures,
    in (year, id) order: the latest value of each metric comes last."""
    found = await session.execute(
        select(
            Disclosure.subject_enterprise_id, Disclosure.kind, Disclosure.year, Disclosure.metrics
        )
        .where(
            Disclosure.subject_enterprise_id.in_(list(enterprise_ids)),
            Disclosure.status == DisclosureStatus.PUBLISHED,
        )
        .order_by(Disclosure.year, Disclosure.id)
    )
    return found.all()
