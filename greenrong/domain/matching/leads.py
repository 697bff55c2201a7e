"""Keeping ``technology_lead`` (``lead_repository.py``) equal to what the evidence says.

``refresh_leads`` recomputes the leads of some enterprises inside the caller's transaction:
the enterprise and disclosure services call it with every write that may change them (an
enterprise's industry or region, a disclosure's subject, status, kind, year or metrics), so
the table commits or rolls back with the change. ``rebuild_leads`` recomputes every row: the
demo seed calls it, ``greenrong migrate`` runs it when the table is empty while enterprises
exist (the upgrade that brings the table, ``missing``), and ``greenrong leads rebuild`` after
``technology_buyers.json`` or ``TECHNOLOGY_WEIGHTS`` changed.

The evidence is ``technology._lead_evidence`` over the enterprise's published disclosures,
read in (year, id) order so that the latest value of each metric and the latest evaluation
win, for every domain at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.disclosure.models import DisclosureKind
from greenrong.domain.matching import lead_repository as repository
from greenrong.domain.matching.kit import Reason
from greenrong.domain.matching.lead_repository import prefecture_of
from greenrong.domain.matching.technology import (
    TECHNOLOGY_WEIGHTS,
    _Evidence,
    _lead_evidence,
    buyer_signals,
)
from greenrong.domain.technology.models import TechnologyDomain

#: enterprises recomputed per statement by ``rebuild_leads``
CHUNK = 2000


async def refresh_leads(session: AsyncSession, enterprise_ids: Iterable[uuid.UUID | None]) -> None:
    """Recompute the leads of these enterprises (None entries are skipped) in the caller's
    transaction."""
    ids = sorted({i for i in enterprise_ids if i is not None})
    if not ids:
        return
    await session.flush()
    await repository.delete_leads(session, ids)
    await repository.insert_leads(session, await compute_leads(session, ids))


async def missing(session: AsyncSession) -> bool:
    """Whether the leads were never built: no lead at all while enterprises exist (a database
    upgraded to the release that brings the table). A deployment whose enterprises meet no
    buyer signal also reads as missing; rebuilding it finds nothing again, at migrate time."""
    return await repository.leads_missing(session)


async def rebuild_leads(session: AsyncSession) -> int:
    """Recompute every lead in the caller's transaction; how many rows there are now."""
    await session.flush()
    await repository.delete_leads(session, None)
    ids = await repository.enterprise_ids(session)
    written = 0
    for start in range(0, len(ids), CHUNK):
        rows = await compute_leads(session, ids[start : start + CHUNK])
        await repository.insert_leads(session, rows)
        written += len(rows)
    return written


async def compute_leads(
    session: AsyncSession, enterprise_ids: Sequence[uuid.UUID]
) -> list[dict[str, Any]]:
    """The ``technology_lead`` rows of these enterprises, as the evidence says now."""
    signals = buyer_signals()
    metrics = {m.metric for s in signals.values() for m in s.metrics}
    evidence: dict[uuid.UUID, _Evidence] = {}
    disclosures = await repository.published_disclosures(session, enterprise_ids)
    for enterprise_id, kind, year, values in disclosures:
        found = evidence.setdefault(enterprise_id, _Evidence())
        for key, raw in (values or {}).items():
            if key in metrics:
                found.metrics[key] = (year, Decimal(str(raw)))
        score = (values or {}).get("evaluation_score")
        if kind is DisclosureKind.ENVIRONMENTAL_EVALUATION and score is not None:
            found.evaluation = (year, Decimal(str(score)))
    enterprises = await repository.enterprises(session, enterprise_ids)
    rows: list[dict[str, Any]] = []
    for enterprise in enterprises:
        for domain in TechnologyDomain:
            lead = _lead_evidence(
                enterprise, evidence.get(enterprise.id), signals[domain], domain, TECHNOLOGY_WEIGHTS
            )
            if lead is None:
                continue
            score, _, reasons = lead
            rows.append(
                {
                    "domain": domain,
                    "enterprise_id": enterprise.id,
                    "score": score,
                    "region_code": enterprise.region_code,
                    "prefecture_code": prefecture_of(enterprise.region_code),
                    "reasons": [stored(r) for r in reasons],
                }
            )
    return rows


def stored(reason: Reason) -> dict[str, Any]:
    return {"code": reason.code.value, "message": reason.message, "weight": reason.weight}
