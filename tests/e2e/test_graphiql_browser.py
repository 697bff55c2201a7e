"""GraphiQL in headless Chromium, with every request to another host blocked: it still works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.graphiql_assets import strawberry_graphiql_assets
from tests.e2e.node import run_node_script

pytestmark = pytest.mark.e2e

# What the test types into GraphiQL and the result pane must then show (as parsed JSON; the
# pane also shows extensions.queryCost, whose remaining budget depends on the introspection).
SMOKE_QUERY = {
    "query": "{ enterprises { totalCount } }",
    "data": {"enterprises": {"totalCount": 0}},
}


def test_graphiql_runs_a_query_without_internet(live_server: str, tmp_path: Path) -> None:
    screenshot = tmp_path / "graphiql.png"
    report = run_node_script(
        "graphiql.mjs",
        json.dumps(
            {
                "url": f"{live_server}/graphql",
                "query": SMOKE_QUERY["query"],
                "screenshot": str(screenshot),
            }
        ),
        timeout=120,
    )

    assert "error" not in report, f"the browser run failed:\n{report['error']}\n{report}"
    assert report["blocked"] == [], "the page tried to reach other hosts"
    assert "text/html" in report["documentAccept"]
    assets = strawberry_graphiql_assets()
    assert len(assets) == 7
    assert report["assets"] == {asset.served_at: 200 for asset in assets}
    assert report["pageErrors"] == []
    assert report["result"]["data"] == SMOKE_QUERY["data"]
    assert report["result"]["extensions"]["queryCost"]["requested"] == 2
    assert screenshot.stat().st_size > 10_000, f"suspiciously small screenshot {screenshot}"
