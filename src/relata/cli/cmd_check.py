"""`relata check`: run the model and relation checks; exit 1 on any error.

`errors_stop` runs the same checks before makemigrations and migrate, as
Django's commands do, so a broken model never reaches a migration.
"""

from __future__ import annotations

import argparse
import sys

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


def add_skip_checks(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skip-checks", action="store_true", help="do not run the system checks first")


def errors_stop(labels: list[str]) -> bool:
    """Run the checks for `labels`; print what they find on stderr and say whether errors stop the command."""
    from relata import checks

    messages = checks.run_checks(app_labels=labels)
    errors = [m for m in messages if m.level >= checks.ERROR]
    warnings = [m for m in messages if m.level < checks.ERROR]
    if errors:
        print("SystemCheckError: System check identified some issues:\n", file=sys.stderr)
    for title, group in (("ERRORS", errors), ("WARNINGS", warnings)):
        if group:
            print(f"{title}:", file=sys.stderr)
            for message in group:
                print(format_message(message), file=sys.stderr)
    if errors:
        print(
            f"\nSystem check identified {len(messages)} issue{'s' if len(messages) != 1 else ''}: fix the errors, "
            f"or pass --skip-checks to go on regardless.",
            file=sys.stderr,
        )
    return bool(errors)
