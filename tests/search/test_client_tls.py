"""The search client's credentials and TLS settings, against a real HTTPS server on 127.0.0.1
with a throwaway CA (trustme): basic auth and API keys reach the server as headers, the CA
bundle is what makes the certificate trusted, and verification can be switched off."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import trustme
from opensearchpy import AsyncOpenSearch
from opensearchpy.exceptions import ConnectionError as SearchConnectionError
from pydantic import SecretStr, ValidationError

from greenrong.core.config import Settings
from greenrong.core.search import client_options


class _Cluster(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = json.dumps({"cluster_name": "绿蓉融测试集群", "version": {"number": "2.19.0"}})
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server's URL and the PEM of the CA that signed its certificate."""
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    _Cluster.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Cluster)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", bundle
    finally:
        server.shutdown()
        server.server_close()


async def _info(url: str, settings: Settings) -> dict[str, Any]:
    client = AsyncOpenSearch(hosts=[url], **client_options(settings))
    try:
        return dict(await client.info())
    finally:
        await client.close()


async def test_basic_auth_over_tls_with_the_ca_bundle(cluster: tuple[str, Path]) -> None:
    url, bundle = cluster
    settings = Settings(
        opensearch_url=url,
        opensearch_username="greenrong",
        opensearch_password=SecretStr("绿蓉融-secret"),
        opensearch_ca_bundle=bundle,
    )
    assert (await _info(url, settings))["cluster_name"] == "绿蓉融测试集群"
    expected = base64.b64encode("greenrong:绿蓉融-secret".encode()).decode()
    assert _Cluster.seen[-1]["authorization"] == f"Basic {expected}"


async def test_an_api_key_is_sent_as_its_header(cluster: tuple[str, Path]) -> None:
    url, bundle = cluster
    settings = Settings(
        opensearch_url=url,
        opensearch_api_key=SecretStr("a2V5OnZhbHVl"),
        opensearch_ca_bundle=bundle,
    )
    await _info(url, settings)
    assert _Cluster.seen[-1]["authorization"] == "ApiKey a2V5OnZhbHVl"


async def test_an_unknown_ca_is_refused_unless_verification_is_off(
    cluster: tuple[str, Path],
) -> None:
    url, _ = cluster
    with pytest.raises(SearchConnectionError):  # opensearch-py's SSLError is one
        await _info(url, Settings(opensearch_url=url))
    assert _Cluster.seen == []
    off = Settings(opensearch_url=url, opensearch_verify_certs=False)
    assert (await _info(url, off))["cluster_name"] == "绿蓉融测试集群"
    assert "authorization" not in _Cluster.seen[-1]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"opensearch_username": "greenrong"}, "opensearch_username and opensearch_password go"),
        (
            {
                "opensearch_username": "u",
                "opensearch_password": "p",
                "opensearch_api_key": "k",
            },
            "give opensearch_api_key or opensearch_username, not both",
        ),
        ({"opensearch_ca_bundle": "/nonexistent/ca.pem"}, "opensearch_ca_bundle: no file"),
    ],
)
def test_credentials_that_cannot_work_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**values)
