"""GraphQL over HTTP: every audit of the graphql-http npm package passes, the SHOULDs included."""

from __future__ import annotations

import pytest

from tests.e2e.node import run_node_script

pytestmark = pytest.mark.e2e

# graphql-http's serverAudits() (version pinned in tests/node/package-lock.json) has this many.
EXPECTED_AUDITS = 61


def test_every_graphql_over_http_audit_passes(live_server: str) -> None:
    results = run_node_script("audit.mjs", f"{live_server}/graphql", timeout=120)

    failing = [
        f"  {r['id']} {r['name']} [{r['status']}]: {r.get('reason', '')}"
        for r in results
        if r["status"] != "ok"
    ]
    assert not failing, f"{len(failing)} of {len(results)} audits failed:\n" + "\n".join(failing)
    assert len(results) == EXPECTED_AUDITS, f"{len(results)} audits ran, not {EXPECTED_AUDITS}"
