"""Benchmark batch carbon accounting: one calculation per enterprise-year at a seed scale.

    .venv/bin/python bench/carbon_batch.py --scale 100 --years 2021,2022,2023

The enterprise count is the demo seed's at that scale (``SeedPlan.at_scale``; 2,918 at scale 1).
Each enterprise-year gets deterministic activity data for one of the supported models (the five
industrial process models and the non-industrial model, in turn), run through the engine
against the current factor set with the year's national grid factor. Pure engine time: no
database (storing is one INSERT per calculation on top). ``--limit`` runs the first N only.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from decimal import Decimal
from time import perf_counter, process_time

from tqdm import tqdm

from greenrong.domain.carbon.calculate import calculate
from greenrong.domain.carbon.engine import Activity, CalculationRequest
from greenrong.domain.carbon.factors import DEFAULT_VERSION
from greenrong.domain.seed.plan import SeedPlan

MODELS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "industrial.cement",
        [
            ("fuel:烟煤", "80000", "t"),
            ("clinker", "800000", "t"),
            ("clinker_cao", "65", "percent"),
            ("clinker_mgo", "2", "percent"),
            ("electricity:purchased", "60000", "MWh"),
        ],
    ),
    (
        "industrial.steel",
        [
            ("fuel:焦炭", "300000", "t"),
            ("flux:limestone", "50000", "t"),
            ("flux_purity:limestone", "90", "percent"),
            ("electrode", "1200", "t"),
            ("electricity:purchased", "90000", "MWh"),
        ],
    ),
    (
        "industrial.aluminium",
        [
            ("aluminium", "100000", "t"),
            ("fuel:天然气", "300", "tenk_Nm3"),
            ("electricity:purchased", "1300000", "MWh"),
        ],
    ),
    (
        "industrial.flat_glass",
        [
            ("carbonate:Na2CO3", "60000", "t"),
            ("fuel:天然气", "4000", "tenk_Nm3"),
            ("electricity:purchased", "30000", "MWh"),
        ],
    ),
    (
        "industrial.power",
        [
            ("fuel:天然气", "30000", "tenk_Nm3"),
            ("desulfurant:CaCO3", "12000", "t"),
            ("desulfurant_content:CaCO3", "92", "percent"),
        ],
    ),
    (
        "non_industrial",
        [
            ("fuel:天然气", "2", "tenk_Nm3"),
            ("mobile:汽油", "10", "t"),
            ("refrigerant:R-410A", "20", "kg"),
            ("electricity:purchased", "800", "MWh"),
        ],
    ),
]


def _request(enterprise: int, year: int) -> CalculationRequest:
    model, rows = MODELS[enterprise % len(MODELS)]
    # a deterministic ±50 % variation per enterprise-year
    h = int.from_bytes(hashlib.blake2b(f"{enterprise}:{year}".encode(), digest_size=4).digest())
    scale = Decimal(50 + h % 101) / 100
    activities = tuple(
        Activity(s, Decimal(v) if u in ("percent",) else Decimal(v) * scale, u) for s, v, u in rows
    )
    return CalculationRequest(
        model=model,
        activities=activities,
        factor_version=DEFAULT_VERSION,
        parameters={"grid": f"{year}.全国"},
        accept_low_confidence=("*",),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--years", default="2021,2022,2023")
    parser.add_argument("--limit", type=int, default=None, help="run only the first N")
    args = parser.parse_args()
    enterprises = SeedPlan.at_scale(args.scale).enterprises
    years = [int(y) for y in args.years.split(",")]
    total = enterprises * len(years)
    n = total if args.limit is None else min(total, args.limit)
    emitted = Decimal(0)
    started, cpu_started = perf_counter(), process_time()
    with tqdm(total=n, unit="calc", file=sys.stderr, disable=None) as bar:
        for i in range(n):
            emitted += calculate(_request(i // len(years), years[i % len(years)])).total
            bar.update()
    seconds, cpu = perf_counter() - started, process_time() - cpu_started
    print(
        f"scale {args.scale:g}: {enterprises} enterprises × {len(years)} years"
        f" = {total} enterprise-years"
    )
    print(f"ran {n} calculations in {seconds:.1f} s: {n / seconds:.0f} calculations/s")
    # on a shared machine wall time hides contention: the CPU time is the engine's own cost
    print(
        f"CPU time {cpu:.1f} s: {n / cpu:.0f} calculations per CPU-second; all {total} would take"
        f" {total * cpu / n:.0f} CPU-seconds"
    )
    print(f"total emissions {emitted} tCO2e (a checksum: same inputs, same number)")


if __name__ == "__main__":
    main()
