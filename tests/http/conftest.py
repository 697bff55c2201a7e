"""The HTTP edge's tests: a small body read deadline, so the slow-body test is quick."""

from __future__ import annotations

import pytest

from greenrong.core.config import Settings
from tests.e2e.conftest import live_server

__all__ = ["live_server"]

#: seconds a client has to send its body in these tests (the default is 15)
BODY_TIMEOUT_S = 0.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"body_timeout_seconds": BODY_TIMEOUT_S})
