"""Runs the workloads against one implementation: prepares the data, times, checks answers.

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


def run_implementation(
    impl: Implementation,
    name: str,
    workloads: list[Workload],
    data: Dataset,
    reps: int,
) -> dict[str, Outcome]:
    """Run every workload `reps` times on `impl`; each answer is checked on every repetition."""
    outcomes: dict[str, Outcome] = {}
    loaded = False  # do the tables hold exactly `data`?
    for workload in workloads:
        outcome = outcomes[workload.name] = Outcome()
        expected = workload.expected(data)
        print(f"  {name}: {workload.name}", file=sys.stderr, flush=True)
        for _ in range(reps):
            try:
                _prepare(impl, workload, data, loaded)
                seconds, result = _timed(workload, impl, data)
                answer = workload.answer(impl, result)
            except Exception as exc:
                outcome.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                traceback.print_exc(file=sys.stderr)
                loaded = False
                break
            outcome.times.append(seconds)
            if answer != expected:
                outcome.mismatch = describe_mismatch(expected, answer)
                loaded = False
                break
            loaded = workload.state != FRESH
            del result, answer  # so the next repetition's collector does not walk them
    return outcomes


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
