"""Runs one round of the workloads on one implementation: prepares data, times, checks answers.

The command line interleaves rounds across implementations, so a burst of load
from elsewhere on the machine falls on all of them alike rather than on one.
Only the workload call is timed. Preparing tables, reloading data for workloads
that mutate, and normalising answers all happen outside the timer.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field

from benchmarks.dataset import Dataset
from benchmarks.workloads import EMPTY, FRESH, SHARED, Implementation, Workload, describe_mismatch


@dataclass
class Outcome:
    """The timings of one workload on one implementation, and what went wrong if anything."""

    times: list[float] = field(default_factory=list)
    error: str | None = None  # an exception, one line
    mismatch: str | None = None  # a wrong answer, one line

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def failed(self) -> bool:
        return bool(self.error or self.mismatch)


def run_round(
    impl: Implementation,
    workloads: list[Workload],
    data: Dataset,
    expected: dict[str, object],
    outcomes: dict[str, Outcome],
) -> None:
    """Run each workload once on `impl`, adding to `outcomes`; one that failed before is skipped."""
    loaded = False  # do the tables hold exactly `data`? Other implementations may share them.
    for workload in workloads:
        outcome = outcomes[workload.name]
        if outcome.failed:
            continue
        try:
            _prepare(impl, workload, data, loaded)
            seconds, result = _timed(workload, impl, data)
            answer = workload.answer(impl, result)
        except Exception as exc:
            outcome.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            traceback.print_exc(file=sys.stderr)
            loaded = False
            continue
        outcome.times.append(seconds)
        if answer != expected[workload.name]:
            outcome.mismatch = describe_mismatch(expected[workload.name], answer)
            loaded = False
            continue
        loaded = workload.state != FRESH
        del result, answer  # so the next workload's collector does not walk them


def _prepare(impl: Implementation, workload: Workload, data: Dataset, loaded: bool) -> None:
    """Give the workload the tables it expects: empty, or holding exactly `data`."""
    if workload.state == SHARED and loaded:
        return
    impl.reset()
    if workload.state != EMPTY:
        impl.bulk_insert(data.authors, data.books)


def _timed(workload: Workload, impl: Implementation, data: Dataset) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = workload.run(impl, data)
    return time.perf_counter() - start, result
