"""Command line: run the workloads for each selected implementation and print the table.

    python -m benchmarks --orms raw,relata,django,sqlalchemy,peewee --scale 1

The raw driver always runs, because every ratio is taken against it. An
implementation whose module cannot be imported is skipped with a one-line note.
A wrong answer or an exception marks its cell and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from importlib import metadata
from types import ModuleType
from typing import Any

from benchmarks import memory, report
from benchmarks.dataset import BOOKS_PER_AUTHOR, make_dataset, make_iterator_dataset, n_authors_for
from benchmarks.runner import Outcome, run_round
from benchmarks.target import BACKENDS, DEFAULT_POSTGRESQL_URL, Target
from benchmarks.workloads import BY_NAME, ITERATOR, WORKLOADS

ORMS = ("raw", "relata", "django", "sqlalchemy", "peewee")
DISTRIBUTIONS = {"relata": "relata", "django": "Django", "sqlalchemy": "SQLAlchemy", "peewee": "peewee"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--orms", default=",".join(ORMS), help=f"comma-separated, from {ORMS}")
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRESQL_URL),
        help="PostgreSQL URL for --backend postgresql (env BENCH_DATABASE_URL)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 2,000 authors x 10 books")
    parser.add_argument("--reps", type=int, default=7, help="rounds of every workload (median)")
    workload_names = [w.name for w in WORKLOADS] + [ITERATOR]
    parser.add_argument("--workloads", default=",".join(workload_names), help="comma-separated subset")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    args.orms = _choose(parser, "--orms", args.orms, ORMS)
    if "raw" not in args.orms:
        args.orms.insert(0, "raw")
    args.workloads = _choose(parser, "--workloads", args.workloads, workload_names)
    if args.reps < 1 or args.scale <= 0:
        parser.error("--reps must be at least 1 and --scale positive")
    return args


def _choose(parser: argparse.ArgumentParser, flag: str, value: str, known: Any) -> list[str]:
    chosen = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in known]
    if unknown:
        parser.error(f"{flag}: unknown {', '.join(unknown)}; choose from {', '.join(known)}")
    return [item for item in known if item in chosen]  # canonical order


def import_implementation(orm: str) -> ModuleType | str:
    """The impl module, or a one-line reason it cannot be used."""
    try:
        return importlib.import_module(f"benchmarks.impl_{orm}")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def target_for(args: argparse.Namespace, directory: str, name: str) -> Target:
    if args.backend == "sqlite":
        return Target("sqlite", os.path.join(directory, f"{name}.sqlite3"))
    return Target("postgresql", args.database_url)


def versions(orms: list[str], backend: str) -> str:
    parts = [f"Python {platform.python_version()}"]
    if backend == "sqlite":
        parts.append(f"SQLite {sqlite3.sqlite_version}")
    else:
        parts.append(f"psycopg {_version('psycopg')}")
    parts += [f"{DISTRIBUTIONS[o]} {_version(DISTRIBUTIONS[o])}" for o in orms if o != "raw"]
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    return ", ".join(parts) + f"; {machine}"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = make_dataset(n_authors_for(args.scale))
    workloads = [BY_NAME[name] for name in args.workloads if name in BY_NAME]
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    iterator: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="relata-bench-") as directory:
        impls = connect_all(args, directory, workloads, results)
        expected = {w.name: w.expected(data) for w in workloads}
        for orm in impls:
            results[orm] = {w.name: Outcome() for w in workloads}
        try:
            for number in range(args.reps):
                names = list(impls)
                shift = number % len(names) if names else 0
                for orm in names[shift:] + names[:shift]:  # rotate who goes first
                    print(f"  round {number + 1}/{args.reps}: {orm}", file=sys.stderr, flush=True)
                    run_round(impls[orm], workloads, data, expected, results[orm])
        finally:
            for impl in impls.values():
                impl.close()
        if ITERATOR in args.workloads and results:
            iterator = run_iterator(args, directory, list(results))
    print_report(args, data, workloads, results, iterator, time.perf_counter() - started)
    failed = [o for per in results.values() for o in per.values() if o.failed]
    failed += [r for r in (iterator or {}).values() if r.failed]
    return 1 if failed else 0


def connect_all(
    args: argparse.Namespace,
    directory: str,
    workloads: list[Any],
    results: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Connect every importable implementation; a connection failure fails all its workloads."""
    impls = {}
    for orm in args.orms:
        module = import_implementation(orm)
        if isinstance(module, str):
            print(f"skipping {orm}: cannot import it ({module})", file=sys.stderr)
            continue
        try:
            impls[orm] = module.connect(target_for(args, directory, orm))
        except Exception as exc:
            traceback.print_exc()
            failure = f"cannot connect: {type(exc).__name__}: {exc}".splitlines()[0]
            results[orm] = {w.name: Outcome(error=failure) for w in workloads}
    return impls


def run_iterator(args: argparse.Namespace, directory: str, orms: list[str]) -> dict[str, Any]:
    big = make_iterator_dataset(args.scale)
    target = target_for(args, directory, "iterator")
    print(f"  loading {len(big.books):,} books for the iterator workload", file=sys.stderr)
    try:
        memory.prepare(target, big)
    except Exception as exc:
        traceback.print_exc()
        failure = f"cannot load its data: {type(exc).__name__}: {exc}".splitlines()[0]
        return {orm: memory.IteratorResult([], error=failure) for orm in orms}
    results = {}
    for orm in orms:
        print(f"  {orm}: iterator (own process)", file=sys.stderr, flush=True)
        results[orm] = memory.measure(orm, target, big, reps=min(args.reps, 3))
    return results


def print_report(
    args: argparse.Namespace,
    data: Any,
    workloads: list[Any],
    results: dict[str, dict[str, Any]],
    iterator: dict[str, Any] | None,
    elapsed: float,
) -> None:
    rows = report.build_rows(args.orms, [w.name for w in workloads], results, iterator)
    print(
        f"\nbackend {args.backend}, scale {args.scale:g}: {len(data.authors):,} authors x "
        f"{BOOKS_PER_AUTHOR} books; median of {args.reps}; ratio to raw in brackets"
    )
    print(versions([o for o in args.orms if o in results], args.backend))
    print()
    print(report.render_markdown(rows) if args.markdown else report.render_text(rows))
    problems = _problems(results, iterator)
    if problems:
        print("\nFAILED (the table shows ERROR or WRONG for these):")
        print("\n".join(f"  {problem}" for problem in problems))
    print(f"\ntotal run time {elapsed:.0f} s")


def _problems(results: dict[str, dict[str, Any]], iterator: dict[str, Any] | None) -> list[str]:
    """One line per implementation and failure, naming the workloads it hit."""
    hits: dict[tuple[str, str], list[str]] = {}
    for orm, outcomes in results.items():
        extra = {ITERATOR: iterator[orm]} if iterator and orm in iterator else {}
        for name, outcome in {**outcomes, **extra}.items():
            if outcome.failed:
                reason = outcome.error or f"wrong answer: {outcome.mismatch}"
                hits.setdefault((orm, reason), []).append(name)
    return [f"{orm} ({', '.join(names)}): {reason}" for (orm, reason), names in hits.items()]


if __name__ == "__main__":
    sys.exit(main())
