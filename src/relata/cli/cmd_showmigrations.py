"""`relata showmigrations [app ...]`: each app's migrations, [X] when applied, [-] when partly applied.

A migration is partly applied when it ran outside a transaction and failed
halfway (see migrations/progress.py); `relata migrate` continues it.
"""

from __future__ import annotations

import argparse

from relata.cli.project import load_project
from relata.migrations.loader import MigrationLoader


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_label", nargs="*", help="only these apps")
    parser.add_argument("--database", default="default", help="database alias (default: default)")


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps, alias=args.database)
    project.connection()
    loader = MigrationLoader(project.apps, project.alias)
    for label in args.app_label:
        project.require_app(label)
    for label in args.app_label or sorted(project.apps):
        print(label)
        nodes = loader.graph.app_nodes(label)
        if not nodes:
            print(" (no migrations)")
        for key in nodes:
            partial = loader.partial.get(key)
            if partial is not None and key not in loader.applied:
                done, total = len(partial.operations), len(loader.graph.nodes[key].operations)
                print(f" [-] {key[1]} (partly applied: {done} of {total} operations; `relata migrate` continues it)")
                continue
            mark = "X" if key in loader.applied else " "
            applied = loader.applied.get(key)
            when = f" (applied at {applied:%Y-%m-%d %H:%M:%S})" if args.verbosity >= 2 and applied else ""
            print(f" [{mark}] {key[1]}{when}")
    return 0
