"""Compare a conformance run (run.py --json) with the committed per-app floor.

Django's own model-layer tests, run through ../shared/conformance/, are the
outside measure of "behaves like Django". `floor.json` holds, per app, the
number of tests that passed when it was last raised: CI fails when any app
passes fewer, so nothing slips back. `--raise-floor` lifts the floor to the
run's counts (it never lowers one).

    python tests/conformance/check_floor.py RESULTS.json [--raise-floor]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FLOOR = Path(__file__).with_name("floor.json")


def passed_per_app(results_path: Path) -> dict[str, int]:
    results = json.loads(results_path.read_text())["results"]
    return {entry["app"]: entry["counts"]["passed"] for entry in results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="the --json file written by run.py")
    parser.add_argument("--raise-floor", action="store_true", help="lift floor.json to this run's counts")
    args = parser.parse_args(argv)

    passed = passed_per_app(args.results)
    floor = json.loads(FLOOR.read_text()) if FLOOR.exists() else {}
    below = {app: (count, passed.get(app, 0)) for app, count in floor.items() if passed.get(app, 0) < count}
    for app, (count, now) in sorted(below.items()):
        print(f"conformance: {app} passes {now}, below its floor of {count}")
    total, total_floor = sum(passed.values()), sum(floor.values())
    print(f"conformance: {total} passed across {len(passed)} apps (floor {total_floor})")

    if args.raise_floor:
        raised = {app: max(floor.get(app, 0), count) for app, count in sorted(passed.items())}
        FLOOR.write_text(json.dumps(raised, indent=1, sort_keys=True) + "\n")
        print(f"conformance: floor raised to {sum(raised.values())}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
