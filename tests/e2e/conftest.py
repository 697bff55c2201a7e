"""The live server for end-to-end tests: the real app under uvicorn on a free loopback port."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from greenrong.app import create_app
from greenrong.core.config import Settings

STARTUP_TIMEOUT_S = 15.0


def bound_socket() -> socket.socket:
    """A listening socket on a free loopback port (``getsockname()[1]``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def serving(settings: Settings, sock: socket.socket) -> Iterator[str]:
    """``create_app(settings)`` served by uvicorn in a thread on ``sock``; yields the base URL.

    The listening socket is bound before the server starts, so the port cannot be taken in
    between. Shutdown sets ``should_exit`` and waits for the lifespan to close the engine.
    """
    config = uvicorn.Config(
        create_app(settings),
        lifespan="on",
        ws="websockets-sansio",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        _wait_until_healthy(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop within 15 s"


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """``create_app(settings)`` served by uvicorn in a thread (``serving``); yields the base
    URL."""
    with serving(settings, bound_socket()) as base_url:
        yield base_url


def _wait_until_healthy(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with httpx.Client(base_url=base_url, timeout=2.0) as http:
        while time.monotonic() < deadline:
            if not thread.is_alive():
                raise RuntimeError("uvicorn stopped while starting (see the log above)")
            try:
                if http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"{base_url}/healthz did not answer within {STARTUP_TIMEOUT_S} s")
