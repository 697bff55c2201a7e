"""The identification bench's sets: the application holdout stays apart from what is tuned on
(its file unchanged since its baseline run, no case shared with the tune set, its misses hidden
unless asked), and the application cases keep their shape."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from greenrong.domain.identification.catalogue import catalogue

BENCH = Path(__file__).parents[2] / "bench" / "identification"
#: SHA-256 of applications_holdout.json as committed before any engine change of the second
#: round and measured once as its baseline; a change to the file is a change of the holdout, not
#: a tuning step (the first round's holdout, burned, is in the tune set as h01–h24)
HOLDOUT_SHA256 = "b9245e2c6a0b5243849b0aee0144364dd7354a7747d5aa567013caf90ba9969e"


@cache
def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("identification_bench", BENCH / "runner.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_holdout_file_is_the_one_measured_as_the_baseline() -> None:
    digest = hashlib.sha256((BENCH / "applications_holdout.json").read_bytes()).hexdigest()

    assert digest == HOLDOUT_SHA256


def test_the_holdout_shares_no_case_with_the_tune_set_and_is_a_third() -> None:
    cases = _runner().load_cases()
    tune = [c for c in cases if c.set == "application-tune"]
    holdout = [c for c in cases if c.set == "application-holdout"]

    assert len(holdout) == 41
    assert len(tune) == 72
    assert len(holdout) * 3 >= len(holdout) + len(tune)
    assert not {c.id for c in tune} & {c.id for c in holdout}
    assert not {c.text for c in tune} & {c.text for c in holdout}
    # the first round's holdout, whose misses were read, is tuning material now
    assert {f"h{i:02d}" for i in range(1, 25)} <= {c.id for c in tune}
    assert {c.split for c in holdout} == {"application-holdout"}


def test_application_cases_are_long_and_name_level_4_items() -> None:
    items = catalogue().items
    cases = [c for c in _runner().load_cases() if c.set.startswith("application")]

    assert all(150 <= len(c.text) <= 400 for c in cases), [
        c.id for c in cases if not 150 <= len(c.text) <= 400
    ]
    assert all(items[c.expected].level == 4 for c in cases)
    assert {c.expected.split(".")[0] for c in cases} == {"1", "2", "3", "4", "5", "6"}


def test_the_holdouts_misses_are_hidden_unless_asked() -> None:
    runner = _runner()
    by_set = {c.set: c for c in runner.load_cases()}

    assert runner.miss_shown(by_set["application-holdout"], holdout_misses=False) is False
    assert runner.miss_shown(by_set["application-holdout"], holdout_misses=True) is True
    assert runner.miss_shown(by_set["application-tune"], holdout_misses=False) is True
    assert runner.miss_shown(by_set["short"], holdout_misses=False) is True
