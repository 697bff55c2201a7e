"""The web portal's GraphQL documents (``greenrong/static/portal/queries/*.graphql``).

One file per view, one operation per file, named after the file. The server knows them from
start-up: ``PersistedQueryPolicy.pinned`` holds them by APQ hash, so the portal sends only a
hash (one request per view, never a ``PERSISTED_QUERY_NOT_FOUND`` round trip), and
``greenrong portal allowlist`` writes them as an allow-list for
``GREENRONG_PERSISTED_QUERY_ALLOWLIST`` (docs/SECURITY.md). The browser reads their hashes from
``/portal/queries.js`` (``resolvers/portal_page.py``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from greenrong.domain.access.principal import Role
from greenrong.schema.kit.persisted import sha256_hex

QUERIES_DIR = Path(__file__).parents[1] / "static" / "portal" / "queries"


@cache
def documents() -> dict[str, str]:
    """Operation name -> document text, in name order."""
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted(QUERIES_DIR.glob("*.graphql"))
    }


@cache
def by_hash() -> dict[str, str]:
    """APQ sha256 -> document text."""
    return {sha256_hex(text): text for text in documents().values()}


def hashes() -> dict[str, str]:
    """Operation name -> APQ sha256."""
    return {name: sha256_hex(text) for name, text in documents().items()}


def allowlist() -> dict[str, list[str]]:
    """Every role may send every portal document; what each may see is the API's business."""
    digests = sorted(by_hash())
    return {role.name: digests for role in Role}
