"""Restart time: `greenrong serve` on existing demo data, embedded mode (its search engine starts
empty, so every start rebuilds the indices).

    .venv/bin/python bench/startup.py [--scale 1] [--restarts 3]

Seeds a SQLite demo database once (in a temporary directory), then starts `greenrong serve`
``--restarts`` times and prints, per start, the seconds from the command to:
- the first answer of a GraphQL query (``{ enterprises(first: 1) { totalCount } }``);
- ``/readyz`` answering 200 (every index rebuilt).
Issue 20's target is the first: within 10 s (measured before: 15.9 s quiet, 44 s busy, because
the rebuild ran before serving).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

GREENRONG = str(Path(sys.executable).with_name("greenrong"))
QUERY = {"query": "{ enterprises(first: 1) { totalCount } }"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_once(env: dict[str, str]) -> tuple[float, float, int]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [GREENRONG, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = ready = 0.0
    total = 0
    try:
        while not ready:
            if process.poll() is not None:
                raise RuntimeError("greenrong serve exited")
            try:
                if not first:
                    answer = httpx.post(f"{url}/graphql", json=QUERY, timeout=5).json()
                    total = answer["data"]["enterprises"]["totalCount"]
                    first = time.perf_counter() - started
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    ready = time.perf_counter() - started
            except (httpx.HTTPError, KeyError, TypeError):
                pass
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return first, ready, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--restarts", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenrong-startup-") as directory:
        env = {
            **os.environ,
            "GREENRONG_DATA_DIR": directory,
            "GREENRONG_DATABASE_URL": "",
            "GREENRONG_OPENSEARCH_URL": "",
            "GREENRONG_SEARCH_REBUILD_PROGRESS": "false",
        }
        print(f"seeding the demo data at scale {args.scale} …", flush=True)
        subprocess.run([GREENRONG, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run(
            [GREENRONG, "seed", "--demo", "--scale", str(args.scale)],
            env=env,
            check=True,
            capture_output=True,
        )
        firsts, readies = [], []
        for n in range(1, args.restarts + 1):
            first, ready, total = start_once(env)
            firsts.append(first)
            readies.append(ready)
            print(
                f"start {n}: first GraphQL answer {first:.1f} s ({total:,} enterprises), "
                f"/readyz 200 after {ready:.1f} s",
                flush=True,
            )
        print(
            f"median: first answer {statistics.median(firsts):.1f} s, "
            f"indices rebuilt {statistics.median(readies):.1f} s"
        )


if __name__ == "__main__":
    main()
