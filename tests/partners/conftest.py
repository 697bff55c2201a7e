"""Fixtures of the partners tests: fast polls and tiny webhook backoffs."""

from __future__ import annotations

import pytest

from greenrong.core.config import Settings

#: polls, backoffs and windows in tenths of seconds, so a test sees retries and give-ups
FAST = {
    "feed_poll_seconds": 0.2,
    "relay_poll_seconds": 0.5,
    "subscription_keepalive_seconds": 0.3,
    "webhook_timeout_seconds": 0.5,
    "webhook_min_backoff_seconds": 0.05,
    "webhook_max_backoff_seconds": 0.2,
    "webhook_retry_window_seconds": 3.0,
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update=FAST)


from tests.e2e.conftest import live_server  # noqa: E402, F401  (the real app under uvicorn)
