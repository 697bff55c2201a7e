"""The GraphiQL assets strawberry's page loads from a CDN, and their vendored copies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from strawberry.http.ides import get_graphql_ide_html

import greenrong

VENDORED_DIR = Path(greenrong.__file__).parent / "static" / "graphiql"
_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.DOTALL)
_URL = re.compile(r'(?:src|href)="https://[^/"]+/([^"]+)"')
_INTEGRITY = re.compile(r'integrity="([^"]+)"')


class Asset(NamedTuple):
    path: str  # "<package>@<version>/<file in the package>", as on the CDN and under VENDORED_DIR
    integrity: str  # "sha384-<base64>"

    @property
    def served_at(self) -> str:
        return f"/static/graphiql/{self.path}"


def strawberry_graphiql_assets() -> list[Asset]:
    """Each ``<script>``/``<link>`` of strawberry's GraphiQL page that loads from a CDN."""
    assets = []
    for tag in _TAG.findall(get_graphql_ide_html("graphiql")):
        url, integrity = _URL.search(tag), _INTEGRITY.search(tag)
        if url and integrity:
            assets.append(Asset(url.group(1), integrity.group(1)))
    return assets
