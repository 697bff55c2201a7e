"""What the performance tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from greenrong.app import create_app
from greenrong.core.config import Settings


@pytest.fixture
async def other_app(settings: Settings) -> AsyncIterator[Starlette]:
    """A second API process on the same database (and search engine) as ``app``."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
