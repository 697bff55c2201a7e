"""The platform's clock: the current instant and the platform's day, from one object.

Certificates, library memberships and consents run by the calendar in China, so the day is
the current date at UTC+8 (``Clock.today``), whatever the server's time zone. Every layer asks
the one process clock, ``CLOCK``: the GraphQL context carries it (``info.context.clock``),
``kit.types.utcnow`` (the column defaults, the access checks) and ``today`` read it, and the
services that take ``on`` default to its day. Tests move it with ``CLOCK.shifted(...)``
(``tests/conftest.py``: the ``dated`` marker runs a case again two years ahead).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone

#: the platform's calendar: China Standard Time (no daylight saving)
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock:
    """The wall clock, moved by an offset that only tests set."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """The current instant, tz-aware UTC."""
        return datetime.now(UTC) + self._offset

    def today(self) -> date:
        """The current day in China (UTC+8), the day certifications are checked against."""
        return self.now().astimezone(CHINA).date()

    @contextmanager
    def shifted(self, by: timedelta) -> Iterator[Clock]:
        """Within the block the clock runs ``by`` ahead (behind when negative): for tests."""
        previous = self._offset
        self._offset = previous + by
        try:
            yield self
        finally:
            self._offset = previous


#: the process's one clock
CLOCK = Clock()


def today() -> date:
    """The current day in China (UTC+8) by the process clock."""
    return CLOCK.today()
