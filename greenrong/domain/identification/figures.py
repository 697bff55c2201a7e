"""identificationStatistics from the kept platform figures (``domain/statistics``).

The suggestions by status, the corrections and their (from, to) pairs are figures of
``statistics.figures.PARTS``, kept per scope in the transactions that write them. A caller whose
scope's base rows hold every project (ADMIN, REGULATOR) reads them in one statement, whatever
the number of suggestions; every other caller sees only its own projects (an enterprise's, an
institution's through its demands, an expert's assigned ones), which ``repository.counts``
counts per request over those projects, as before; a caller who sees no project (the public,
partners) gets zeros without a statement.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.access.predicates import Everything
from greenrong.domain.access.principal import Principal
from greenrong.domain.identification.models import GreenIdentification, IdentificationStatus
from greenrong.domain.identification.repository import CorrectionCount, Counts
from greenrong.domain.statistics import scopes
from greenrong.domain.statistics.figures import PAIR, TOTAL
from greenrong.domain.statistics.repository import BUILT, StatisticsRepository

log = logging.getLogger(__name__)

FIGURES = ("suggestions", "corrections", "correction_pair")
NONE = Counts(suggested=0, accepted=0, corrected=0, corrections=0, top_corrections=[])


async def kept_counts(session: AsyncSession, *, principal: Principal, top: int) -> Counts | None:
    """The counts of a caller whose scope holds every project, from the kept figures (one
    statement); None for other callers, and while the scope is not built."""
    scope = scopes.SCOPE_OF[principal.role]
    if not isinstance(scope.rows[GreenIdentification.entity_type], Everything):
        return None
    rows = await StatisticsRepository(session).kept(scope.name, FIGURES)
    if (BUILT, scope.fingerprint) not in {(figure, key) for figure, key, *_ in rows}:
        log.warning("identification: scope %s is not built; counting the rows", scope.name)
        return None
    nulls_last = session.get_bind().dialect.name == "postgresql"
    return counts_of(rows, top=top, nulls_last=nulls_last)


def counts_of(rows: list[Any], *, top: int, nulls_last: bool) -> Counts:
    """The kept figure rows as ``repository.counts`` returns them: the top pairs by count, then
    from code (None last on PostgreSQL, first on SQLite, as each orders NULL in ascending
    order), then to code (in code point order, the C collation's)."""
    by_status: dict[str, int] = {}
    corrections = 0
    pairs: list[CorrectionCount] = []
    for figure, key, count, _amount in rows:
        if figure == "suggestions":
            by_status[key] = int(count)
        elif figure == "corrections" and key == TOTAL:
            corrections = int(count)
        elif figure == "correction_pair":
            first, _, second = key.partition(PAIR)
            pairs.append(CorrectionCount(first or None, second, int(count)))
    pairs.sort(
        key=lambda c: (
            -c.count,
            (c.from_code is None) == nulls_last,
            c.from_code or "",
            c.to_code,
        )
    )
    return Counts(
        suggested=sum(by_status.values()),
        accepted=by_status.get(IdentificationStatus.ACCEPTED.value, 0),
        corrected=by_status.get(IdentificationStatus.CORRECTED.value, 0),
        corrections=corrections,
        top_corrections=pairs[:top],
    )
