"""Schema fuzzing (issue 18): every operation a client can send gets data or a typed error.

hypothesis-graphql draws queries and mutations of the whole schema (``operations.py``), sent
as an anonymous caller and as an admin to the seeded demo data, on the suite's database
(SQLite, or PostgreSQL with ``GREENRONG_TEST_PG_URL``, where compiled views and prepared
operations answer). The run fails on any masked ``INTERNAL`` error, HTTP 5xx or unmasked
internal message, and prints each cause once with the shortest operation that showed it.

Budget: ``GREENRONG_TEST_FUZZ_SECONDS`` of sending (25 by default, shared by the callers) or
``GREENRONG_TEST_FUZZ_OPERATIONS`` operations, whichever ends first (0: no limit). ``make
fuzz`` runs the long campaign (30,000 operations per database).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as run_settings
from hypothesis.strategies import SearchStrategy

from greenrong.core.config import Settings
from tests.fuzz.operations import Operation, operations
from tests.fuzz.target import REFUSED, Record, Target

ROLES = ("anonymous", "admin")
SECONDS = float(os.environ.get("GREENRONG_TEST_FUZZ_SECONDS", "25"))
OPERATIONS = int(os.environ.get("GREENRONG_TEST_FUZZ_OPERATIONS", "0"))
#: a progress line every this many operations
PROGRESS = int(os.environ.get("GREENRONG_TEST_FUZZ_PROGRESS", "1000"))


class BudgetSpent(Exception):
    """Raised in the example after the budget: hypothesis has no wall-clock limit of its own."""


def _drive(
    target: Target,
    role: str,
    strategy: SearchStrategy[Operation],
    record: Record,
    *,
    operations_: int,
    seconds: float,
) -> None:
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    last = operations_ or 10**9
    sent = 0

    @run_settings(
        max_examples=last,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def one(operation: Operation) -> None:
        nonlocal sent
        if sent >= last or time.monotonic() > deadline:
            raise BudgetSpent
        target.send(role, operation, record)
        sent += 1
        if PROGRESS and sent % PROGRESS == 0:
            failures = sum(failure.count for failure in record.failures.values())
            print(
                f"[fuzz] {role}: {sent:,} operations, {failures} server errors "
                f"in {len(record.failures)} causes",
                file=sys.stderr,
                flush=True,
            )

    with contextlib.suppress(BudgetSpent):
        one()


@pytest.mark.fuzz
# the app's thread (its dispatcher's jitter, …) uses ``random`` while hypothesis draws in this
# one: hypothesis would take that for a strategy using ``random``
@pytest.mark.filterwarnings("ignore:Do not use the .random. module inside strategies")
def test_fuzzed_operations_get_data_or_a_typed_error(settings: Settings) -> None:
    # given: the demo data (scale 0.01), seeded before the app started
    record = Record()
    with Target(settings).started() as target:
        assert target.app is not None
        schema = target.app.state.graphql.schema._schema
        strategy = operations(schema, target.pool())

        # when: each caller's share of the budget
        started = time.monotonic()
        for role in ROLES:
            _drive(
                target,
                role,
                strategy,
                record,
                operations_=OPERATIONS // len(ROLES),
                seconds=SECONDS / len(ROLES),
            )
        record.seconds = time.monotonic() - started
        backend = "PostgreSQL" if target.postgresql else "SQLite"
        refused = target.refused_hook()
        attempts = target.webhook_attempts()

    # then
    report = record.report(f"fuzzing on {backend}")
    report += f"\n    webhook requests refused in-process: {dict(target.guard.hosts) or 'none'}"
    print(report, file=sys.stderr)
    assert record.sent > 0
    # webhooks: the harness's own endpoint was sent its change, and refused in-process; so was
    # every attempt the database recorded (to endpoints the fuzzer created too)
    assert refused >= 1
    assert set(attempts) <= {REFUSED}, f"a webhook attempt was not refused in-process: {attempts}"
    assert sum(attempts.values()) <= sum(target.guard.hosts.values())
    if record.failures:
        pytest.fail(report, pytrace=False)
