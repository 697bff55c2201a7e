"""The demo's fixed calendar (all UTC): nothing depends on the wall clock, so runs are repeatable.

The 2022 report's figures are "截至2022年5月末" (to the end of May 2022).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

PLATFORM_LAUNCH = datetime(2019, 6, 1, tzinfo=UTC)
#: enterprises that ask for financing joined before this; demands are submitted from it on
DEMANDS_OPEN = datetime(2020, 1, 1, tzinfo=UTC)
CUTOFF = datetime(2022, 5, 31, 23, 59, 59, tzinfo=UTC)
CUTOFF_DAY = CUTOFF.date()
FINANCED_YEARS = (2020, 2021, 2022)


def moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-second instant in [start, end]."""
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randint(0, max(span, 0)))


def year_window(year: int) -> tuple[datetime, datetime]:
    """The part of a calendar year inside the demo's timeline."""
    start = max(datetime(year, 1, 1, tzinfo=UTC), DEMANDS_OPEN)
    end = min(datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC), CUTOFF)
    return start, end


def day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))
