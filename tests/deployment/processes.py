"""Real greenrong processes for the deployment tests: ``greenrong serve`` and
``greenrong worker`` subprocesses, the GraphQL calls the tests make through them, and what
``/proc`` says about a process tree."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.factories.access import TEST_JWT_SECRET

#: starting a process imports greenrong (several seconds of CPU): generous, for a loaded machine
STARTUP_TIMEOUT_S = 90.0

LISTING = "id title version"
CREATE_LISTING = f"""
mutation($input: CreateListingInput!) {{
  createTechnologyListing(input: $input) {{
    __typename
    ... on TechnologyListingSuccess {{ technologyListing {{ {LISTING} }} }}
  }}
}}"""
UPDATE_LISTING = f"""
mutation($input: UpdateListingInput!) {{
  updateTechnologyListing(input: $input) {{
    __typename
    ... on TechnologyListingSuccess {{ technologyListing {{ {LISTING} }} }}
  }}
}}"""
SEARCH_LISTINGS = """
query($query: String) {
  result: searchTechnologyListings(query: $query, first: 5) {
    __typename
    ... on TechnologyListingSearchConnection { totalCount edges { node { title } } }
  }
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def greenrong_env(values: Mapping[str, str]) -> dict[str, str]:
    """This environment without any GREENRONG_ variable, plus ``values`` and the tests' JWT
    secret (so that ``auth_headers`` works against the process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRONG_")}
    env.update({"GREENRONG_JWT_SECRET": TEST_JWT_SECRET, "GREENRONG_LOG_LEVEL": "INFO"})
    env.update(values)
    return env


class Process:
    """A greenrong subprocess whose output goes to a log file; its environment is
    ``greenrong_env(env)``."""

    def __init__(self, args: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "greenrong.cli", *args],
            env=greenrong_env(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=log_path.parent,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        return self.process.returncode


class Server(Process):
    """``greenrong serve`` on a free loopback port."""

    def __init__(
        self, env: Mapping[str, str], log_path: Path, *, workers: int = 1, port: int = 0
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            ["serve", "--port", str(self.port), "--workers", str(workers)], env, log_path
        )

    def wait_ready(self, processes: int = 1) -> None:
        """Until ``processes`` API processes finished their start-up and /healthz answers."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"greenrong serve exited:\n{self.output()}")
            if self.output().count("Application startup complete") >= processes:
                try:
                    if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.url} did not start in {STARTUP_TIMEOUT_S} s:\n{self.output()}")


def gql(
    url: str, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    """One GraphQL POST on a new connection (so each may reach another process)."""
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listing_input(owner_id: str, title: str) -> dict[str, Any]:
    """A published listing; its description shares no character with the tests' titles."""
    return {
        "ownerEnterpriseId": owner_id,
        "title": title,
        "description": "处理城镇生活污水",
        "domain": "WATER",
        "maturity": 7,
        "tradeMode": "LICENCE",
        "regionCode": "510104",
        "status": "PUBLISHED",
    }


def titles_found(url: str, words: str) -> list[str]:
    body = gql(url, SEARCH_LISTINGS, {"query": words})
    result = body["data"]["result"]
    assert result["__typename"] == "TechnologyListingSearchConnection", body
    return [edge["node"]["title"] for edge in result["edges"]]


def children(pid: int) -> list[int]:
    """Every process under ``pid`` (children, their children, …), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after its ')'
        parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, of in parents.items() if of == parent]
        found += kids
        frontier += kids
    return sorted(found)


def command_line(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (part.decode(errors="replace").partition("=") for part in raw.split(b"\0") if part)
    return {name: value for name, _, value in pairs}
