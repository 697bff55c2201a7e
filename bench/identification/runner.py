"""Top-1 and top-3 accuracy of the green identification engine, per set of cases.

It starts what it needs: the embedded search engine (or the cluster at --opensearch-url), builds
the catalogue index from the packaged data file, runs every case through the same engine as the
``identifyGreen`` query, and prints accuracy per set and split:

- ``short``: ``cases.json``, one- or two-sentence descriptions (its own dev and holdout halves);
- ``application-tune``: ``applications_tune.json``, long application-style texts tuned on;
- ``application-holdout``: ``applications_holdout.json``, long texts never tuned on.

Then every top-1 miss of the sets one may tune on. The application holdout's misses are not
printed unless asked (``--holdout-misses``, for the report only): looking at them is tuning on
them. No database is needed: the catalogue is reference data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greenrong.core.config import Settings
from greenrong.core.search import open_search
from greenrong.domain.identification.catalogue import catalogue
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.indexers.catalogue.document import CATALOGUE
from greenrong.indexers.catalogue.engine import identify
from greenrong.indexers.kit.reference import build

HERE = Path(__file__).parent
SHORT = HERE / "cases.json"
TUNE = HERE / "applications_tune.json"
HOLDOUT = HERE / "applications_holdout.json"
#: the set whose misses stay hidden while tuning
HIDDEN = "application-holdout"


@dataclass(frozen=True)
class Case:
    set: str
    split: str
    id: str
    text: str
    expected: str


def load_cases() -> list[Case]:
    """Every case, tagged with its set and split (the application files are one split each)."""
    cases: list[Case] = []
    for raw in json.loads(SHORT.read_text("utf-8"))["cases"]:
        cases.append(Case("short", raw["split"], raw["id"], raw["text"], raw["expected"]))
    for path, name in ((TUNE, "application-tune"), (HOLDOUT, HIDDEN)):
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        for raw in data["cases"]:
            cases.append(Case(name, name, raw["id"], raw["text"], raw["expected"]))
    return cases


def miss_shown(case: Case, *, holdout_misses: bool) -> bool:
    """Whether a miss of this case is printed: never the application holdout's while tuning."""
    return case.set != HIDDEN or holdout_misses


@dataclass
class Tally:
    rows: list[tuple[bool, bool]] = field(default_factory=list)

    def line(self, name: str) -> str:
        n = len(self.rows)
        hits1 = sum(1 for r in self.rows if r[0])
        hits3 = sum(1 for r in self.rows if r[1])
        return (
            f"  {name:<28} {n:>3} cases  top-1 {hits1 / n:6.1%} ({hits1})  "
            f"top-3 {hits3 / n:6.1%} ({hits3})"
        )


async def run(
    opensearch_url: str, show_hits: bool, holdout_misses: bool, skip_holdout: bool
) -> int:
    cases = [c for c in load_cases() if not (skip_holdout and c.set == HIDDEN)]
    engine = open_search(Settings(opensearch_url=opensearch_url, search_index_prefix="bench"))
    try:
        await build(engine, CATALOGUE)
        tallies: dict[str, Tally] = {}
        misses: list[str] = []
        for case in cases:
            ranked = await identify(engine, IdentifyRequest(text=case.text), size=3)
            codes = [c.item.code for c in ranked]
            top1 = codes[:1] == [case.expected]
            top3 = case.expected in codes
            keys = [case.set] if case.set == case.split else [case.set, f"{case.set} {case.split}"]
            for key in keys:
                tallies.setdefault(key, Tally()).rows.append((top1, top3))
            if not miss_shown(case, holdout_misses=holdout_misses):
                continue
            if not top1:
                expected = catalogue().items[case.expected].name
                got = ", ".join(f"{c.item.code} {c.item.name} ({c.confidence})" for c in ranked)
                misses.append(
                    f"  {case.id} [{case.set}/{case.split}{'' if top3 else ', not in top 3'}] "
                    f"expected {case.expected} {expected}; got {got or 'nothing'}\n"
                    f"      {case.text}"
                )
            elif show_hits:
                print(f"  ok {case.id} {codes[0]} ({ranked[0].confidence})")
        print(f"identification bench: {len(cases)} cases, catalogue {catalogue().version}")
        for name in sorted(tallies, key=lambda k: (not k.startswith("short"), k)):
            print(tallies[name].line(name))
        hidden = "" if holdout_misses else f" ({HIDDEN} misses not shown)"
        print(f"misses (top-1){hidden}: {len(misses)}")
        for line in misses:
            print(line)
    finally:
        await engine.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opensearch-url", default="", help="a cluster (default: embedded)")
    parser.add_argument("--hits", action="store_true", help="also list the cases it got right")
    parser.add_argument(
        "--holdout-misses",
        action="store_true",
        help=f"also list the misses of {HIDDEN} (for the report; never while tuning)",
    )
    parser.add_argument(
        "--skip-holdout",
        action="store_true",
        help=f"leave {HIDDEN} out entirely (while tuning: not even its figure)",
    )
    args = parser.parse_args()
    return asyncio.run(run(args.opensearch_url, args.hits, args.holdout_misses, args.skip_holdout))


if __name__ == "__main__":
    sys.exit(main())
