"""Runs the Node scripts of tests/node (installed by ``bash tests/node/setup``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parents[1] / "node"


def run_node_script(script: str, *args: str, timeout: float) -> Any:
    """Run ``node tests/node/<script> <args>`` and return the JSON it prints on stdout."""
    node = shutil.which("node")
    assert node, "node is not on PATH (Node 20 or newer is needed)"
    assert (NODE_DIR / "node_modules").is_dir(), "run `bash tests/node/setup` first"
    completed = subprocess.run(
        [node, str(NODE_DIR / script), *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{script} exited {completed.returncode}\n"
        f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
    )
    return json.loads(completed.stdout)
