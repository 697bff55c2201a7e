"""The platform's clock: the current instant (``kit.types.utcnow``) and the platform's day.

Certificates, library memberships and consents run by the calendar in China, so the day is
the current date at UTC+8 (``today``), whatever the server's time zone. Every layer asks here;
tests move the day by passing dates explicitly to the services that take ``on``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: the platform's calendar: China Standard Time (no daylight saving)
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def today() -> date:
    """The current day in China (UTC+8), the day certifications are checked against."""
    return datetime.now(CHINA).date()
