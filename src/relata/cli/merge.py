"""`relata makemigrations --merge`: one migration that joins an app's split history.

Migrations made on two branches can both follow the same parent. The merge
migration depends on every leaf and runs no operation; each branch's
operations are shown first, so the user can see that they do not collide.
"""

from __future__ import annotations

import argparse
import datetime
from typing import Any

from relata.migrations.migration import Migration
from relata.migrations.writer import MigrationWriter

#: Longer generated names fall back to a timestamp, as Django's do.
LONGEST_NAME = 52


def merge(args: argparse.Namespace, project: Any, loader: Any, questioner: Any) -> int:
    conflicts = loader.detect_conflicts()
    if args.app_label:
        conflicts = {label: names for label, names in conflicts.items() if label in args.app_label}
    if not conflicts:
        print("No conflicts detected to merge.")
        return 0
    for label, names in conflicts.items():
        leaves = [(label, name) for name in names]
        if args.verbosity >= 1:
            print(f"Merging {label}")
            for leaf, migrations in branches(loader.graph, leaves).items():
                print(f"  Branch {leaf[1]}")
                for migration in migrations:
                    for operation in migration.operations:
                        print(f"    - {operation.describe()}")
        if questioner.ask_merge(label):
            write_merge(args, project, loader, label, leaves)
    return 0


def branches(graph: Any, leaves: list[tuple[str, str]]) -> dict[tuple[str, str], list[Any]]:
    """Each leaf's own migrations of its app: those not shared by every other branch."""
    plans = {leaf: graph.forwards_plan(leaf) for leaf in leaves}
    shared = set.intersection(*(set(plan) for plan in plans.values()))
    return {
        leaf: [graph.nodes[key] for key in plan if key not in shared and key[0] == leaf[0]]
        for leaf, plan in plans.items()
    }


def merge_name(args: argparse.Namespace, names: list[str]) -> str:
    number = max((int(name[:4]) for name in names if name[:4].isdigit()), default=0) + 1
    if args.name:
        return f"{number:04d}_{args.name}"
    name = f"{number:04d}_merge_{'_'.join(sorted(names))}"
    if len(name) > LONGEST_NAME:
        name = f"{number:04d}_merge_{datetime.datetime.now():%Y%m%d_%H%M}"
    return name


def write_merge(args: argparse.Namespace, project: Any, loader: Any, label: str, leaves: list) -> None:
    name = merge_name(args, [leaf_name for _app, leaf_name in leaves])
    migration = type("Migration", (Migration,), {"operations": [], "dependencies": list(leaves)})(name, label)
    writer = MigrationWriter(migration)
    path = MigrationWriter.path_for(loader.migrations_path(label), migration)
    if args.dry_run:
        if args.verbosity >= 1:
            print(f"\nWould create merge migration {project.display_path(path)}")
        if args.verbosity >= 3:
            print(writer.as_string())
        return
    writer.write(loader.migrations_path(label))
    if args.verbosity >= 1:
        print(f"\nCreated new merge migration {project.display_path(path)}")
