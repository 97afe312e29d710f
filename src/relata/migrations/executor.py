"""Applying and unapplying migrations against one database.

The plan is a list of `(migration, backwards)` steps. Each migration runs in
its own transaction when the backend can roll DDL back, together with the
row that records it, so a failure halfway leaves both the schema and the
`relata_migrations` table as they were. Otherwise a forwards migration is
recorded operation by operation and resumes where it failed (progress.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from relata.exceptions import ImproperlyConfigured
from relata.migrations.loader import MigrationLoader
from relata.migrations.progress import ResumableRun
from relata.transaction import atomic

Step = tuple[Any, bool]


class MigrationExecutor:
    def __init__(self, loader: MigrationLoader, progress: Callable[..., None] | None = None):
        self.loader = loader
        self.alias = loader.alias
        #: Called as progress(event, migration, backwards, detail): events "start", "resume" (detail:
        #: (first operation to run, total)), "operation" (detail: (index, total, operation)) and "done"
        #: (detail: (seconds, statements run)).
        self.progress = progress or (lambda event, migration, backwards, detail: None)
        self.statements: list[tuple[str, Any]] = []

    @property
    def connection(self) -> Any:
        return self.loader.recorder.connection

    # -- planning -----------------------------------------------------------------

    def migration_plan(self, targets: list[tuple[str, str | None]]) -> list[Step]:
        """Steps to reach `targets`: `(app, name)`, or `(app, None)` for "zero"."""
        graph = self.loader.graph
        applied = set(self.loader.applied)
        plan: list[Step] = []
        for app, name in targets:
            if name is None:
                undo = [n for root in graph.root_nodes(app) for n in graph.backwards_plan(root)]
            elif (app, name) in applied:
                later = [c for c in graph.children[app, name] if c[0] == app]
                undo = [n for child in later for n in graph.backwards_plan(child)]
            else:
                for key in graph.forwards_plan((app, name)):
                    if key not in applied:
                        plan.append((graph.nodes[key], False))
                        applied.add(key)
                continue
            for key in undo:
                if key in applied:
                    plan.append((graph.nodes[key], True))
                    applied.discard(key)
        return plan

    def targets_for(self, app: str | None = None, name: str | None = None) -> list[tuple[str, str | None]]:
        """What `migrate [app] [name|zero]` means as targets."""
        if app is None:
            return [leaf for label in sorted(self.loader.migrated_apps) for leaf in self.loader.graph.leaf_nodes(label)]
        if app not in self.loader.apps:
            raise ImproperlyConfigured(
                f"App {app!r} is not in [tool.relata] apps ({', '.join(self.loader.apps) or 'none'}); add it "
                f"there or check the spelling."
            )
        if app not in self.loader.migrated_apps:
            raise ImproperlyConfigured(f"App {app!r} has no migrations; run `relata makemigrations {app}` first.")
        if name is None:
            leaf = self.loader.leaf(app)
            return [leaf] if leaf else []
        if name == "zero":
            return [(app, None)]
        return [self.loader.get_migration_by_prefix(app, name).key]

    # -- running -------------------------------------------------------------------

    def state_before(self, migration: Any) -> Any:
        deps = [k for k in self.loader.graph.forwards_plan(migration.key) if k != migration.key]
        return self.loader.graph.make_state(deps)

    def migrate(self, plan: list[Step]) -> None:
        recorder = self.loader.recorder
        recorder.ensure_table()
        for migration, backwards in plan:
            started = time.perf_counter()
            self.progress("start", migration, backwards, None)
            if backwards:
                self.unapply(migration)
            else:
                self.apply(migration)
            self.progress("done", migration, backwards, (time.perf_counter() - started, len(self.statements)))

    def _in_transaction(self, migration: Any) -> bool:
        return migration.atomic and self.connection.features.can_rollback_ddl

    def _transaction(self, migration: Any) -> Any:
        return atomic(using=self.alias) if self._in_transaction(migration) else nullcontext()

    def apply(self, migration: Any) -> None:
        run = None if self._in_transaction(migration) else ResumableRun(self.loader.recorder, migration)
        state = self.state_before(migration)
        editor = self.connection.schema_editor()
        with editor.constraint_checks_off(), self._transaction(migration):
            with editor:
                total = len(migration.operations)
                done = run.start(editor) if run else 0
                if done:
                    self.progress("resume", migration, False, (done + 1, total))
                for index, operation in enumerate(migration.operations):
                    after = state.clone()
                    operation.state_forwards(migration.app_label, after)
                    if index >= done:
                        self.progress("operation", migration, False, (index + 1, total, operation))
                        with run.operation(index, editor) if run else nullcontext():
                            operation.database_forwards(migration.app_label, editor, state, after)
                    state = after
                if run:
                    run.finish(editor)
            self.statements = list(editor.collected)
            if run:
                # Row changes are transactional even where DDL is not: never applied and partial at once.
                with atomic(using=self.alias):
                    self.loader.recorder.record_applied(*migration.key)
                    self.loader.recorder.clear_progress(*migration.key)
            else:
                self.loader.recorder.record_applied(*migration.key)
        self.loader.applied[migration.key] = True
        self.loader.partial.pop(migration.key, None)

    def unapply(self, migration: Any) -> None:
        states = self._states_through(migration)
        editor = self.connection.schema_editor()
        with editor.constraint_checks_off(), self._transaction(migration):
            with editor:
                for index in range(len(migration.operations) - 1, -1, -1):
                    operation = migration.operations[index]
                    self.progress(
                        "operation",
                        migration,
                        True,
                        (len(migration.operations) - index, len(migration.operations), operation),
                    )
                    if not operation.reversible:
                        raise ImproperlyConfigured(
                            f"Operation {operation.describe()!r} in {migration.app_label}.{migration.name} "
                            f"cannot be reversed; give it a reverse (reverse_code / reverse_sql)."
                        )
                    operation.database_backwards(migration.app_label, editor, states[index + 1], states[index])
            self.statements = list(editor.collected)
            self.loader.recorder.record_unapplied(*migration.key)
        self.loader.applied.pop(migration.key, None)

    def _states_through(self, migration: Any) -> list[Any]:
        """The state before each operation of `migration`, and after the last."""
        states = [self.state_before(migration)]
        for operation in migration.operations:
            after = states[-1].clone()
            operation.state_forwards(migration.app_label, after)
            states.append(after)
        return states

    def collect_sql(self, migration: Any, backwards: bool = False) -> list[tuple[Any, list[tuple[str, Any]]]]:
        """Per operation, the statements it would run, without running them (sqlmigrate)."""
        editor = self.connection.schema_editor()
        editor.collect_only = True
        states = self._states_through(migration)
        result = []
        indexes = range(len(migration.operations))
        with editor:
            for index in reversed(indexes) if backwards else indexes:
                operation = migration.operations[index]
                before = len(editor.collected)
                if backwards:
                    operation.database_backwards(migration.app_label, editor, states[index + 1], states[index])
                else:
                    operation.database_forwards(migration.app_label, editor, states[index], states[index + 1])
                result.append((operation, editor.collected[before:]))
        deferred = editor.collected[sum(len(r[1]) for r in result) :]
        if deferred and result:
            result[-1] = (result[-1][0], result[-1][1] + deferred)
        return result
