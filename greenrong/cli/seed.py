"""``greenrong seed --demo``: the deterministic demo dataset."""

from __future__ import annotations

import asyncio
from datetime import datetime

import click

from greenrong.cli import kit


@click.command()
@click.option("--demo", is_flag=True, required=True, help="Load the Sichuan demo dataset.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, 1000),
    help="Dataset size; 1 is the seed report's size (2,918 enterprises).",
)
@click.option("--seed", "random_seed", default=2022, show_default=True, help="Random seed.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="YYYY-MM-DD, from 2022-05-31 on: the day the certification history runs to "
    "(renewals, expiries). Default: today in China (UTC+8), the day the expiry pass uses.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when data already exists.")
def seed(
    demo: bool, scale: float, random_seed: int, as_of: datetime | None, if_empty: bool
) -> None:
    """Load deterministic demo data into an empty database."""
    from greenrong.domain.kit.clock import today
    from greenrong.domain.seed.demo import DatabaseNotEmpty, seed_demo
    from greenrong.domain.seed.timeline import CUTOFF_DAY

    day = today() if as_of is None else as_of.date()
    if day < CUTOFF_DAY:
        raise click.BadParameter(f"must be {CUTOFF_DAY} or later", param_hint="--as-of")

    async def run() -> None:
        async with kit.database() as sessionmaker:
            report = await seed_demo(
                sessionmaker, scale=scale, seed=random_seed, as_of=day, progress=True
            )
        kit.report(f"demo data loaded: {report.summary()}")

    try:
        asyncio.run(run())
    except DatabaseNotEmpty as exc:
        if if_empty:
            kit.report(f"demo data skipped: {exc}")
            return
        raise click.ClickException(str(exc)) from exc
