"""The portal's pages: time from navigation to rendered content, and GraphQL requests per view.

    .venv/bin/python bench/portal/run.py [--scale 1] [--runs 5]

Seeds a SQLite demo database (in a temporary directory), starts `greenrong serve` on a free
port, waits until its indices are built (``/readyz``), then opens each page ``--runs`` times in
headless Chromium (``bench/portal/pages.mjs``; needs ``bash tests/node/setup``) as the public, an
enterprise and an institution, and prints per page: the first (cold: modules and reference data
loaded) and the median and worst of the warm runs, in ms from navigation start to the page's
``portal:rendered`` mark (Chromium's performance timeline), and the GraphQL requests of one view.
Issue 23's targets: within 1 s per page on the demo data, one request per view.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))
from startup import free_port

GREENRONG = str(Path(sys.executable).with_name("greenrong"))
PAGES_SCRIPT = Path(__file__).with_name("pages.mjs")


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{uuid.UUID(key)}".encode()).decode()


def run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([GREENRONG, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def parties(database: Path) -> dict[str, str]:
    """An enterprise that granted an institution consent, an enterprise with demands, a
    published listing (global ids)."""
    with sqlite3.connect(database) as db:
        enterprise, institution = db.execute(
            "SELECT enterprise_id, institution_id FROM data_consent "
            "WHERE scopes LIKE '%CONTACT_DETAILS%' ORDER BY enterprise_id LIMIT 1"
        ).fetchone()
        (with_demands,) = db.execute(
            "SELECT enterprise_id FROM financing_demand GROUP BY enterprise_id "
            "ORDER BY count(*) DESC, enterprise_id LIMIT 1"
        ).fetchone()
        (listing,) = db.execute(
            "SELECT id FROM technology_listing WHERE status = 'PUBLISHED' ORDER BY id LIMIT 1"
        ).fetchone()
    return {
        "enterprise": enterprise,
        "institution": institution,
        "with_demands": with_demands,
        "listing": listing,
    }


def key(role: str, org: str, env: dict[str, str]) -> str:
    return run("keys", "create", "--role", role, "--org", str(uuid.UUID(org)), env=env).split()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenrong-portal-bench-") as directory:
        env = {
            **os.environ,
            "GREENRONG_DATA_DIR": directory,
            "GREENRONG_DATABASE_URL": "",
            "GREENRONG_OPENSEARCH_URL": "",
        }
        run("migrate", env=env)
        run("seed", "--demo", "--scale", str(args.scale), env=env)
        ids = parties(Path(directory) / "greenrong.db")
        institution_key = key("INSTITUTION", ids["institution"], env)
        enterprise_key = key("ENTERPRISE", ids["with_demands"], env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [GREENRONG, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            institution = {
                "role": "INSTITUTION",
                "orgId": gid("FinancialInstitution", ids["institution"]),
                "keyId": "i",
            }
            enterprise = {
                "role": "ENTERPRISE",
                "orgId": gid("Enterprise", ids["with_demands"]),
                "keyId": "e",
            }
            consented = gid("Enterprise", ids["enterprise"])
            pages = [
                {"name": "首页", "path": "/"},
                {"name": "绿色企业", "path": "/enterprises"},
                {
                    "name": "绿色企业 (筛选)",
                    "path": "/enterprises?prefecture=510100&level=GREEN&sort=CREATED_AT.DESC",
                },
                {"name": "企业详情", "path": f"/enterprises/{consented}"},
                {
                    "name": "企业详情 (机构)",
                    "path": f"/enterprises/{consented}",
                    "token": institution_key,
                    "viewer": institution,
                },
                {"name": "技术交易", "path": "/listings"},
                {
                    "name": "技术交易 (光伏)",
                    "path": "/listings?q=%E5%85%89%E4%BC%8F&domain=CLEAN_ENERGY",
                },
                {
                    "name": "成果详情",
                    "path": f"/listings/{gid('TechnologyListing', ids['listing'])}",
                },
                {
                    "name": "融资对接 (企业)",
                    "path": "/financing",
                    "token": enterprise_key,
                    "viewer": enterprise,
                },
                {
                    "name": "融资对接 (机构)",
                    "path": "/financing",
                    "token": institution_key,
                    "viewer": institution,
                },
            ]
            done = subprocess.run(
                [
                    "node",
                    str(PAGES_SCRIPT),
                    json.dumps({"base": base, "runs": args.runs, "pages": pages}),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = json.loads(done.stdout)
    print(f"scale {args.scale}, {args.runs} navigations per page (ms from navigation to rendered)")
    print(f"{'page':<20} {'cold':>6} {'warm p50':>9} {'warm max':>9}  GraphQL requests per view")
    for page in report["pages"]:
        cold, warm = page["ms"][0], page["ms"][1:] or page["ms"]
        views = {tuple(r) for r in page["requests"][1:] or page["requests"]}
        shown = " | ".join(", ".join(v) for v in sorted(views))
        print(
            f"{page['name']:<20} {cold:>6} {statistics.median(warm):>9.0f} {max(warm):>9}  {shown}"
        )
        if page["errors"]:
            print(f"  page errors: {page['errors']}")


if __name__ == "__main__":
    main()
