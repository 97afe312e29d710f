"""`relata makemigrations [app ...]`: write migration files for model changes.

Needs no database: it compares the state the migration files build with the
models. `--check` exits 1 when changes are pending, `--dry-run` prints
without writing, `--empty` writes a migration with no operations to fill in,
`--merge` joins two leaf migrations of one app (cli/merge.py).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from relata.cli.cmd_check import add_skip_checks, errors_stop
from relata.cli.merge import merge
from relata.cli.project import load_project
from relata.exceptions import ImproperlyConfigured
from relata.migrations.autodetector import MigrationAutodetector
from relata.migrations.loader import MigrationLoader
from relata.migrations.migration import Migration
from relata.migrations.questioner import KEEP_NULLS, InteractiveQuestioner, NonInteractiveQuestioner, PipedQuestioner
from relata.migrations.state import ProjectState
from relata.migrations.writer import MigrationWriter
from relata.models.registry import apps as registry

SYMBOLS = (
    ("Create", "+"),
    ("Add", "+"),
    ("Delete", "-"),
    ("Remove", "-"),
    ("Alter", "~"),
    ("Rename", "~"),
    ("Change", "~"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_label", nargs="*", help="only these apps")
    parser.add_argument("-n", "--name", help="name of the migration (after the number)")
    parser.add_argument("--empty", action="store_true", help="an empty migration, to edit by hand")
    parser.add_argument("--check", action="store_true", help="exit 1 if changes are not in migrations")
    parser.add_argument("--dry-run", action="store_true", help="show what would be written")
    parser.add_argument(
        "--no-input",
        "--noinput",
        action="store_true",
        dest="no_input",
        help="ask nothing: renames are taken as remove + add",
    )
    parser.add_argument("--yes", action="store_true", help="answer yes to every rename question")
    parser.add_argument("--merge", action="store_true", help="join an app's two (or more) leaf migrations")
    add_skip_checks(parser)


def symbol(description: str) -> str:
    for prefix, sign in SYMBOLS:
        if description.startswith(prefix):
            return sign
    return "*"


class DetectingQuestioner(NonInteractiveQuestioner):
    """For "are there changes?" only: nothing is written, so any one-off default will do."""

    def ask_not_null_addition(self, model_name: str, field_name: str) -> Any:
        return None

    def ask_auto_now_add_addition(self, model_name: str, field_name: str) -> Any:
        return None

    def ask_not_null_alteration(self, model_name: str, field_name: str) -> Any:
        return KEEP_NULLS


def warn(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def pending_changes(project: Any) -> dict[str, list]:
    """Model changes no migration records yet (renames taken as remove + add)."""
    loader = MigrationLoader(project.apps, project.alias, read_applied=False)
    to_state = ProjectState.from_apps(registry, project.labels)
    detector = MigrationAutodetector(loader.project_state(), to_state, DetectingQuestioner())
    return detector.changes(loader.graph)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps)
    for label in args.app_label:
        project.require_app(label)
    if not args.skip_checks and errors_stop(project.labels):
        return 1
    if args.check:
        questioner = DetectingQuestioner(answer_renames=args.yes)
    elif args.no_input:
        questioner = NonInteractiveQuestioner(answer_renames=args.yes, warn=warn)
    elif sys.stdin.isatty():
        questioner = InteractiveQuestioner(answer_renames=args.yes)
    else:
        questioner = PipedQuestioner(answer_renames=args.yes, warn=warn)
    loader = MigrationLoader(project.apps, project.alias, read_applied=False)
    if args.merge:
        return merge(args, project, loader, questioner)
    loader.refuse_conflicts()
    if args.empty:
        return _write_empty(args, project, loader)
    to_state = ProjectState.from_apps(registry, project.labels)
    detector = MigrationAutodetector(loader.project_state(), to_state, questioner)
    trim = set(args.app_label) if args.app_label else None
    changes = detector.changes(loader.graph, trim_to_apps=trim, migration_name=args.name)
    if not changes:
        if args.verbosity >= 1:
            where = f" in app(s) {', '.join(repr(a) for a in args.app_label)}" if args.app_label else ""
            print(f"No changes detected{where}")
        return 0
    for label, migrations in changes.items():
        if args.verbosity >= 1:
            print(f"Migrations for '{label}':")
        for migration in migrations:
            writer = MigrationWriter(migration)
            path = MigrationWriter.path_for(loader.migrations_path(label), migration)
            if args.verbosity >= 1:
                print(f"  {project.display_path(path)}")
                for operation in migration.operations:
                    description = operation.describe()
                    print(f"    {symbol(description)} {description}")
            if args.check or args.dry_run:
                if args.verbosity >= 3:
                    print(writer.as_string())
                continue
            writer.write(loader.migrations_path(label))
    return 1 if args.check else 0


def _write_empty(args: argparse.Namespace, project: Any, loader: MigrationLoader) -> int:
    if len(args.app_label) != 1:
        raise ImproperlyConfigured(
            "makemigrations --empty needs exactly one app label, e.g. relata makemigrations booktracker --empty."
        )
    label = args.app_label[0]
    leaf = loader.leaf(label)
    number = int(leaf[1][:4]) + 1 if leaf else 1
    name = f"{number:04d}_{args.name or ('initial' if leaf is None else 'custom')}"
    migration = type(
        "Migration",
        (Migration,),
        {"operations": [], "dependencies": [leaf] if leaf else [], "initial": leaf is None or None},
    )(name, label)
    path = MigrationWriter.path_for(loader.migrations_path(label), migration)
    if args.verbosity >= 1:
        print(f"Migrations for '{label}':\n  {project.display_path(path)}")
    if not args.dry_run:
        MigrationWriter(migration).write(loader.migrations_path(label))
    return 0
