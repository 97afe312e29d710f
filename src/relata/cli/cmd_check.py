"""`relata check`: run the model and relation checks; exit 1 on any error."""

from __future__ import annotations

import argparse

from relata.cli.project import load_project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_label", nargs="*", help="only these apps")
    parser.add_argument(
        "--fail-level",
        default="ERROR",
        choices=["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"],
        help="the level that makes the command exit 1 (default ERROR)",
    )


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps)
    from relata import checks

    labels = args.app_label or project.labels
    messages = checks.run_checks(app_labels=labels)
    fail_level = getattr(checks, args.fail_level)
    errors = [m for m in messages if m.level >= checks.ERROR]
    warnings = [m for m in messages if m.level < checks.ERROR]
    for title, group in (("ERRORS", errors), ("WARNINGS", warnings)):
        if not group:
            continue
        print(f"{title}:")
        for message in group:
            print(format_message(message))
    count = len(messages)
    if count == 0:
        print("System check identified no issues.")
    else:
        print(f"\nSystem check identified {count} issue{'s' if count != 1 else ''}.")
    return 1 if any(m.level >= fail_level for m in messages) else 0


def format_message(message) -> str:
    return str(message)
