from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from greenrong.domain.kit.models import Base


class PeriodicRun(Base):
    """One periodic pass (``workers/schedule.py``) and its lease: the process that moves
    ``lease_until`` forward runs the pass; nobody else may before that time comes."""

    __tablename__ = "periodic_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: when the last pass started (None before the first)
    last_started_at: Mapped[datetime | None] = mapped_column()
    #: no process starts the pass again before this time: the start of the next period
    lease_until: Mapped[datetime] = mapped_column()
    #: who started the last pass: ``host:pid``
    holder: Mapped[str | None] = mapped_column(String(200))
    #: passes started so far, all processes together
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
