"""The green libraries' figures of ``platformStatistics.libraries``, kept in ``platform_figure``.

Open memberships per library and subject green category are kept per scope (the base rows of a
group of roles, ``statistics/scopes.py``), in the transactions that change the memberships or a
subject's category (``statistics/upkeep.py``). Whether a membership is open depends on the day
asked for, so the figures are kept relative to a **horizon** H, the UTC day of the last rebuild
(``greenrong migrate``), in one ``library_horizon`` row per scope whose key is H:

- ``library_open``, key ``LIBRARY|CATEGORY``: the memberships open on H;
- ``library_from``, key ``DAY|LIBRARY|CATEGORY``: those that start after H, by their first day;
- ``library_to``, key ``DAY|LIBRARY|CATEGORY``: those whose last day is H or later, by that day.

Open on a day D ≥ H = ``library_open`` + ``library_from`` up to D − ``library_to`` before D.
The keys start with the ISO day, so the read takes two primary-key ranges, the days from H to
D: its cost follows the days since the last rebuild, never the number of memberships (nor the
future days). A day before H is counted from the rows (``repository.open_counts``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from greenrong.domain.access.principal import Principal
from greenrong.domain.libraries.models import Library, LibraryMembership
from greenrong.domain.libraries.repository import MemberRow, member_rows_sync
from greenrong.domain.reference.vocab import GreenCategory
from greenrong.domain.statistics import scopes
from greenrong.domain.statistics.figures import ZERO, Tally
from greenrong.domain.statistics.repository import BUILT, StatisticsRepository, put_sync

OPEN = "library_open"
FROM = "library_from"
TO = "library_to"
HORIZON = "library_horizon"
SEP = "|"

#: (scope, membership as read) -> how many times it counts: +1 after a flush, -1 before it
Pending = Counter[tuple[str, MemberRow]]
Counts = dict[Library, dict[GreenCategory, int]]


def contributions(member: MemberRow, horizon: date) -> list[tuple[str, str]]:
    """The (figure, key) rows one membership counts in, relative to ``horizon``."""
    library, _subject_type, since, until, category = member
    pair = f"{library}{SEP}{category}"
    rows = []
    if since <= horizon and (until is None or until >= horizon):
        rows.append((OPEN, pair))
    if since > horizon:
        rows.append((FROM, f"{since.isoformat()}{SEP}{pair}"))
    if until is not None and until >= horizon:
        rows.append((TO, f"{until.isoformat()}{SEP}{pair}"))
    return rows


def count(pending: Pending, members: Iterable[MemberRow], sign: int) -> None:
    """Add ``members`` (with ``sign``) to every scope whose base rows hold them."""
    for member in members:
        values = {"subject_type": member[1]}
        for scope in scopes.SCOPES:
            if scopes.holds(scope.rows[LibraryMembership.entity_type], values):
                pending[scope.name, member] += sign


def deltas(pending: Pending, horizon: date) -> dict[tuple[str, str, str], Tally]:
    """The kept figures' changes that ``pending`` makes, per (scope, figure, key)."""
    changes: dict[tuple[str, str, str], Tally] = {}
    for (scope, member), n in pending.items():
        if n:
            for figure, key in contributions(member, horizon):
                changes.setdefault((scope, figure, key), Tally()).count += n
    return changes


def rebuild_sync(session: Session, horizon: date) -> None:
    """Every scope's library figures from every membership (after ``replace_sync`` emptied
    the table), with the horizon row."""
    pending: Pending = Counter()
    count(pending, member_rows_sync(session), +1)
    changes = deltas(pending, horizon)
    values = [
        {"scope": s, "figure": f, "key": k, "count": t.count, "amount": ZERO}
        for (s, f, k), t in sorted(changes.items())
        if t.count
    ]
    values += [
        {"scope": s.name, "figure": HORIZON, "key": horizon.isoformat(), "count": 0,
         "amount": ZERO}
        for s in scopes.SCOPES
    ]  # fmt: skip
    put_sync(session, values)


def _after(on: date) -> str:
    """A bound above every key of day ``on``."""
    return (on + timedelta(days=1)).isoformat() if on < date.max else f"{on.isoformat()}{SEP}~"


async def kept_counts(session: AsyncSession, *, on: date, principal: Principal) -> Counts | None:
    """Open memberships on ``on`` in the base rows of the caller's scope, per library and
    category, from the kept figures (one statement); None while the scope is not built or
    for a day before the horizon."""
    scope = scopes.SCOPE_OF[principal.role]
    rows = await StatisticsRepository(session).kept_below(
        scope.name, whole=(BUILT, HORIZON, OPEN), below={FROM: _after(on), TO: on.isoformat()}
    )
    markers = {figure: key for figure, key, *_ in rows if figure in (BUILT, HORIZON)}
    if markers.get(BUILT) != scope.fingerprint or HORIZON not in markers:
        return None
    if on.isoformat() < markers[HORIZON]:
        return None
    counts: Counts = {library: {} for library in Library}
    for figure, key, n, _amount in rows:
        if figure in (BUILT, HORIZON):
            continue
        sign = -1 if figure == TO else 1
        library, category = (key if figure == OPEN else key.split(SEP, 1)[1]).split(SEP)
        of_library = counts[Library(library)]
        category_ = GreenCategory(category)
        of_library[category_] = of_library.get(category_, 0) + sign * int(n)
    return counts
