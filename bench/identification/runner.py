"""Top-1 and top-3 accuracy of the green identification engine on bench/identification/cases.json.

It starts what it needs: the embedded search engine (or the cluster at --opensearch-url), builds
the catalogue index from the packaged data file, runs every case through the same engine as the
``identifyGreen`` query, and prints accuracy per split (dev: what the engine was tuned on;
holdout: never tuned on) and every miss. No database is needed: the catalogue is reference data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from greenrong.core.config import Settings
from greenrong.core.search import open_search
from greenrong.domain.identification.catalogue import catalogue
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.indexers.catalogue.document import CATALOGUE
from greenrong.indexers.catalogue.engine import identify
from greenrong.indexers.kit.reference import build

CASES = Path(__file__).with_name("cases.json")


async def run(opensearch_url: str, show_hits: bool) -> int:
    cases = json.loads(CASES.read_text("utf-8"))["cases"]
    engine = open_search(Settings(opensearch_url=opensearch_url, search_index_prefix="bench"))
    try:
        await build(engine, CATALOGUE)
        results: dict[str, list[tuple[bool, bool]]] = {"dev": [], "holdout": []}
        misses: list[str] = []
        for case in cases:
            ranked = await identify(engine, IdentifyRequest(text=case["text"]), size=3)
            codes = [c.item.code for c in ranked]
            top1 = codes[:1] == [case["expected"]]
            top3 = case["expected"] in codes
            results[case["split"]].append((top1, top3))
            if not top1:
                expected = catalogue().items[case["expected"]].name
                got = ", ".join(f"{c.item.code} {c.item.name} ({c.confidence})" for c in ranked)
                misses.append(
                    f"  {case['id']} [{case['split']}{'' if top3 else ', not in top 3'}] "
                    f"expected {case['expected']} {expected}; got {got or 'nothing'}\n"
                    f"      {case['text']}"
                )
            elif show_hits:
                print(f"  ok {case['id']} {codes[0]} ({ranked[0].confidence})")
        print(f"identification bench: {len(cases)} cases, catalogue {catalogue().version}")
        everything = results["dev"] + results["holdout"]
        for name, rows in (*results.items(), ("all", everything)):
            n = len(rows)
            hits1 = sum(1 for r in rows if r[0])
            hits3 = sum(1 for r in rows if r[1])
            print(
                f"  {name:<8} {n:>3} cases  top-1 {hits1 / n:6.1%} ({hits1})  "
                f"top-3 {hits3 / n:6.1%} ({hits3})"
            )
        print(f"misses (top-1): {len(misses)}")
        for line in misses:
            print(line)
    finally:
        await engine.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opensearch-url", default="", help="a cluster (default: embedded)")
    parser.add_argument("--hits", action="store_true", help="also list the cases it got right")
    args = parser.parse_args()
    return asyncio.run(run(args.opensearch_url, args.hits))


if __name__ == "__main__":
    sys.exit(main())
