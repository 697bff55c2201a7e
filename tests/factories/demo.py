"""The demo data at scale 1 as a prebuilt world (``tests/factories/prebuilt.py``): seeded once a
run and copied for every test that reads its database, instead of seeded again by each (about
30 s each on a loaded machine). Registered with ``settle=False``: building the indices of 4,000
rows cost more than the seeds it saved, so a test that serves the demo through an app
(``tests/libraries/test_seed.py``) seeds it itself, after its app has started."""

from __future__ import annotations

from greenrong.core.db import SessionMaker
from greenrong.domain.seed.demo import SeedReport, seed_demo


async def demo_at_scale_1(sessionmaker: SessionMaker) -> SeedReport:
    """The demo at scale 1, as ``greenrong seed`` writes it; its report."""
    return await seed_demo(sessionmaker, scale=1, progress=False)
