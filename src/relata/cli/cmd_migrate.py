"""`relata migrate [app] [target|zero]`: bring the database's schema up (or back) to date.

Each migration runs in its own transaction where the database can roll DDL
back. With `-v 2` every operation is printed as it starts; any migration
taking longer than a second reports its time, so long runs show progress.
"""

from __future__ import annotations

import argparse
from typing import Any

from relata.cli.cmd_check import add_skip_checks, errors_stop
from relata.cli.cmd_makemigrations import pending_changes
from relata.cli.project import load_project
from relata.migrations.executor import MigrationExecutor
from relata.migrations.loader import MigrationLoader


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_label", nargs="?", help="only this app")
    parser.add_argument("migration_name", nargs="?", help="target migration (name or number prefix), or zero")
    parser.add_argument("--database", default="default", help="database alias (default: default)")
    parser.add_argument("--plan", action="store_true", help="show the plan without running it")
    add_skip_checks(parser)


class Progress:
    def __init__(self, verbosity: int):
        self.verbosity = verbosity

    def __call__(self, event: str, migration: Any, backwards: bool, detail: Any) -> None:
        if self.verbosity < 1:
            return
        if event == "start":
            verb = "Unapplying" if backwards else "Applying"
            print(f"  {verb} {migration.app_label}.{migration.name}...", end="", flush=True)
            if self.verbosity >= 2:
                print()
        elif event == "resume":
            first, total = detail
            print(f" (resuming at operation {first} of {total})", end="\n" if self.verbosity >= 2 else "", flush=True)
        elif event == "operation" and self.verbosity >= 2:
            index, total, operation = detail
            print(f"    [{index}/{total}] {operation.describe()}", flush=True)
        elif event == "done":
            seconds, statements = detail
            notes = []
            if any(not operation.reduces_to_sql for operation in migration.operations):
                # Python code may write through the ORM, so "no SQL" could be untrue.
                notes.append("ran Python code")
            elif statements == 0:
                notes.append("no SQL")
            elif self.verbosity >= 2:
                notes.append(f"{statements} SQL statement{'s' if statements != 1 else ''}")
            if seconds >= 1:
                notes.append(f"{seconds:.1f}s")
            suffix = f" ({', '.join(notes)})" if notes else ""
            print(f"    OK{suffix}" if self.verbosity >= 2 else f" OK{suffix}", flush=True)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps, alias=args.database)
    project.connection()
    if not args.skip_checks and errors_stop(project.labels):
        return 1
    loader = MigrationLoader(project.apps, project.alias)
    loader.refuse_conflicts()
    executor = MigrationExecutor(loader, Progress(args.verbosity))
    if args.app_label:
        project.require_app(args.app_label)
    targets = executor.targets_for(args.app_label, args.migration_name)
    plan = executor.migration_plan(targets)
    if args.plan:
        print("Planned operations:")
        if not plan:
            print("  No planned migration operations.")
        for migration, backwards in plan:
            print(f"{migration.app_label}.{migration.name}{' (backwards)' if backwards else ''}")
            for operation in reversed(migration.operations) if backwards else migration.operations:
                print(f"    {'Undo ' if backwards else ''}{operation.describe()}")
        return 0
    if args.verbosity >= 1:
        print("Operations to perform:")
        if args.app_label and args.migration_name == "zero":
            print(f"  Unapply all migrations: {args.app_label}")
        elif args.app_label and args.migration_name:
            print(f"  Target specific migration: {targets[0][1]}, from {args.app_label}")
        else:
            labels = [args.app_label] if args.app_label else sorted(loader.migrated_apps)
            print(f"  Apply all migrations: {', '.join(labels) if labels else '(none)'}")
        print("Running migrations:")
        if not plan:
            print("  No migrations to apply.")
    executor.migrate(plan)
    if args.verbosity >= 1 and not args.migration_name:
        changes = pending_changes(project)
        if changes:
            labels = ", ".join(f"'{label}'" for label in sorted(changes))
            print(
                f"  Your models in app(s): {labels} have changes that are not yet reflected in a "
                f"migration, and so won't be applied.\n  Run 'relata makemigrations' to make new "
                f"migrations, and then re-run 'relata migrate' to apply them."
            )
    return 0
