"""The iterator workload: stream every book through one implementation, in its own process.

A fresh process per implementation keeps the memory baseline clean: nothing from
other ORMs or earlier workloads is resident. On Linux the peak RSS counter is
reset (/proc/self/clear_refs) just before streaming and read (VmHWM) after, so
the number is the growth caused by the stream alone. The parent runs
`python -m benchmarks.memory ...` and reads one JSON line back.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.dataset import Dataset
from benchmarks.target import Target
from benchmarks.workloads import expected_iterator_answer, iterator_answer

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class IteratorResult:
    times: list[float]
    peak_mb: float | None = None  # peak RSS growth while streaming
    error: str | None = None
    mismatch: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def failed(self) -> bool:
        return bool(self.error or self.mismatch)


def prepare(target: Target, data: Dataset) -> None:
    """Load the large data set once, with the raw driver; every ORM maps the same tables."""
    from benchmarks import impl_raw

    raw = impl_raw.connect(target)
    raw.reset()
    raw.bulk_insert(data.authors, data.books)
    raw.close()


def measure(name: str, target: Target, data: Dataset, reps: int) -> IteratorResult:
    """Run the stream in a child process and check its answer against the data set."""
    command = [
        sys.executable, "-m", "benchmarks.memory", name, target.backend, target.location,
        "--reps", str(reps),
    ]  # fmt: skip
    child = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        last = child.stderr.strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
        return IteratorResult([], error=last[0])
    report = json.loads(child.stdout.strip().splitlines()[-1])
    result = IteratorResult(report["times"], peak_mb=report["peak_mb"])
    expected = list(expected_iterator_answer(data))
    if report["answer"] != expected:
        result.mismatch = f"expected (rows, id sum, title chars) {expected}, got {report['answer']}"
    return result


def _rss_kb(field: str) -> int | None:
    """VmRSS or VmHWM from /proc/self/status, in kB; None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def _peak_kb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, kB elsewhere


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("orm")
    parser.add_argument("backend")
    parser.add_argument("location")
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args(argv)

    module = importlib.import_module(f"benchmarks.impl_{args.orm}")
    impl = module.connect(Target(args.backend, args.location))
    impl.get_by_pk([1])  # connect and import lazily-loaded code before the baseline
    gc.collect()

    precise = _reset_peak()
    baseline_kb = _rss_kb("VmRSS") if precise else _peak_kb()
    times, answer = [], None
    for _ in range(args.reps):
        start = time.perf_counter()
        answer = iterator_answer(impl.iterate())
        times.append(time.perf_counter() - start)
    peak_kb = (_rss_kb("VmHWM") if precise else None) or _peak_kb()
    impl.close()
    peak_mb = max(0, peak_kb - (baseline_kb or 0)) / 1024
    print(json.dumps({"times": times, "peak_mb": round(peak_mb, 1), "answer": answer}))


if __name__ == "__main__":
    main()
