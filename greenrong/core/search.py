"""The search engine connection: a configured OpenSearch cluster, or the embedded osmem-server.

Embedded mode starts the ``osmem-server`` binary from its PyPI wheel through the wheel's own
launcher, with ``--parent-pid`` (it dies with us) and ``--no-ja`` (no Japanese dictionary).
Nothing else in greenrong knows which engine it talks to.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from opensearchpy import AsyncOpenSearch

from greenrong.core.config import Settings

log = logging.getLogger(__name__)


@dataclass
class SearchEngine:
    client: AsyncOpenSearch
    url: str
    prefix: str
    embedded: Any = None  # the osmem_server.OsmemServer we started, if any

    def alias(self, name: str) -> str:
        """The read/write alias of one logical index, e.g. ``greenrong-listings``."""
        return f"{self.prefix}-{name}"

    async def close(self) -> None:
        await self.client.close()
        if self.embedded is not None:
            stop_embedded(self.embedded)


def open_search(settings: Settings) -> SearchEngine:
    """Connect to the configured cluster, or start the embedded engine."""
    embedded = None
    url = settings.opensearch_url
    if not url:
        from osmem_server import OsmemServer

        embedded = OsmemServer.start(japanese=False)
        url = embedded.url
        log.info("embedded search engine (osmem-server %s) on %s", embedded.version, url)
    client = AsyncOpenSearch(hosts=[url], **client_options(settings))
    return SearchEngine(
        client=client, url=url, prefix=settings.search_index_prefix, embedded=embedded
    )


def client_options(settings: Settings) -> dict[str, Any]:
    """The search client's timeout, credentials (basic or API key) and TLS verification."""
    options: dict[str, Any] = {
        "timeout": settings.search_timeout_seconds,
        "verify_certs": settings.opensearch_verify_certs,
        "ssl_show_warn": settings.opensearch_verify_certs,
    }
    if settings.opensearch_username:
        # built here in UTF-8 (RFC 7617): the client's http_auth encodes Latin-1 only, and
        # fails on a Chinese password
        pair = f"{settings.opensearch_username}:{settings.opensearch_password.get_secret_value()}"
        token = base64.b64encode(pair.encode()).decode()
        options["headers"] = {"authorization": f"Basic {token}"}
    api_key = settings.opensearch_api_key.get_secret_value()
    if api_key:
        options["headers"] = {"authorization": f"ApiKey {api_key}"}
    if settings.opensearch_ca_bundle is not None:
        options["ca_certs"] = str(settings.opensearch_ca_bundle)
    return options


def stop_embedded(server: Any) -> None:
    """Stop an osmem-server we started: its launcher closes stdin (the server exits) and
    waits; we also close the stdout pipe the launcher leaves open."""
    server.close()
    if server.process.stdout is not None:
        server.process.stdout.close()
