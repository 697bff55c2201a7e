"""The lock: uv.lock pins every Python dependency, and it cannot drift from pyproject.toml.

``make install`` runs ``uv sync --locked``, which refuses a lock that disagrees with
pyproject.toml; these tests make the same disagreement fail the suite, so a change to one
without the other never reaches main. They use no database and pass the same way on both
backends.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "uv.lock"
PYPROJECT = ROOT / "pyproject.toml"
UV_PIN = ROOT / "infra" / "uv.txt"


def uv_binary() -> str:
    """The uv that ``make install`` put in .tools (or GREENRONG_UV, or one on PATH)."""
    for candidate in (os.environ.get("GREENRONG_UV"), str(ROOT / ".tools" / "uv" / "bin" / "uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("uv")
    if found is None:
        pytest.fail("uv is not installed: run `make install` (it installs uv from infra/uv.txt)")
    return found


def uv_lock_check(project: Path) -> subprocess.CompletedProcess[str]:
    """``uv lock --check`` without the network: is the lock in ``project`` up to date?"""
    return subprocess.run(
        [uv_binary(), "lock", "--check", "--offline", "--project", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        check=False,
    )


def locked_packages() -> dict[str, set[str]]:
    """Every package uv.lock pins (registry packages only), by normalised name. A package can
    have one version per Python range that requires-python spans (pint for 3.11 and 3.12+)."""
    lock = tomllib.loads(LOCK.read_text(encoding="utf-8"))
    pinned: dict[str, set[str]] = {}
    for package in lock["package"]:
        if "registry" in package.get("source", {}):
            pinned.setdefault(canonicalize_name(package["name"]), set()).add(package["version"])
    return pinned


def test_the_lock_agrees_with_pyproject() -> None:
    result = uv_lock_check(ROOT)
    assert result.returncode == 0, (
        "pyproject.toml and uv.lock disagree: run `make lock` and commit uv.lock\n" + result.stderr
    )


def test_the_check_fails_when_pyproject_changes_alone(tmp_path: Path) -> None:
    """The check above can fail: a dependency added to pyproject.toml without `make lock`."""
    shutil.copy(LOCK, tmp_path / "uv.lock")
    text = PYPROJECT.read_text(encoding="utf-8")
    assert '    "orjson>=3.10",\n' in text
    changed = text.replace('    "orjson>=3.10",\n', '    "orjson>=3.10",\n    "six>=1.16",\n')
    (tmp_path / "pyproject.toml").write_text(changed, encoding="utf-8")
    assert uv_lock_check(tmp_path).returncode != 0
    # and a range tightened past the locked version
    (pinned,) = locked_packages()["click"]
    tightened = text.replace('"click>=8.1"', f'"click>{pinned}"')
    assert tightened != text
    (tmp_path / "pyproject.toml").write_text(tightened, encoding="utf-8")
    assert uv_lock_check(tmp_path).returncode != 0


def test_every_dependency_is_pinned_with_hashes() -> None:
    """Every runtime and dev requirement of pyproject.toml has one locked version, and every
    locked distribution carries a sha256 that uv checks on install."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = [
        requirement
        for group in (project["dependencies"], *extras.values())
        for requirement in group
    ]
    locked = locked_packages()
    for requirement in map(Requirement, wanted):
        name = canonicalize_name(requirement.name)
        if name == project["name"]:  # the dev extra names the tracing extra of greenrong itself
            continue
        assert name in locked, f"{requirement} is not in uv.lock"
        outside = [v for v in locked[name] if not requirement.specifier.contains(v, True)]
        assert not outside, f"uv.lock pins {name} {outside}, outside {requirement}"
    lock = tomllib.loads(LOCK.read_text(encoding="utf-8"))
    for package in lock["package"]:
        if "registry" not in package.get("source", {}):
            continue
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files, f"{package['name']} has no distributions in uv.lock"
        for file in files:
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", file.get("hash", "")), (package, file)


def test_the_running_environment_is_the_locked_one() -> None:
    """What this suite runs on is what uv.lock pins: nothing installed by hand, nothing newer.

    Every locked package that is installed here has its locked version, and the packages the
    project names directly are all installed."""
    locked = locked_packages()
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }
    mismatched = {
        name: (sorted(versions), installed[name])
        for name, versions in locked.items()
        if name in installed and installed[name] not in versions
    }
    assert not mismatched, (
        f"installed versions differ from uv.lock (locked, installed): {mismatched}"
    )
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    direct = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    missing = [r for r in direct if canonicalize_name(Requirement(r).name) not in installed]
    assert not missing, f"not installed: {missing}"


def test_uv_is_pinned_with_hashes() -> None:
    """make install and the Dockerfile install uv from infra/uv.txt with pip --require-hashes."""
    text = UV_PIN.read_text(encoding="utf-8")
    pins = re.findall(r"^uv==(\S+)", text, flags=re.MULTILINE)
    assert len(pins) == 1, pins
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}", text)) >= 5
    version = subprocess.run(
        [uv_binary(), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.split()[1]
    assert version == pins[0], f"uv {version} runs here, infra/uv.txt pins {pins[0]}"
