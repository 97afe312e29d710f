"""`relata sqlmigrate app NNNN`: the SQL a migration runs, without running it.

An operation that changes no table (an AlterField of related_name, say)
prints `-- (no-op)`: migrate will run nothing for it.
"""

from __future__ import annotations

import argparse
import re

from relata.cli.project import load_project
from relata.migrations.executor import MigrationExecutor
from relata.migrations.loader import MigrationLoader


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_label")
    parser.add_argument("migration_name", help="name or number prefix, e.g. 0002")
    parser.add_argument("--database", default="default", help="database alias (default: default)")
    parser.add_argument("--backwards", action="store_true", help="the SQL that unapplies it")


def inline(sql: str, params: tuple, connection) -> str:
    """Parameters written in as literals, for reading only."""
    if not params:
        return sql
    placeholder = re.escape(connection.ops.compiler_class.placeholder)
    values = iter(params)
    return re.sub(placeholder, lambda _m: connection.ops.quote_value(next(values)), sql)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps, alias=args.database)
    connection = project.connection()
    loader = MigrationLoader(project.apps, project.alias, read_applied=False)
    project.require_app(args.app_label)
    migration = loader.get_migration_by_prefix(args.app_label, args.migration_name)
    executor = MigrationExecutor(loader)
    collected = executor.collect_sql(migration, backwards=args.backwards)
    atomic = migration.atomic and connection.features.can_rollback_ddl
    if atomic:
        print("BEGIN;")
    for operation, statements in collected:
        print("--")
        print(f"-- {operation.describe()}")
        print("--")
        if not statements:
            print("-- (no-op)")
        for sql, params in statements:
            print(inline(sql, params, connection) + ";")
    if atomic:
        print("COMMIT;")
    return 0
