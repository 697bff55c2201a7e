"""Fixtures of the fuzz tests: the test settings with a budget that fuzzing cannot spend."""

from __future__ import annotations

import pytest

from greenrong.core.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Compiled views on (the default; they run on PostgreSQL), and a per-caller budget no
    run spends: otherwise most operations would be refused as RATE_LIMITED, and say nothing."""
    return settings.model_copy(
        update={"compiled_views": True, "query_budget_per_minute": 1_000_000_000}
    )
