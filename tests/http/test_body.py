"""The request body at the edge (``schema/kit/body.py``, ``schema/view.py``): bodies that are
not JSON, too deep, too large or too slow get a GraphQL-over-HTTP error body with a 4xx status,
never a plain-text 500, and change nothing; a client that goes away is one debug line."""

from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.graphql.test_mutations import CREATE, counts, enterprise_input
from tests.http.conftest import BODY_TIMEOUT_S

MIB = 1_048_576


def _error(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _mutation_body(padding: int = 0) -> bytes:
    """A createEnterprise request, its JSON padded with spaces to ``padding`` more bytes."""
    body = json.dumps(
        {"query": CREATE, "variables": {"input": enterprise_input()}}, ensure_ascii=False
    )
    return (body + " " * padding).encode()


async def test_a_body_that_is_not_utf8_is_a_400_with_a_graphql_error(
    client: httpx.AsyncClient, sessionmaker: Any
) -> None:
    # given: the mutation with its name's bytes broken
    body = _mutation_body().replace("成都".encode(), b"\xff\xfe")
    # when
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    # then
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == _error(
        "BAD_REQUEST",
        "The request body is not JSON: str is not valid UTF-8: surrogates not allowed: "
        "line 1 column 1 (char 0)",
    )
    assert await counts(sessionmaker) == (0, 0)


@pytest.mark.parametrize("depth", [1025, 100_000])
async def test_json_nested_deeper_than_1024_levels_is_a_400(
    client: httpx.AsyncClient, depth: int
) -> None:
    # given: variables nesting `depth` lists
    body = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * depth + b"]" * depth + b"}}"
    # when
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    # then
    assert response.status_code == 400
    assert response.json() == _error(
        "BAD_REQUEST",
        "The request body is not JSON: depth limit exceeded: line 1 column 1071 (char 1070)",
    )


async def test_what_only_the_json_module_reads_still_parses(client: httpx.AsyncClient) -> None:
    # given: NaN, which orjson refuses and json reads
    body = (
        b'{"query": "query($n: Int) { enterprises(first: $n) { totalCount } }",'
        b' "variables": {"n": NaN}}'
    )
    # when
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    # then: graphql-core's own answer for an Int out of range, not a 400 from the body
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == (
        "Variable '$n' has invalid value: Int cannot represent non-integer value: nan"
    )


async def test_a_request_strawberry_refuses_has_a_graphql_error_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", content="{ __typename }", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 400
    assert response.json() == _error("BAD_REQUEST", "Unsupported content type")


async def test_a_body_over_the_limit_is_a_413_and_changes_nothing(
    client: httpx.AsyncClient, sessionmaker: Any
) -> None:
    # given: the mutation padded to one byte over 1 MiB
    unpadded = len(_mutation_body())
    body = _mutation_body(MIB + 1 - unpadded)
    # when
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    # then
    assert (response.status_code, response.headers["connection"]) == (413, "close")
    assert response.json() == _error(
        "PAYLOAD_TOO_LARGE", "The request body is larger than 1048576 bytes."
    )
    assert await counts(sessionmaker) == (0, 0)


async def test_a_body_of_exactly_the_limit_runs(
    client: httpx.AsyncClient, sessionmaker: Any
) -> None:
    unpadded = len(_mutation_body())
    response = await client.post(
        "/graphql",
        content=_mutation_body(MIB - unpadded),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["createEnterprise"]["__typename"] == "EnterpriseSuccess"
    assert await counts(sessionmaker) == (1, 1)


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(app: Starlette) -> None:
    # given: a body of 50 chunks of 64 KiB (3.2 MiB), without a Content-Length
    sent = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        sent += 1
        return {"type": "http.request", "body": b" " * 65536, "more_body": sent < 50}

    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
        "app": app,
    }
    # when
    await app(scope, receive, send)
    # then: refused after the chunk that passed 1 MiB (the 17th), the rest never read
    assert sent == 17
    assert messages[0]["status"] == 413
    assert (b"connection", b"close") in messages[0]["headers"]
    assert json.loads(messages[1]["body"]) == _error(
        "PAYLOAD_TOO_LARGE", "The request body is larger than 1048576 bytes."
    )


async def test_a_client_gone_before_its_body_is_one_debug_line(
    app: Starlette, caplog: pytest.LogCaptureFixture, sessionmaker: Any
) -> None:
    # given: a client that sends half the mutation, then disconnects
    body = _mutation_body()
    parts = [
        {"type": "http.request", "body": body[:100], "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return parts.pop(0)

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError(f"nothing is sent to a client that is gone: {message}")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
        "app": app,
    }
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    # when
    await app(scope, receive, send)
    # then
    records = [r for r in caplog.records if r.name.startswith("greenrong")]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("DEBUG", "client disconnected before the request body was read: POST /graphql", None)
    ]
    assert await counts(sessionmaker) == (0, 0)


# ---------------------------------------------------------------- through uvicorn


def _connect(base_url: str) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=10)
    return connection


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _head(length: int) -> bytes:
    return (
        "POST /graphql HTTP/1.1\r\nHost: greenrong\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_a_declared_length_over_the_limit_is_refused_before_the_body(live_server: str) -> None:
    # given: a request announcing 50 MB, of which nothing is sent
    with _connect(live_server) as connection:
        connection.sendall(_head(50_000_000))
        # when: the server answers and closes without waiting for the body
        answer = _read_all(connection)
    # then
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
    assert b"\r\nconnection: close" in head
    assert json.loads(body) == _error(
        "PAYLOAD_TOO_LARGE", "The request body is larger than 1048576 bytes."
    )


def test_a_slow_body_is_a_408_and_its_connection_is_closed(live_server: str) -> None:
    # given: a client that sends its body one byte at a time, 0.1 s apart
    body = b'{"query": "{ __typename }"}'
    started = time.monotonic()
    with _connect(live_server) as connection:
        connection.sendall(_head(len(body)))
        connection.settimeout(0.1)
        answer = b""
        for byte in body:
            try:
                connection.sendall(bytes([byte]))
                answer += connection.recv(65536)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            if answer:
                break
        connection.settimeout(5)
        answer += _read_all(connection)  # returns once the server has closed the connection
    elapsed = time.monotonic() - started
    # then: the answer came after the deadline (0.5 s), well before the body's 2.7 s
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"\r\nconnection: close" in head
    assert json.loads(payload) == _error(
        "REQUEST_TIMEOUT", "The request body did not arrive within 0.5 s."
    )
    assert BODY_TIMEOUT_S <= elapsed < 2.0
